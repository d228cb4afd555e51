package io.kanaal.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/** Products as the ERP or PIM would send them, for the product tests. */
public final class TestProducts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestProducts() {
    }

    public static String sku() {
        return "P-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A valid product: Dutch and English titles, two images, a price of 19.99 EUR. */
    public static ObjectNode product(String sku, long sequence) {
        try {
            return (ObjectNode) JSON.readTree("""
                    {"sku":"%s","sequence":%d,"gtin":"8712345678906","brand":"Kanaal Wear","category":"Kleding > Shirts",
                     "variantAxes":{"size":"M"},
                     "title":{"nl":"T-shirt rood","en":"T-shirt red"},"description":{"nl":"Katoenen T-shirt.","en":"Cotton T-shirt."},
                     "attributes":{"material":{"value":"cotton"}},
                     "images":[{"url":"https://img.example.com/%s-back.jpg","role":"extra","position":2},
                               {"url":"https://img.example.com/%s-front.jpg","role":"main","position":1}],
                     "price":{"amount":19.99,"currency":"EUR","listPrice":24.99,"cost":9.5}}
                    """.formatted(sku, sequence, sku, sku));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid product without one of its fields. */
    public static ObjectNode without(String field, String sku) {
        ObjectNode product = product(sku, 1);
        product.remove(field);
        return product;
    }

    public static String products(ObjectNode... products) throws IOException {
        ObjectNode batch = JSON.createObjectNode();
        batch.putArray("items").addAll(List.of(products));
        return JSON.writeValueAsString(batch);
    }
}
