package io.kanaal.support;

import static org.awaitility.Awaitility.await;

import io.kanaal.KanaalApplication;
import jakarta.jms.JMSException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * Kanaal in a JVM of its own (the test classpath, {@link KanaalApplication}'s main, this working directory), so
 * that a test can kill it with SIGKILL: on 127.0.0.1, HTTP on a free port, its embedded broker reachable on
 * {@code brokerPort}; its output goes to a log file. The test adds the rest as {@code --key=value} arguments.
 */
public final class ForkedKanaal {

    /** Kanaal's own broker password, for a forked Kanaal whose embedded broker the test browses. */
    private static final String BROKER_PASSWORD = "forked-" + java.util.UUID.randomUUID();

    private final Process process;
    private final int httpPort;
    private final int brokerPort;
    private final int managementPort;

    private ForkedKanaal(Process process, int httpPort, int brokerPort, int managementPort) {
        this.process = process;
        this.httpPort = httpPort;
        this.brokerPort = brokerPort;
        this.managementPort = managementPort;
    }

    public static ForkedKanaal start(Path log, int brokerPort, List<String> arguments) {
        int httpPort = LoopbackPorts.free();
        int managementPort = LoopbackPorts.free();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only and the serial collector: a JVM that starts faster on few cores (a test is no benchmark)
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), KanaalApplication.class.getName(),
                "--server.port=" + httpPort,
                "--management.server.port=" + managementPort,
                "--kanaal.broker.acceptor=tcp://127.0.0.1:" + brokerPort));
        if (arguments.stream().noneMatch(a -> a.startsWith("--spring.artemis.password="))) {
            // the embedded broker with an acceptor requires logins (BrokerUsers): Kanaal's own user
            command.add("--spring.artemis.password=" + BROKER_PASSWORD);
        }
        command.addAll(arguments);
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ForkedKanaal(process, httpPort, brokerPort, managementPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9 of Kanaal's JVM; returns once it is gone. */
    public void kill() {
        process.destroyForcibly();
        await().atMost(Duration.ofSeconds(20)).until(() -> !process.isAlive());
    }

    /** SIGTERM: a graceful stop (SIGKILL if it takes longer than a minute). */
    public void stop() {
        process.destroy();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive());
        } finally {
            if (process.isAlive()) {
                kill();
            }
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /** A path on the actuator's own port (management.server.port). */
    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    /** Messages for the order on kanaal.orders.unified, browsed over this Kanaal's broker acceptor (0 while it is down). */
    public int unified(String orderRef) {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort
                + "?reconnectAttempts=0&initialConnectAttempts=1", "kanaal", BROKER_PASSWORD);
        try (factory) {
            return UnifiedQueue.copies(factory, orderRef);
        } catch (JMSException e) {
            return 0;
        }
    }
}
