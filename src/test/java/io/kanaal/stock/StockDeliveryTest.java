package io.kanaal.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.channel.OAuth2Tokens;
import io.kanaal.support.BolContract;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.KanaalIntegrationTest;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** ERP stock reaches every channel in the channel's own format, through its API, current and never stale. */
class StockDeliveryTest extends KanaalIntegrationTest {

    @Autowired
    OAuth2Tokens oauth2Tokens;

    @Autowired
    MeterRegistry meters;

    @Test
    void everyChannelGetsItsOwnQuantityInItsOwnFormat() {
        String sku = newSku();

        pushStock(batch(level(sku, 10, 1)));

        awaitExactly(() -> shopRequests(sku).size() == 1 && bolRequests(sku).size() == 1);
        ChannelStub.Request shop = shopRequests(sku).get(0);
        assertThat(shop.method()).isEqualTo("PUT");
        assertThat(shop.header("Content-Type")).isEqualTo("application/json");
        assertThat(shop.body()).isEqualTo("{\"sku\":\"" + sku + "\",\"quantity\":8}");

        ChannelStub.Request bol = bolRequests(sku).get(0);
        assertThat(bol.method()).isEqualTo("PATCH");
        assertThat(bol.header("Content-Type")).isEqualTo("application/vnd.retailer.v11+json");
        assertThat(bol.header("Authorization")).startsWith("Bearer token-");
        assertThat(bol.body()).isEqualTo("{\"stock\":{\"amount\":9,\"managedByRetailer\":true}}");
        assertThat(shop.header("X-API-Key")).as("the ERP's key never leaves Kanaal").isNull();
        assertThat(bol.header("JMSXGroupID")).as("no transport headers leak to a channel").isNull();
    }

    @Test
    void aSkuWithSpacesAndSlashesIsOnePathSegmentOnARestChannel() {
        String sku = withBolOffer(newSku() + " A/B+C");

        pushStock(batch(level(sku, 10, 1)));

        String encoded = sku.replace(" ", "%20").replace("/", "%2F").replace("+", "%2B");
        await().atMost(Duration.ofSeconds(15)).until(() -> SHOP.requests("/shop/stock/" + encoded).size() == 1);
        assertThat(SHOP.requests("/shop/stock/" + encoded).get(0).path()).isEqualTo("/shop/stock/" + encoded);
        assertThat(SHOP.requests("/shop/stock/" + encoded).get(0).body())
                .isEqualTo("{\"sku\":\"" + sku + "\",\"quantity\":8}");
    }

    @Test
    void theBufferAndCapApplyAndAQuantityIsNeverNegative() {
        String plenty = newSku();
        String scarce = newSku();

        pushStock(batch(level(plenty, 5000, 1), level(scarce, 1, 1)));

        awaitExactly(() -> shopRequests(plenty).size() == 1
                && bolRequests(plenty).size() == 1 && shopRequests(scarce).size() == 1 && bolRequests(scarce).size() == 1);
        assertThat(shopRequests(plenty).get(0).body()).contains("\"quantity\":100");
        assertThat(bolRequests(plenty).get(0).body()).contains("\"amount\":999");
        assertThat(shopRequests(scarce).get(0).body()).contains("\"quantity\":0");
        assertThat(bolRequests(scarce).get(0).body()).contains("\"amount\":0");
    }

    @Test
    void aLevelOlderThanTheLastOneSeenIsAcknowledgedAndDropped() {
        String bySequence = newSku();
        String byTimestamp = newSku();

        pushStock(batch(level(bySequence, 30, 5), stamped(byTimestamp, 30, "2026-11-23T10:00:00+01:00")));
        awaitExactly(() -> shopRequests(bySequence).size() == 1
                && shopRequests(byTimestamp).size() == 1);
        pushStock(batch(level(bySequence, 3, 4), stamped(byTimestamp, 3, "2026-11-23T08:59:59Z"),
                level(bySequence, 20, 6)));

        await().atMost(Duration.ofSeconds(15)).until(() -> shopRequests(bySequence).size() == 2);
        assertThat(shopRequests(bySequence)).extracting(ChannelStub.Request::body)
                .containsExactly(shopBody(bySequence, 28), shopBody(bySequence, 18));
        assertThat(jdbc.queryForObject("SELECT quantity FROM erp_stock WHERE sku = ?", Integer.class, byTimestamp))
                .isEqualTo(30);
        assertThat(shopRequests(byTimestamp)).hasSize(1);
    }

    @Test
    void aLevelRecordedBeforeItsChannelMessagesWereLostReachesTheChannelsWhenItComesAgain() {
        // a crash between the database commit and the broker commit: the level is recorded, the channel
        // messages it queued were rolled back, and the broker delivers the same level again (not necessarily
        // marked redelivered)
        String sku = newSku();
        jdbc.update("INSERT INTO erp_stock (sku, warehouse, quantity, version) VALUES (?, '', 12, 5)", sku);

        pushStock(batch(level(sku, 12, 5)));

        awaitExactly(() -> shopRequests(sku).size() == 1 && bolRequests(sku).size() == 1);
        assertThat(shopRequests(sku).get(0).body()).isEqualTo("{\"sku\":\"" + sku + "\",\"quantity\":10}");
    }

