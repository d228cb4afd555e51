package io.kanaal.channel.vendure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.StandaloneKanaal;
import jakarta.jms.Message;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.core.JmsTemplate;

/**
 * The Vendure product sender against a scripted Admin API (no Node needed): a new product is created with its
 * variant, and an attempt that fails between the two is retried without a second product (the product is found by
 * its slug); the variant's id carries the SKU's stock; a new version updates product and variant in one call; what
 * Vendure refuses, or a Vendure channel without the product's currency, is a refusal. The real Vendure runs in
 * io.kanaal.vendure.VendureProductIT.
 */
class VendureProductTest {

    private static final String KEY = "vendure-products-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ChannelStub VENDURE = new ChannelStub();
    private static final String ENGLISH_EUR = "\"activeChannel\":{\"defaultLanguageCode\":\"en\","
            + "\"availableLanguageCodes\":[\"en\"],\"defaultCurrencyCode\":\"EUR\"}";
    private static ConfigurableApplicationContext kanaal;

    @BeforeAll
    static void start() {
        List<String> settings = new ArrayList<>(StandaloneKanaal.vendureChannel("vshop", VENDURE.baseUrl(),
                "kanaal", "secret", "price-markup=10", "price-rounding=0.95"));
        settings.add("--kanaal.delivery.initial-delay=100");
        VENDURE.script("/admin-api", graphql("{\"data\":{\"login\":{\"id\":\"1\",\"identifier\":\"kanaal\"}}}")
                .withHeader("vendure-auth-token", "token-1"));
        kanaal = StandaloneKanaal.start("vendure-products", 131, KEY, settings);
    }

    @AfterAll
    static void stop() {
        try (ChannelStub stub = VENDURE; ConfigurableApplicationContext context = kanaal) {
            // Kanaal closes first, then the stub
        }
    }

