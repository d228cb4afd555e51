package io.kanaal.product;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * A channel's price rule, from its settings: {@code price-markup} (percent), {@code price-add} (an amount),
 * {@code price-rounding} ({@code none}, {@code whole}, {@code 0.95}, {@code 0.99}: up to the next such price,
 * never below what the rule computed), {@code price-minimum-margin} (percent over the cost price, when the product
 * has one).
 */
public record PriceRule(BigDecimal markupPercent, BigDecimal add, String rounding, BigDecimal minimumMarginPercent) {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    static PriceRule of(Map<String, String> settings) {
        return new PriceRule(decimal(settings, "price-markup"), decimal(settings, "price-add"),
                settings.getOrDefault("price-rounding", "none").strip(), decimal(settings, "price-minimum-margin"));
    }

    /** The channel's price for a base price (list or sale) with the currency's decimals; cost may be null. */
    public BigDecimal apply(BigDecimal base, BigDecimal cost, int decimals) {
        BigDecimal price = base.multiply(BigDecimal.ONE.add(markupPercent.divide(HUNDRED))).add(add);
        if (cost != null && minimumMarginPercent.signum() > 0) {
            BigDecimal floor = cost.multiply(BigDecimal.ONE.add(minimumMarginPercent.divide(HUNDRED)));
            price = price.max(floor);
        }
        return round(price.setScale(decimals, RoundingMode.UP), decimals);
    }

    private BigDecimal round(BigDecimal price, int decimals) {
        switch (rounding) {
            case "none", "" -> {
                return price;
            }
            case "whole" -> {
                return price.setScale(0, RoundingMode.CEILING).setScale(decimals, RoundingMode.UNNECESSARY);
            }
            default -> {
                BigDecimal ending = new BigDecimal(rounding);
                if (ending.signum() < 0 || ending.compareTo(BigDecimal.ONE) >= 0) {
                    throw new IllegalArgumentException("price-rounding " + rounding + ": none, whole, or an ending such as 0.95");
                }
                BigDecimal candidate = price.setScale(0, RoundingMode.FLOOR).add(ending);
                if (candidate.compareTo(price) < 0) {
                    candidate = candidate.add(BigDecimal.ONE);
                }
                return candidate.setScale(Math.max(decimals, ending.scale()), RoundingMode.UNNECESSARY);
            }
        }
    }

    private static BigDecimal decimal(Map<String, String> settings, String key) {
        String value = settings.get(key);
        try {
            return value == null || value.isBlank() ? BigDecimal.ZERO : new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " '" + value + "' is not a number", e);
        }
    }
}
