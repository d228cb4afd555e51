package io.kanaal.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster of {@code scripts/cluster/cluster.sh} (an Artemis primary/backup pair, PostgreSQL, Kanaal instances of
 * the jar with the {@code cluster} profile) as a test or benchmark runs it: in a work directory of its own, on ports
 * of its own, with secrets it makes up, and the channels in a YAML file ({@code channels.yaml} in the directory).
 * Each command's output goes to {@code harness.log} there.
 */
public final class ClusterHarness {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    private final Path dir;
    private final int instances;
    private final int httpPort;
    private final int managementPort;
    private final int primaryPort;
    private final int backupPort;
    private final int postgresPort;
    private final Map<String, String> environment = new LinkedHashMap<>();

    /** The loopback ports: instance N's HTTP on {@code http} + N − 1, its actuator on {@code management} + N − 1. */
    public record Ports(int http, int management, int primary, int backup, int postgres) {
    }

    /** @param directory under {@code target/}; emptied by {@link #fresh(String)} */
    public ClusterHarness(String directory, int instances, Ports ports) {
        this.dir = ROOT.resolve("target").resolve(directory);
        this.instances = instances;
        this.httpPort = ports.http();
        this.managementPort = ports.management();
        this.primaryPort = ports.primary();
        this.backupPort = ports.backup();
        this.postgresPort = ports.postgres();
        environment.put("KANAAL_DB_PASSWORD", UUID.randomUUID().toString());
        environment.put("KANAAL_BROKER_PASSWORD", UUID.randomUUID().toString());
        environment.put("KANAAL_API_KEYS_ERP", "erp-" + UUID.randomUUID());
        environment.put("KANAAL_API_OPSKEYS_OPS", "ops-" + UUID.randomUUID());
    }

    /** An empty work directory with the instances' extra settings (channels) in it. */
    public ClusterHarness fresh(String channelsYaml) throws Exception {
        run(Duration.ofMinutes(1), List.of("bash", "-c", "rm -rf '" + dir + "'"));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("channels.yaml"), channelsYaml);
        return this;
    }

    /** An environment variable for the script (e.g. {@code KANAAL_CLUSTER_JAVA_OPTS}). */
    public ClusterHarness with(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Runs {@code cluster.sh <arguments>} (up, down, kill-kanaal 2, …); fails when it fails or overruns. */
    public void script(Duration timeout, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("scripts/cluster/cluster.sh").toString()));
        command.addAll(List.of(arguments));
        run(timeout, command);
    }

    public String brokerUrl() {
        return "(tcp://127.0.0.1:" + primaryPort + ",tcp://127.0.0.1:" + backupPort + ")?ha=true&reconnectAttempts=-1"
                + "&retryInterval=500&maxRetryInterval=5000";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/kanaal";
    }

    /** Instance n's (1..) HTTP port. */
    public int httpPort(int n) {
        return httpPort + n - 1;
    }

    /** Instance n's (1..) actuator port. */
    public int managementPort(int n) {
        return managementPort + n - 1;
    }

    public int primaryPort() {
        return primaryPort;
    }

    public int backupPort() {
        return backupPort;
    }

    public String brokerUser() {
        return "kanaal";
    }

    public String brokerPassword() {
        return environment.get("KANAAL_BROKER_PASSWORD");
    }

    public String databaseUser() {
        return "kanaal";
    }

    public String databasePassword() {
        return environment.get("KANAAL_DB_PASSWORD");
    }

    public String erpKey() {
        return environment.get("KANAAL_API_KEYS_ERP");
    }

    public String opsKey() {
        return environment.get("KANAAL_API_OPSKEYS_OPS");
    }

    public Path directory() {
        return dir;
    }

    /** An order webhook's signature header value: {@code sha256=<hex HMAC-SHA256 of the body>}. */
    public static String signature(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolve("harness.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("KANAAL_CLUSTER_DIR", dir.toString());
        env.put("KANAAL_CLUSTER_INSTANCES", Integer.toString(instances));
        env.put("KANAAL_CLUSTER_HTTP_PORT", Integer.toString(httpPort));
        env.put("KANAAL_CLUSTER_MANAGEMENT_PORT", Integer.toString(managementPort));
        env.put("KANAAL_CLUSTER_ARTEMIS_PRIMARY_PORT", Integer.toString(primaryPort));
        env.put("KANAAL_CLUSTER_ARTEMIS_BACKUP_PORT", Integer.toString(backupPort));
        env.put("KANAAL_CLUSTER_PG_PORT", Integer.toString(postgresPort));
        env.put("KANAAL_CLUSTER_CONFIG", dir.resolve("channels.yaml").toString());
        env.putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeout + "; see " + log);
        }
        if (process.exitValue() != 0) {
            String story = failureStory(log);
            System.err.println(story);
            throw new AssertionError(command + " failed (" + process.exitValue() + "); see " + log + " and "
                    + dir.resolve("logs") + "\n" + story);
        }
    }

    /**
     * What a failed command left to read, for a CI log that keeps nothing else: the end of {@code harness.log} and
     * the end of each log file its last {@code ERROR:} line names.
     */
    private static String failureStory(Path log) {
        StringBuilder story = new StringBuilder();
        List<String> lines = tail(log, 40);
        story.append("---- the end of ").append(log).append('\n');
        lines.forEach(line -> story.append(line).append('\n'));
        lines.stream().filter(line -> line.contains("ERROR:")).reduce((first, second) -> second).ifPresent(error -> {
            Matcher named = Pattern.compile("(/\\S+?\\.log)\\b").matcher(error);
            while (named.find()) {
                Path file = Path.of(named.group(1));
                story.append("---- the end of ").append(file).append('\n');
                tail(file, 40).forEach(line -> story.append(line).append('\n'));
            }
        });
        return story.toString();
    }

    private static List<String> tail(Path file, int count) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - count), lines.size());
        } catch (IOException | RuntimeException e) {
            return List.of("(not readable: " + e + ")");
        }
    }
}
