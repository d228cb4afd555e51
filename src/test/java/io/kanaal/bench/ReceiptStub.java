package io.kanaal.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A channel endpoint in the benchmark's own process: answers 204 at once and records, per update number
 * (the quantity in the body), when it first arrived, on the benchmark's clock.
 */
final class ReceiptStub implements AutoCloseable {

    private final HttpServer server;
    private volatile AtomicLongArray receivedAt = new AtomicLongArray(1);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong firstReceipts = new AtomicLong();

    ReceiptStub() throws IOException {
        server = serve(this::handle);
    }

    /** A channel's endpoint in the benchmark's process, on loopback: every path to the handler, 16 at a time. */
    static HttpServer serve(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", handler);
        server.start();
        return server;
    }

    static String baseUrl(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String baseUrl() {
        return baseUrl(server);
    }

    /** Starts a new phase with update numbers below {@code updates}. */
    void reset(int updates) {
        receivedAt = new AtomicLongArray(updates);
        requests.set(0);
    }

    long receivedAt(int update) {
        return receivedAt.get(update);
    }

    long requests() {
        return requests.get();
    }

    /** Updates that have arrived at least once, all phases together: cheap to poll while a phase drains. */
    long firstReceipts() {
        return firstReceipts.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        requests.incrementAndGet();
        String text = new String(body, StandardCharsets.UTF_8);
        AtomicLongArray times = receivedAt;
        // one update per call, or several (a channel with a batch path): every "quantity" in the body
        for (int from = 0; from >= 0; from = text.indexOf(QUANTITY, from + 1)) {
            int update = quantity(text, from);
            if (update >= 0 && update < times.length() && times.compareAndSet(update, 0, now)) {
                firstReceipts.incrementAndGet();
            }
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private static final String QUANTITY = "\"quantity\":";

    static int quantity(String body) {
        return quantity(body, 0);
    }

    /** The quantity of the first "quantity" at or after {@code from}; -1 when there is none. */
    static int quantity(String body, int from) {
        int at = body.indexOf(QUANTITY, from);
        if (at < 0) {
            return -1;
        }
        int start = at + QUANTITY.length();
        int end = start;
        while (end < body.length() && Character.isDigit(body.charAt(end))) {
            end++;
        }
        return end > start ? Integer.parseInt(body.substring(start, end)) : -1;
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
