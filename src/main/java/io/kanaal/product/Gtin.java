package io.kanaal.product;

/** GTIN check digits (GS1 General Specifications, 7.9.1): EAN-13, UPC-A (GTIN-12), GTIN-14, and GTIN-8. */
public final class Gtin {

    private Gtin() {
    }

    /** Whether the digits are a GTIN of 8, 12, 13 or 14 digits whose last digit is its check digit. */
    public static boolean valid(String gtin) {
        if (gtin == null || !gtin.matches("[0-9]{8}|[0-9]{12,14}")) {
            return false;
        }
        int sum = 0;
        // from the right, leaving out the check digit: weights 3, 1, 3, 1, ...
        for (int i = gtin.length() - 2, weight = 3; i >= 0; i--, weight = 4 - weight) {
            sum += (gtin.charAt(i) - '0') * weight;
        }
        return (10 - sum % 10) % 10 == gtin.charAt(gtin.length() - 1) - '0';
    }
}
