package io.kanaal.support;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * A real, standalone Apache Artemis broker for tests: the distribution Maven unpacks into
 * {@code target/artemis} (system property {@code kanaal.test.artemis-home}), an instance created under
 * {@code target/} with {@code artemis create}, Kanaal's {@code config/artemis/broker.properties} in its
 * {@code etc/} (which {@code artemis run} applies on top of broker.xml), listening on 127.0.0.1 only, with
 * login required.
 *
 * <p>The broker runs as a child process of the test JVM ({@code bin/artemis run}, which execs the broker's
 * JVM, so the child is the broker itself). {@link #kill()} is {@code kill -9} of that process: no shutdown,
 * no journal flush beyond what the broker already synced. {@link #start()} runs it again on the same instance
 * and journal. Every wait is bounded.
 */
public final class StandaloneArtemis implements AutoCloseable {

    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(15);

    private final Path home;
    private final Path instance;
    private final int port;
    private final String user = "kanaal";
    private final String password = UUID.randomUUID().toString();
    private Process process;
    private int starts;

    private StandaloneArtemis(Path home, Path instance, int port) {
        this.home = home;
        this.instance = instance;
        this.port = port;
        // a broker must never outlive the test JVM, whatever happens to the test
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "standalone-artemis-kill"));
    }

    /**
     * Creates a broker instance in {@code directory} (a fresh journal) on a free loopback port, with Kanaal's
     * broker.properties. Does not start it.
     */
    public static StandaloneArtemis create(Path directory) {
        Path home = Path.of(System.getProperty("kanaal.test.artemis-home", "target/artemis/apache-artemis-2.40.0"))
                .toAbsolutePath();
        Path script = home.resolve("bin/artemis");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("No Artemis distribution at " + home
                    + ": Maven unpacks it in process-test-resources (maven-dependency-plugin, execution unpack-artemis)");
        }
        StandaloneArtemis broker = new StandaloneArtemis(home, directory.toAbsolutePath(), LoopbackPorts.free());
        broker.createInstance();
        return broker;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** The broker's own console output (all its runs), for a failing test's diagnosis. */
    public Path log() {
        return instance.resolve("log/test-console.log");
    }

    /** A JMS connection factory for the test itself (no reconnection: a failure is a failure). */
    public ActiveMQConnectionFactory connectionFactory() {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url(), user, password);
        factory.setCallTimeout(5_000);
        return factory;
    }

    /** Starts the broker and waits until it accepts logins on its port. */
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("broker already running (pid " + process.pid() + ")");
        }
        ProcessBuilder builder = new ProcessBuilder(instance.resolve("bin/artemis").toString(), "run")
                .directory(instance.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        // instead of the profile's -Xms512M -Xmx2G: tests share a small machine
        builder.environment().put("JAVA_ARGS", "-Xms64M -Xmx512M -XX:+UseSerialGC -Dlog4j2.disableJmx=true"
                + " --add-opens java.base/jdk.internal.misc=ALL-UNNAMED");
        try {
            Files.createDirectories(log().getParent());
            Files.writeString(log(), "==== start " + (++starts) + " ====\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process started = process;
        await("Artemis accepting logins on " + url() + " (see " + log() + ")")
                .atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .failFast("the broker process exited", () -> !started.isAlive())
                .ignoreExceptions()
                .until(this::acceptsLogin);
    }

    /** {@code kill -9} of the broker process; returns once the process is gone and its port is closed. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        Process killed = process;
        killed.destroyForcibly(); // SIGKILL on Unix
        try {
            if (!killed.waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("broker process " + killed.pid() + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        process = null;
        await("port " + port + " closed").atMost(KILL_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> !portOpen());
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process = null;
    }

    private void createInstance() {
        List<String> command = List.of(home.resolve("bin/artemis").toString(), "create", instance.toString(),
                "--silent", "--force", "--host", "127.0.0.1", "--default-port", Integer.toString(port),
                "--no-amqp-acceptor", "--no-mqtt-acceptor", "--no-stomp-acceptor", "--no-hornetq-acceptor",
                "--no-web", "--user", user, "--password", password, "--require-login", "--nio");
        try {
            Files.createDirectories(instance.getParent());
            File output = instance.resolveSibling(instance.getFileName() + "-create.log").toFile();
            Process create = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output).start();
            if (!create.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                create.destroyForcibly();
                throw new IllegalStateException("artemis create did not finish in " + CREATE_TIMEOUT);
            }
            if (create.exitValue() != 0) {
                throw new IllegalStateException("artemis create failed (" + create.exitValue() + "): "
                        + Files.readString(output.toPath()));
            }
            // artemis run applies etc/broker.properties (when present) on top of broker.xml
            Files.copy(Path.of("config/artemis/broker.properties"), instance.resolve("etc/broker.properties"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean acceptsLogin() throws Exception {
        if (!portOpen()) {
            return false;
        }
        try (ActiveMQConnectionFactory factory = connectionFactory();
             var connection = factory.createConnection()) {
            connection.start();
            return true;
        }
    }

    private boolean portOpen() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
