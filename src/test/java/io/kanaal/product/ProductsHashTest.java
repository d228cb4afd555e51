package io.kanaal.product;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The payload hash read straight from the mapped JSON is the hash channel_product holds from before. */
class ProductsHashTest {

    @Test
    void aDocumentHashesAsItsTreeDid() throws Exception {
        String json = """
                {"sku":"A-1","price":22.95,"quantity":3,"big":12345678901234567890,"small":1.0E-7,"on":true,
                 "none":null,"title":"T-shirt r\\u00f6d ✓","images":["b","a"],"nested":{"z":1,"a":[{"y":2.50,"x":-0.0}]}}
                """;
        assertThat(Products.hash(json)).isEqualTo(Products.hash(new ObjectMapper().readTree(json)));
        assertThat(Products.hash("{\"b\":1,\"a\":2}")).isEqualTo(Products.hash("{\"a\":2,\"b\":1}"));
    }
}
