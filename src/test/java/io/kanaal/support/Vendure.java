package io.kanaal.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Vendure webshop (Vendure 3.7.3 from npm, SQLite through sql.js) on loopback, for end-to-end tests.
 *
 * <p>The Node project lives in {@code src/test/vendure} (package.json with exact versions and its lock
 * file). {@link #start()}:
 * <ol>
 *   <li>fails (never skips) unless {@code node} (20 or later) and {@code npm} are on the PATH;</li>
 *   <li>copies the project to {@code target/vendure/app} and runs {@code npm ci} there, once: again only when
 *       the lock file or package.json changes;</li>
 *   <li>seeds a database (populate.js: countries, zones, taxes, shipping and payment methods) once, cached as
 *       {@code target/vendure/seed/vendure.sqlite} until the Node project changes;</li>
 *   <li>gives the run a fresh copy of that database under {@code target/vendure/runs/}, starts server.js on a
 *       free port bound to 127.0.0.1 and waits (bounded) for {@code GET /health}.</li>
 * </ol>
 * {@link #stop()} (also {@link #close()} and a JVM shutdown hook) kills the server's process tree.
 *
 * <p>GraphQL helpers: {@link #adminApi} logs in as superadmin on first use and sends the
 * {@code vendure-auth-token} it got as a Bearer token; {@link #shopApi} does the same for one shop session;
 * {@link #newShopSession()} is another customer's session. Every call fails on GraphQL errors.
 */
public final class Vendure implements AutoCloseable {

    public static final String ADMIN_USERNAME = "superadmin";
    public static final String ADMIN_PASSWORD = "superadmin";
    public static final int MIN_NODE_MAJOR = 20;

    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration SEED_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final String TOKEN_HEADER = "vendure-auth-token";
    private static final List<String> PROJECT_FILES =
            List.of("package.json", "package-lock.json", "vendure-config.js", "populate.js", "server.js");
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path runDir;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Session admin;
    private final Session shop;

    private Vendure(Path runDir, int port, Process process) {
        this.runDir = runDir;
        this.port = port;
        this.process = process;
        this.admin = new Session("admin-api");
        this.shop = new Session("shop-api");
        this.shutdownHook = new Thread(this::killProcessTree, "vendure-kill-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Installs (once), seeds (once) and starts a Vendure with a fresh copy of the seeded database. */
    public static Vendure start() {
        return start(Path.of("src/test/vendure"), Path.of("target/vendure"));
    }

    /**
     * @param project the Node project (package.json, lock file, scripts)
     * @param work    where to install, seed and run (under {@code target/})
     */
    public static synchronized Vendure start(Path project, Path work) {
        Path source = project.toAbsolutePath();
        Path base = work.toAbsolutePath();
        requireNodeAndNpm();
        Path app = install(source, base.resolve("app"));
        Path seed = seed(app, base.resolve("seed"));
        Path runDir = base.resolve("runs").resolve(
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + RUNS.incrementAndGet());
        int port = LoopbackPorts.free();
        Process process;
        try {
            Files.createDirectories(runDir);
            Files.copy(seed, runDir.resolve("vendure.sqlite"), StandardCopyOption.REPLACE_EXISTING);
            process = nodeProcess(app, runDir, port, "server.js")
                    .redirectOutput(runDir.resolve("server.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Vendure in " + runDir, e);
        }
        Vendure vendure = new Vendure(runDir, port, process);
        try {
            timed("start (server.js until /health)", vendure::awaitHealthy);
        } catch (RuntimeException e) {
            vendure.stop();
            throw e;
        }
        return vendure;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String adminApiUrl() {
        return baseUrl() + "/admin-api";
    }

    public String shopApiUrl() {
        return baseUrl() + "/shop-api";
    }

    public int port() {
        return port;
    }

    /** The server's console output, for a failing test's diagnosis. */
    public Path log() {
        return runDir.resolve("server.log");
    }

    /** Kills the server and its child processes; waits until they are gone. Safe to call twice. */
    public void stop() {
        killProcessTree();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void killProcessTree() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy); // SIGTERM: server.js exits at once
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception notGone) {
                handle.destroyForcibly();
            }
        }
    }

    private void awaitHealthy() {
        HttpRequest health = HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        String[] last = {"no answer"};
        try {
            Awaitility.await("Vendure healthy at " + baseUrl() + "/health").atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("Vendure exited with " + process.exitValue()
                                    + " before it was healthy; " + tailOf(log()));
                        }
                        try {
                            HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
                            last[0] = "HTTP " + answer.statusCode() + " " + answer.body();
                            return answer.statusCode() == 200;
                        } catch (ConnectException notListeningYet) {
                            last[0] = "connection refused";
                        } catch (IOException e) {
                            last[0] = e.toString();
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("Vendure not healthy at " + baseUrl() + "/health within " + START_TIMEOUT
                    + " (last: " + last[0] + "); " + tailOf(log()), e);
        }
    }

    // ------------------------------------------------------------------------------------- install and seed

    /** Fails, with what to install, unless node 20+ and npm are on the PATH. */
    static void requireNodeAndNpm() {
        String install = "The Vendure end-to-end tests need Node.js " + MIN_NODE_MAJOR + "+ and npm on the PATH"
                + " (e.g. apt-get install nodejs npm, or see .ci/run, which installs them).";
        for (String tool : List.of("node", "npm")) {
            if (onPath(tool).isEmpty()) {
                throw new IllegalStateException("'" + tool + "' is not on the PATH. " + install);
            }
        }
        String version = run(List.of("node", "--version"), Path.of("."), Duration.ofSeconds(30)).trim();
        int major;
        try {
            major = Integer.parseInt(version.replaceFirst("^v", "").split("\\.")[0]);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("cannot read the Node.js version from '" + version + "'. " + install);
        }
        if (major < MIN_NODE_MAJOR) {
            throw new IllegalStateException("Node.js " + version + " is too old (Debian 12's nodejs package is 18;"
                    + " .ci/run then takes Node.js 20 from the npm registry). " + install);
        }
    }

    /** Copies the Node project into {@code app} and runs npm ci there unless the same lock is installed. */
    private static Path install(Path source, Path app) {
        try {
            Files.createDirectories(app);
            for (String file : PROJECT_FILES) {
                Files.copy(source.resolve(file), app.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
            String lock = digest(source, List.of("package.json", "package-lock.json"));
            Path stamp = app.resolve(".installed");
            if (Files.isDirectory(app.resolve("node_modules/@vendure/core"))
                    && Files.isRegularFile(stamp) && Files.readString(stamp).equals(lock)) {
                return app;
            }
            Files.deleteIfExists(stamp);
            timed("npm ci", () -> runLogged(List.of("npm", "ci", "--no-audit", "--no-fund"), app,
                    Map.of(), app.resolve("npm-ci.log"), NPM_CI_TIMEOUT));
            Files.writeString(stamp, lock);
            return app;
        } catch (IOException e) {
            throw new UncheckedIOException("could not install the Vendure project in " + app, e);
        }
    }

    /**
     * The seeded database for the installed project: made by populate.js in an empty directory, kept in
     * {@code seedDir} with the digest of the project it was made with.
     */
    private static Path seed(Path app, Path seedDir) {
        try {
            String key = digest(app, PROJECT_FILES);
            Path database = seedDir.resolve("vendure.sqlite");
            Path stamp = seedDir.resolve(".seeded");
            if (Files.isRegularFile(database) && Files.isRegularFile(stamp) && Files.readString(stamp).equals(key)) {
                return database;
            }
            Path fresh = seedDir.resolveSibling("seed-in-progress");
            deleteTree(fresh);
            Files.createDirectories(fresh);
            timed("seed (populate.js)", () -> {
                ProcessBuilder populate = nodeProcess(app, fresh, LoopbackPorts.free(), "populate.js");
                runLogged(populate.command(), app, populate.environment(), fresh.resolve("populate.log"), SEED_TIMEOUT);
            });
            deleteTree(seedDir);
            Files.move(fresh, seedDir);
            Files.writeString(stamp, key);
            return database;
        } catch (IOException e) {
            throw new UncheckedIOException("could not seed Vendure in " + seedDir, e);
        }
    }

    private static ProcessBuilder nodeProcess(Path app, Path dataDir, int port, String script) {
        ProcessBuilder builder = new ProcessBuilder("node", script).directory(app.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("VENDURE_PORT", Integer.toString(port));
        env.put("VENDURE_DATA_DIR", dataDir.toString());
        env.put("VENDURE_DISABLE_TELEMETRY", "true");
        return builder;
    }

    /** Runs a command to completion, its output to {@code logFile}; fails with the log's tail. */
    private static void runLogged(List<String> command, Path dir, Map<String, String> env, Path logFile,
                                  Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(logFile.toFile());
        builder.environment().putAll(env);
        finish(builder, command, timeout, () -> tailOf(logFile));
    }

    /** Runs a short command and returns its output. */
    private static String run(List<String> command, Path dir, Duration timeout) {
        try {
            File out = File.createTempFile("vendure-cmd", ".out");
            out.deleteOnExit();
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(out);
            finish(builder, command, timeout, () -> tailOf(out.toPath()));
            return Files.readString(out.toPath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void finish(ProcessBuilder builder, List<String> command, Duration timeout,
                               Supplier<String> output) {
        try {
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + "; " + output.get());
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with exit code "
                        + process.exitValue() + "; " + output.get());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    private static void timed(String what, Runnable step) {
        long started = System.nanoTime();
        step.run();
        System.out.printf("[vendure] %s took %.1f s%n", what, (System.nanoTime() - started) / 1e9);
    }

    // ------------------------------------------------------------------------------------------- GraphQL

    /** An Admin API call as superadmin (logged in on first use); returns {@code data}. */
    public JsonNode adminApi(String query, Map<String, ?> variables) {
        synchronized (admin) {
            if (admin.token == null) {
                JsonNode login = admin.call("mutation($u: String!, $p: String!) { login(username: $u, password: $p) {"
                        + " ... on CurrentUser { id } ... on ErrorResult { errorCode message } } }",
                        Map.of("u", ADMIN_USERNAME, "p", ADMIN_PASSWORD));
                if (!login.path("login").has("id") || admin.token == null) {
                    throw new IllegalStateException("admin login failed: " + login);
                }
            }
            return admin.call(query, variables);
        }
    }

    public JsonNode adminApi(String query) {
        return adminApi(query, Map.of());
    }

    /** A Shop API call in this handle's shop session (a guest until someone logs in); returns {@code data}. */
    public JsonNode shopApi(String query, Map<String, ?> variables) {
        synchronized (shop) {
            return shop.call(query, variables);
        }
    }

    public JsonNode shopApi(String query) {
        return shopApi(query, Map.of());
    }

    /** A new Shop API session: another guest with an order of its own. Not thread-safe. */
    public Session newShopSession() {
        return new Session("shop-api");
    }

    /** A new Shop API session of a shopper who reads the shop in this language ({@code ?languageCode=nl}). */
    public Session newShopSession(String languageCode) {
        return new Session("shop-api?languageCode=" + languageCode);
    }

    /** One API's session: the token Vendure handed out last is sent with every call. */
    public final class Session {
        private final URI endpoint;
        private volatile String token;

        private Session(String api) {
            this.endpoint = URI.create(baseUrl() + "/" + api);
        }

        /** Runs a query or mutation; returns {@code data}; fails on HTTP or GraphQL errors. */
        public JsonNode call(String query, Map<String, ?> variables) {
            ObjectNode body = JSON.createObjectNode();
            body.put("query", query);
            body.set("variables", JSON.valueToTree(variables));
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(CALL_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException("POST " + endpoint + " failed; " + tailOf(log()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted calling " + endpoint, e);
            }
            response.headers().firstValue(TOKEN_HEADER).ifPresent(t -> token = t);
            JsonNode answer;
            try {
                answer = JSON.readTree(response.body());
            } catch (IOException e) {
                throw new IllegalStateException("POST " + endpoint + ": HTTP " + response.statusCode()
                        + ", not JSON: " + response.body(), e);
            }
            if (response.statusCode() != 200 || answer.hasNonNull("errors")) {
                throw new IllegalStateException("POST " + endpoint + ": HTTP " + response.statusCode()
                        + ", " + answer.path("errors") + "\nquery: " + query + "\nvariables: " + variables);
            }
            return answer.path("data");
        }

        public JsonNode call(String query) {
            return call(query, Map.of());
        }

        public Optional<String> token() {
            return Optional.ofNullable(token);
        }
    }

    // ------------------------------------------------------------------------ shop operations for e2e tests

    /** Creates a product with one variant (Admin API); returns the variant's id. */
    public String createProductWithVariant(String sku, int priceCents, int stockOnHand) {
        String slug = "kanaal-" + sku.toLowerCase().replaceAll("[^a-z0-9]+", "-");
        JsonNode product = adminApi("mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
                Map.of("input", Map.of("translations", List.of(Map.of(
                        "languageCode", "en", "name", "Product " + sku, "slug", slug, "description", "")))));
        String productId = product.path("createProduct").path("id").asText();
        JsonNode variants = adminApi("mutation($input: [CreateProductVariantInput!]!) {"
                        + " createProductVariants(input: $input) { id sku } }",
                Map.of("input", List.of(Map.of(
                        "productId", productId, "sku", sku, "price", priceCents, "stockOnHand", stockOnHand,
                        "translations", List.of(Map.of("languageCode", "en", "name", "Variant " + sku))))));
        return variants.path("createProductVariants").path(0).path("id").asText();
    }

    /** A variant's stock as the Admin API shows it. */
    public record VariantStock(String id, String sku, int stockOnHand, int stockAllocated) {
    }

    /** The variant with this SKU, if any. */
    public Optional<VariantStock> variant(String sku) {
        JsonNode items = adminApi("query($sku: String!) { productVariants(options: { filter: { sku: { eq: $sku } } }) {"
                + " items { id sku stockOnHand stockAllocated } } }", Map.of("sku", sku))
                .path("productVariants").path("items");
        for (JsonNode item : items) {
            if (sku.equals(item.path("sku").asText())) {
                return Optional.of(new VariantStock(item.path("id").asText(), sku,
                        item.path("stockOnHand").asInt(), item.path("stockAllocated").asInt()));
            }
        }
        return Optional.empty();
    }

    /** An order placed through the Shop API. */
    public record PlacedOrder(String id, String code) {
    }

    /**
     * A guest checkout in a new Shop API session, as a storefront does it: item, customer, shipping address,
     * the first eligible shipping method, ArrangingPayment, then payment with the dummy handler
     * ({@code standard-payment}, which authorizes). The order ends in PaymentAuthorized.
     */
    public PlacedOrder placeGuestOrder(String variantId, int quantity) {
        Session guest = newShopSession();
        JsonNode added = guest.call("mutation($id: ID!, $qty: Int!) { addItemToOrder(productVariantId: $id, quantity: $qty) {"
                + " ... on Order { id code } ... on ErrorResult { errorCode message } } }",
                Map.of("id", variantId, "qty", quantity)).path("addItemToOrder");
        requireOrder("addItemToOrder", added);
        requireOrder("setCustomerForOrder", guest.call("mutation($input: CreateCustomerInput!) {"
                        + " setCustomerForOrder(input: $input) { ... on Order { id } ... on ErrorResult { errorCode message } } }",
                Map.of("input", Map.of("emailAddress", "guest-" + added.path("code").asText().toLowerCase()
                        + "@example.com", "firstName", "Jan", "lastName", "Jansen"))).path("setCustomerForOrder"));
        requireOrder("setOrderShippingAddress", guest.call("mutation($input: CreateAddressInput!) {"
                        + " setOrderShippingAddress(input: $input) { ... on Order { id } ... on ErrorResult { errorCode message } } }",
                Map.of("input", Map.of("fullName", "Jan Jansen", "streetLine1", "Damrak 1", "city", "Amsterdam",
                        "postalCode", "1012LG", "countryCode", "NL"))).path("setOrderShippingAddress"));
        JsonNode methods = guest.call("{ eligibleShippingMethods { id } }").path("eligibleShippingMethods");
        if (methods.isEmpty()) {
            throw new IllegalStateException("no eligible shipping method for the guest order " + added);
        }
        requireOrder("setOrderShippingMethod", guest.call("mutation($ids: [ID!]!) { setOrderShippingMethod(shippingMethodId: $ids) {"
                        + " ... on Order { id } ... on ErrorResult { errorCode message } } }",
                Map.of("ids", List.of(methods.path(0).path("id").asText()))).path("setOrderShippingMethod"));
        requireOrder("transitionOrderToState", guest.call("mutation { transitionOrderToState(state: \"ArrangingPayment\") {"
                + " ... on Order { id } ... on OrderStateTransitionError { errorCode message transitionError } } }")
                .path("transitionOrderToState"));
        requireOrder("addPaymentToOrder", guest.call("mutation { addPaymentToOrder(input: { method: \"standard-payment\", metadata: {} }) {"
                + " ... on Order { id } ... on ErrorResult { errorCode message } } }").path("addPaymentToOrder"));
        return new PlacedOrder(added.path("id").asText(), added.path("code").asText());
    }

    private static void requireOrder(String mutation, JsonNode result) {
        if (!result.has("id")) {
            throw new IllegalStateException(mutation + " did not return an order: " + result);
        }
    }

    /** Settles the order's authorized payments (Admin API), as a shop does when the money has arrived. */
    public void settlePayment(String orderId) {
        JsonNode payments = adminApi("query($id: ID!) { order(id: $id) { payments { id state } } }",
                Map.of("id", orderId)).path("order").path("payments");
        if (payments.isEmpty()) {
            throw new IllegalStateException("order " + orderId + " has no payment to settle");
        }
        for (JsonNode payment : payments) {
            if (!"Authorized".equals(payment.path("state").asText())) {
                continue;
            }
            JsonNode settled = adminApi("mutation($id: ID!) { settlePayment(id: $id) {"
                    + " ... on Payment { id state } ... on ErrorResult { errorCode message } } }",
                    Map.of("id", payment.path("id").asText())).path("settlePayment");
            if (!"Settled".equals(settled.path("state").asText())) {
                throw new IllegalStateException("settlePayment of order " + orderId + " failed: " + settled);
            }
        }
    }

    /** An order line as the Admin API shows it. */
    public record OrderLine(String id, String sku, int quantity) {
    }

    /** A fulfillment as the Admin API shows it. */
    public record Fulfillment(String id, String state, String method, String trackingCode) {
    }

    /** An order as the Admin API shows it. */
    public record Order(String id, String code, String state, List<OrderLine> lines, List<Fulfillment> fulfillments) {
    }

    /** The order with this id (Admin API), if any. */
    public Optional<Order> order(String id) {
        JsonNode order = adminApi("query($id: ID!) { order(id: $id) { id code state"
                + " lines { id quantity productVariant { sku } } fulfillments { id state method trackingCode } } }",
                Map.of("id", id)).path("order");
        if (order.isNull() || order.isMissingNode()) {
            return Optional.empty();
        }
        List<OrderLine> lines = new ArrayList<>();
        order.path("lines").forEach(l -> lines.add(new OrderLine(l.path("id").asText(),
                l.path("productVariant").path("sku").asText(), l.path("quantity").asInt())));
        List<Fulfillment> fulfillments = new ArrayList<>();
        order.path("fulfillments").forEach(f -> fulfillments.add(new Fulfillment(f.path("id").asText(),
                f.path("state").asText(), f.path("method").asText(null), f.path("trackingCode").asText(null))));
        return Optional.of(new Order(order.path("id").asText(), order.path("code").asText(),
                order.path("state").asText(), List.copyOf(lines), List.copyOf(fulfillments)));
    }

    // ----------------------------------------------------------------------------------------------- helpers

    private static Optional<Path> onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, command))
                .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                .findFirst();
    }

    private static String digest(Path dir, List<String> files) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String file : files) {
                sha.update(file.getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(dir.resolve(file)));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tailOf(Path log) {
        try {
            if (!Files.isRegularFile(log)) {
                return "no log at " + log;
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "last lines of " + log + ":\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "could not read " + log + ": " + e;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }
}