    @Test
    void levelsOfSeveralWarehousesAddUp() {
        String sku = newSku();

        pushStock(batch(warehouse(sku, 4, "north", 1), warehouse(sku, 6, "south", 1)));

        // the row appears once the fan-out has run: until then the query finds none
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForList(
                "SELECT delivered_quantity FROM channel_stock WHERE channel = 'shop' AND sku = ?", Integer.class, sku)
                .equals(List.of(8)));
    }

    @Test
    void levelsPushedByManyRequestsAtOnceAllArriveAndTheNewestOfASkuWins() throws Exception {
        // requests that arrive while another one's broker transaction commits share the next one (group commit)
        String shared = newSku();
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            own.add(newSku());
        }
        DistributionSummary groups = meters.get("kanaal.erp.stock.group.requests").summary();
        double requestsBefore = groups.totalAmount();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < own.size(); i++) {
                String body = batch(level(own.get(i), 10 + i, 1), level(shared, 50 + i, i + 1));
                answers.add(pool.submit(() -> post("/api/v1/stock", body)));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                assertThat(response.body()).contains("\"accepted\":2,\"rejected\":0");
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(groups.totalAmount() - requestsBefore).as("requests queued through the group commit").isEqualTo(24);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int i = 0; i < own.size(); i++) {
                assertThat(delivered("shop", own.get(i))).as(own.get(i)).isEqualTo(10 + i - 2);
            }
            // sequence 24 is the newest of the shared SKU, whichever request carried it first
            assertThat(delivered("shop", shared)).isEqualTo(73 - 2);
            assertThat(delivered("bol-test", shared)).isEqualTo(73 - 1);
            assertThat(delivered("market", shared)).isEqualTo(73);
        });
        // what the shop shows: the last call it got for the shared SKU has the newest level (its calls, made by
        // concurrent senders, reached it one SKU at a time and in order)
        List<ChannelStub.Request> calls = shopRequests(shared);
        assertThat(calls.get(calls.size() - 1).body()).isEqualTo("{\"sku\":\"" + shared + "\",\"quantity\":71}");
    }

    private Integer delivered(String channel, String sku) {
        List<Integer> quantities = jdbc.queryForList(
                "SELECT delivered_quantity FROM channel_stock WHERE channel = ? AND sku = ?", Integer.class, channel, sku);
        return quantities.isEmpty() ? null : quantities.get(0);
    }

    /** Its expiry and renewal before it: OAuth2TokensTest (a clock of its own). */
    @Test
    void oneBolTokenServesManyRequests() {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            skus.add(newSku());
        }
        oauth2Tokens.evict("bol-test");
        int issuedBefore = BOL.tokensIssued();
        long evicted = System.nanoTime();

        pushStock(batch(skus.stream().map(s -> level(s, 3, 1)).toArray(String[]::new)));

        awaitExactly(() -> skus.stream().allMatch(s -> bolRequests(s).size() == 1));
        assertThat(BOL.tokensIssued()).as("a token fetched after the eviction").isGreaterThan(issuedBefore);
        assertThat(BOL.requests("/token")).filteredOn(token -> token.atNanos() > evicted).as("token requests after the eviction")
                .isNotEmpty().allSatisfy(token -> {
                    assertThat(token.header("Authorization")).startsWith("Basic ");
                    assertThat(token.body()).isEqualTo("grant_type=client_credentials");
                });
        String authorization = bolRequests(skus.get(0)).get(0).header("Authorization");
        // "Bearer token-<n>.<client>": the stub numbers its tokens
        assertThat(Integer.parseInt(authorization.substring("Bearer token-".length()).replaceAll("\\..*", "")))
                .isGreaterThan(issuedBefore);
        for (String sku : skus) {
            assertThat(bolRequests(sku).get(0).header("Authorization")).as("the same token for every SKU").isEqualTo(authorization);
        }
    }

    @Test
    void theBolContractCheckCatchesARequestThatBreaksTheSpec() {
        ChannelStub.Request wrongMediaType = new ChannelStub.Request("PATCH",
                "/retailer/offers/9b4ce5a0-7f3c-4bd0-8b0c-2d1f0a6a1f11",
                Map.of("content-type", "application/json", "authorization", "Bearer x"),
                "{\"stock\":{\"amount\":1,\"managedByRetailer\":true}}", 0);
        ChannelStub.Request wrongBody = new ChannelStub.Request("PATCH",
                "/retailer/offers/9b4ce5a0-7f3c-4bd0-8b0c-2d1f0a6a1f11",
                Map.of("content-type", "application/vnd.retailer.v11+json", "authorization", "Bearer x"),
                "{\"stock\":{\"amount\":\"many\"}}", 0);
        ChannelStub.Request notAnOfferId = new ChannelStub.Request("PATCH", "/retailer/offers/ABC",
                Map.of("content-type", "application/vnd.retailer.v11+json", "authorization", "Bearer x"),
                "{\"stock\":{\"amount\":1,\"managedByRetailer\":true}}", 0);

        assertThat(BolContract.violations(wrongMediaType)).isNotEmpty();
        assertThat(BolContract.violations(wrongBody)).isNotEmpty();
        assertThat(BolContract.violations(notAnOfferId)).isNotEmpty();
    }

    private static String shopBody(String sku, int quantity) {
        return "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}";
    }

    private static String stamped(String sku, int quantity, String timestamp) {
        return "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + ",\"timestamp\":\"" + timestamp + "\"}";
    }

    private static String warehouse(String sku, int quantity, String warehouse, long sequence) {
        return "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + ",\"warehouse\":\"" + warehouse
                + "\",\"sequence\":" + sequence + "}";
    }
}