    @Test
    void aNewProductGetsItsVariantOnceAlsoWhenAnAttemptFailsBetweenAndANewPriceUpdatesIt() throws Exception {
        String sku = "VP-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        String slug = sku.toLowerCase();
        int before = VENDURE.requests("/admin-api").size();
        VENDURE.script("/admin-api",
                graphql("{\"data\":{\"productVariants\":{\"items\":[]},\"product\":null," + ENGLISH_EUR + "}}"),
                graphql("{\"data\":{\"createProduct\":{\"id\":\"12\",\"slug\":\"" + slug + "\"}}}"),
                Reply.of(503, "{\"error\":\"restarting\"}"),
                graphql("{\"data\":{\"productVariants\":{\"items\":[]},\"product\":{\"id\":\"12\","
                        + "\"translations\":[{\"languageCode\":\"en\"}],\"variantList\":{\"totalItems\":0}}," + ENGLISH_EUR + "}}"),
                graphql("{\"data\":{\"createProductVariants\":[{\"id\":\"34\",\"sku\":\"" + sku + "\"}]}}"),
                graphql("{\"data\":{\"updateProduct\":{\"id\":\"12\"},\"updateProductVariants\":[]}}"));

        post("/api/v1/products", products(product(sku, 1, 19.99)));

        await().atMost(Duration.ofSeconds(20)).until(() -> status(sku) != null);
        List<ChannelStub.Request> calls = calls(before);
        assertThat(count(calls, "createProduct(")).as("one product").isEqualTo(1);
        assertThat(calls).hasSize(6);
        assertThat(variables(calls.get(0))).isEqualTo(JSON.readTree("{\"sku\":\"" + sku + "\",\"slug\":\"" + slug + "\"}"));
        assertThat(variables(calls.get(1))).as("enabled with its variant").isEqualTo(JSON.readTree("""
                {"input":{"enabled":false,"translations":[{"languageCode":"en","name":"T-shirt red",
                  "description":"Cotton T-shirt.","slug":"%s"}]}}
                """.formatted(slug)));
        assertThat(variables(calls.get(4))).as("19.99 + 10 %, up to .95: 22.95, in cents").isEqualTo(JSON.readTree("""
                {"input":[{"sku":"%s","enabled":true,"price":2295,
                  "translations":[{"languageCode":"en","name":"T-shirt red"}],"productId":"12","stockOnHand":0}]}
                """.formatted(sku)));
        assertThat(variables(calls.get(5))).as("enabled once its variant is there").isEqualTo(JSON.readTree(
                "{\"product\":{\"id\":\"12\",\"enabled\":true},\"variants\":[]}"));
        assertThat(listing(sku)).as("the variant is the SKU's listing").isEqualTo("34");
        assertThat(status(sku)).isEqualTo("live");

        // the ERP's stock goes to that variant, without looking it up
        VENDURE.script("/admin-api", graphql("{\"data\":{\"updateProductVariants\":[{\"id\":\"34\",\"sku\":\"" + sku
                + "\",\"stockOnHand\":6}]}}"));
        post("/api/v1/stock", "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":6,\"sequence\":1}]}");
        await().atMost(Duration.ofSeconds(15)).until(() -> calls(before).size() == 7);
        assertThat(variables(calls(before).get(6))).isEqualTo(JSON.readTree("{\"input\":[{\"id\":\"34\",\"stockOnHand\":6}]}"));

        // a new price: the product and its variant are updated in one call, the slug kept
        VENDURE.script("/admin-api",
                graphql("{\"data\":{\"productVariants\":{\"items\":[{\"id\":\"34\",\"sku\":\"" + sku + "\",\"product\":{\"id\":\"12\","
                        + "\"translations\":[{\"languageCode\":\"en\"}],\"variantList\":{\"totalItems\":1}}}]},"
                        + "\"product\":null," + ENGLISH_EUR + "}}"),
                graphql("{\"data\":{\"updateProduct\":{\"id\":\"12\"},\"updateProductVariants\":[{\"id\":\"34\",\"sku\":\"" + sku + "\"}]}}"));
        post("/api/v1/products", products(product(sku, 2, 29.99)));
        await().atMost(Duration.ofSeconds(15)).until(() -> calls(before).size() == 9);
        assertThat(variables(calls(before).get(8))).as("29.99 + 10 %, up to .95: 33.95").isEqualTo(JSON.readTree("""
                {"product":{"enabled":true,"translations":[{"languageCode":"en","name":"T-shirt red",
                  "description":"Cotton T-shirt."}],"id":"12"},
                 "variants":[{"sku":"%s","enabled":true,"price":3395,
                  "translations":[{"languageCode":"en","name":"T-shirt red"}],"id":"34"}]}
                """.formatted(sku)));
        assertThat(count(calls(before), "createProduct(")).as("never a second product").isEqualTo(1);
        assertThat(count(calls(before), "createProductVariants(")).as("the one that failed, and its retry").isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> "live".equals(status(sku)));
    }

    @Test
    void whatVendureRefusesAPriceInAnotherCurrencyAndAMissingImageAreRefusalsWithTheReason() throws Exception {
        String refused = "VR-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        VENDURE.script("/admin-api",
                graphql("{\"data\":{\"productVariants\":{\"items\":[]},\"product\":null," + ENGLISH_EUR + "}}"),
                graphql("{\"errors\":[{\"message\":\"The slug may not be empty\",\"path\":[\"createProduct\"],"
                        + "\"extensions\":{\"code\":\"USER_INPUT_ERROR\"}}],\"data\":null}"));
        post("/api/v1/products", products(product(refused, 1, 19.99)));
        assertThat(deadLetter(refused)).contains("USER_INPUT_ERROR").contains("The slug may not be empty");
        await().atMost(Duration.ofSeconds(5)).until(() -> "refused".equals(status(refused)));

        String dollars = "VD-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        VENDURE.script("/admin-api", graphql("{\"data\":{\"productVariants\":{\"items\":[]},\"product\":null,"
                + ENGLISH_EUR.replace("EUR", "USD") + "}}"));
        int before = VENDURE.requests("/admin-api").size();
        post("/api/v1/products", products(product(dollars, 1, 19.99)));
        assertThat(deadLetter(dollars)).contains("the Vendure channel's prices are in USD, not in EUR");
        assertThat(calls(before)).as("only the look-up").hasSize(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> "refused".equals(status(dollars)));

        // an image whose URL answers 404: refused with the URL and the status, before anything is sent to Vendure
        String pictured = "VI-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        VENDURE.always("/images/", Reply.of(404));
        int beforeImage = VENDURE.requests("/admin-api").size();
        String image = VENDURE.baseUrl() + "/images/" + pictured + ".png";
        post("/api/v1/products", products(product(pictured, 1, 19.99).replace("\"price\"",
                "\"images\":[{\"url\":\"" + image + "\",\"role\":\"main\"}],\"price\"")));
        assertThat(deadLetter(pictured)).contains("image " + image + " answered HTTP 404");
        assertThat(calls(beforeImage)).as("nothing sent to Vendure").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> "refused".equals(status(pictured)));
    }

    private static String deadLetter(String sku) throws Exception {
        JmsTemplate jms = kanaal.getBean(JmsTemplate.class);
        jms.setReceiveTimeout(20_000);
        Message dead = jms.receiveSelected("DLQ.kanaal.channel.vshop.products", "sku = '" + sku + "'");
        assertThat(dead).as("dead letter of %s", sku).isNotNull();
        return dead.getStringProperty("kanaalDeadLetterReason");
    }

    private static String product(String sku, long sequence, double price) {
        return """
                {"sku":"%s","sequence":%d,"title":{"nl":"T-shirt rood","en":"T-shirt red"},
                 "description":{"nl":"Katoenen T-shirt.","en":"Cotton T-shirt."},
                 "price":{"amount":%s,"currency":"EUR"}}
                """.formatted(sku, sequence, price);
    }

    private static String products(String product) {
        return "{\"items\":[" + product + "]}";
    }

    /** The Admin API calls since the first {@code before} ones, the login aside. */
    private static List<ChannelStub.Request> calls(int before) {
        List<ChannelStub.Request> all = VENDURE.requests("/admin-api");
        return all.subList(before, all.size()).stream().filter(r -> !r.body().contains("login(")).toList();
    }

    private static JsonNode variables(ChannelStub.Request call) throws Exception {
        return JSON.readTree(call.body()).path("variables");
    }

    private static long count(List<ChannelStub.Request> calls, String text) {
        return calls.stream().filter(r -> r.body().contains(text)).count();
    }

    private static String listing(String sku) {
        List<String> ids = kanaal.getBean(JdbcTemplate.class).queryForList(
                "SELECT listing_id FROM channel_listing WHERE channel = 'vshop' AND sku = ?", String.class, sku);
        return ids.isEmpty() ? null : ids.get(0);
    }

    private static String status(String sku) {
        List<String> statuses = kanaal.getBean(JdbcTemplate.class).queryForList(
                "SELECT status FROM channel_product WHERE channel = 'vshop' AND sku = ?", String.class, sku);
        return statuses.isEmpty() ? null : statuses.get(0);
    }

    private static Reply graphql(String body) {
        return Reply.of(200, body);
    }

    private static void post(String path, String body) throws Exception {
        HttpResponse<String> response = StandaloneKanaal.post(kanaal, KEY, path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
