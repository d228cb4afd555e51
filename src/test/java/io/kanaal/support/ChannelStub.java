package io.kanaal.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A channel API on loopback for tests: records every request (its path with the query string, if any),
 * answers 204 unless told otherwise, and serves an OAuth2 client-credentials token endpoint at {@code /token}.
 * Answers can be scripted per path prefix, and a fake of the channel can {@link #serve} a prefix.
 */
public final class ChannelStub implements AutoCloseable {

    static {
        // without it the JDK server delays small responses by ~40 ms (Nagle + delayed ACK)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public record Request(String method, String path, Map<String, String> headers, String body, long atNanos) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }

        /** The path without its query string. */
        public String pathWithoutQuery() {
            int query = path.indexOf('?');
            return query < 0 ? path : path.substring(0, query);
        }

        /** The query string's parameters, decoded ({@link QueryString}); empty without one. */
        public Map<String, String> query() {
            int query = path.indexOf('?');
            return QueryString.parameters(query < 0 ? "" : path.substring(query + 1));
        }
    }

    /** A request and the status it was answered with. */
    private record Answered(Request request, int status) {
    }

    public record Reply(int status, Map<String, String> headers, String body) {
        public static Reply of(int status) {
            return new Reply(status, Map.of(), "");
        }

        public static Reply of(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> all = new TreeMap<>(headers);
            all.put(name, value);
            return new Reply(status, all, body);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Request> succeeded = new CopyOnWriteArrayList<>();
    private final List<Answered> answered = new CopyOnWriteArrayList<>();
    // reverse order: a longer path prefix comes before its own prefix, so the most specific one answers
    private final Map<String, Deque<Reply>> scripted = new TreeMap<>(Comparator.reverseOrder());
    private final Map<String, Reply> always = new TreeMap<>(Comparator.reverseOrder());
    private final Map<String, Function<Request, Reply>> served = new TreeMap<>(Comparator.reverseOrder());
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private Set<String> recordedClients;

    public ChannelStub() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next answers for requests whose path starts with the prefix, one each, then the usual answer. */
    public synchronized void script(String pathPrefix, Reply... replies) {
        scripted.computeIfAbsent(pathPrefix, p -> new ArrayDeque<>()).addAll(List.of(replies));
    }

    /** Every request whose path starts with the prefix gets this answer, until {@link #reset()}. */
    public synchronized void always(String pathPrefix, Reply reply) {
        always.put(pathPrefix, reply);
    }

    /** Requests whose path starts with the prefix get their usual answer again (scripted and always answers dropped). */
    public synchronized void answerAsUsual(String pathPrefix) {
        scripted.remove(pathPrefix);
        always.remove(pathPrefix);
    }

    /**
     * The usual answer for requests whose path starts with the prefix, computed by a fake of the channel
     * (the longest prefix wins); scripted and {@link #always} answers go first. Kept across {@link #reset()}.
     */
    public synchronized void serve(String pathPrefix, Function<Request, Reply> answer) {
        served.put(pathPrefix, answer);
    }

    /**
     * From now on only the requests of this OAuth2 client (its token requests, and calls with a token issued to it)
     * are recorded and get scripted answers; other clients' requests get the usual answer and are not recorded.
     * Several Kanaal contexts of the tests run at once against the same stub (each test class's own, kept by
     * Spring's context cache), each with pollers of its own: a test counts and scripts only its own Kanaal's calls.
     * Requests without a client (no token) are always recorded.
     */
    public synchronized void recordOnly(String... clients) {
        recordedClients = Set.of(clients);
    }

    /** The OAuth2 client a request comes from: its Basic credentials' id, or the client its bearer token was issued to. */
    private static String clientOf(Request request) {
        String authorization = request.header("Authorization");
        if (authorization == null) {
            return null;
        }
        if (authorization.startsWith("Basic ")) {
            String credentials = new String(java.util.Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            return credentials.contains(":") ? credentials.substring(0, credentials.indexOf(':')) : credentials;
        }
        int at = authorization.indexOf('.');
        return authorization.startsWith("Bearer token-") && at > 0 ? authorization.substring(at + 1) : null;
    }

    private synchronized boolean recorded(Request request) {
        String client = clientOf(request);
        return recordedClients == null || client == null || recordedClients.contains(client);
    }

    public synchronized void reset() {
        scripted.clear();
        always.clear();
        requests.clear();
        succeeded.clear();
        answered.clear();
        tokensIssued.set(0);
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    public List<Request> requests(String pathPrefix) {
        return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    /** The requests whose path starts with the prefix that this stub answered with a 2xx status, in order. */
    public List<Request> succeeded(String pathPrefix) {
        return succeeded.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    /** The requests whose path starts with the prefix that this stub answered with the status, in order. */
    public List<Request> answered(String pathPrefix, int status) {
        return answered.stream().filter(a -> a.status() == status && a.request().path().startsWith(pathPrefix))
                .map(Answered::request).toList();
    }

    public int tokensIssued() {
        return tokensIssued.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        String query = exchange.getRequestURI().getRawQuery();
        String path = exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
        Request request = new Request(exchange.getRequestMethod(), path, headers, body, System.nanoTime());
        boolean recorded = recorded(request);
        Reply reply = replyFor(request, recorded);
        if (recorded) {
            requests.add(request);
            answered.add(new Answered(request, reply.status()));
            if (reply.status() >= 200 && reply.status() < 300) {
                succeeded.add(request);
            }
        }
        byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
        exchange.close();
    }

    private Reply replyFor(Request request, boolean recorded) {
        Function<Request, Reply> fake;
        synchronized (this) {
            Reply reply = recorded ? scriptedOrAlways(request) : null;
            if (reply != null) {
                return reply;
            }
            fake = served.entrySet().stream().filter(e -> request.path().startsWith(e.getKey()))
                    .max(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.length(), b.length())))
                    .map(Map.Entry::getValue).orElse(null);
        }
        if (fake != null) {
            return fake.apply(request);
        }
        if (request.path().equals("/token")) {
            // the token names its client, so that the calls made with it are known to be that client's
            int n = recorded ? tokensIssued.incrementAndGet() : 0;
            String client = clientOf(request);
            return Reply.of(200, "{\"access_token\":\"token-" + n + (client == null ? "" : "." + client) + "\",\"token_type\":\"Bearer\",\"expires_in\":299,\"scope\":\"RETAILER\"}");
        }
        return Reply.of(204);
    }

    private Reply scriptedOrAlways(Request request) {
        for (Map.Entry<String, Deque<Reply>> entry : scripted.entrySet()) {
            if (request.path().startsWith(entry.getKey()) && !entry.getValue().isEmpty()) {
                return entry.getValue().poll();
            }
        }
        for (Map.Entry<String, Reply> entry : always.entrySet()) {
            if (request.path().startsWith(entry.getKey())) {
                return entry.getValue();
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
