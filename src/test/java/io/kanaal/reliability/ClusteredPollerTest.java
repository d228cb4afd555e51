package io.kanaal.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.StandaloneKanaal;
import io.kanaal.support.TestData;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Two Kanaal instances with the {@code cluster} profile on one PostgreSQL, both with the same channel polling
 * for orders every second: the channel sees one poll a second, not one per instance; when the instance that
 * polled stops, the other one polls on. (Without the profile, two Kanaal instances in one JVM would not show the
 * contrast: camel-quartz's own in-memory scheduler is named after the Camel context, kanaal, and Quartz hands both
 * instances the same JVM-wide scheduler; so this test does not show the contrast.) The stock reconciliation, set
 * to run every second here, is a Quartz trigger too: it also runs once a second in total, on one instance at a time.
 */
class ClusteredPollerTest {

    private static final ChannelStub SHOP = new ChannelStub();
    private static final Duration WINDOW = Duration.ofSeconds(8);
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = TestData.postgres("cluster-postgres");
    }

    @AfterAll
    static void stop() throws Exception {
        SHOP.close();
        postgres.close();
    }

    @Test
    void eachPollRunsOnOneInstanceAndMovesToTheOtherWhenItsInstanceStops() throws Exception {
        SHOP.always("/shop/orders", Reply.of(200, "[]"));
        ConfigurableApplicationContext a = start("cluster-a", 121);
        ConfigurableApplicationContext b = start("cluster-b", 122);
        try {
            assertThat(scheduler(a).getMetaData().isJobStoreClustered()).isTrue();
            // the scheduler stops before the database pool closes (QuartzShutdownOrder): without it, a stopping
            // instance could leave its acquired trigger behind and the other waited as if it had crashed
            assertThat(a.getBeanFactory().getBeanDefinition("quartzScheduler").getDependsOn()).contains("dataSource");
            assertThat(scheduler(b).getSchedulerInstanceId()).isNotEqualTo(scheduler(a).getSchedulerInstanceId());
            long[] before = {jobsExecuted(a), jobsExecuted(b)};
            long reconcilesBefore = reconciles(a) + reconciles(b);
            int together = pollsDuring(WINDOW);
            long byA = jobsExecuted(a) - before[0];
            long byB = jobsExecuted(b) - before[1];
            long reconcilesTogether = reconciles(a) + reconciles(b) - reconcilesBefore;
            System.out.printf("both running: %d polls in %s (a ran %d jobs, b ran %d); %d reconciliations%n", together, WINDOW,
                    byA, byB, reconcilesTogether);
            // one poll a second in total (a cron of every second), not one per instance (about 16)
            assertThat(together).as("polls in %s by both instances (a: %d, b: %d)", WINDOW, byA, byB).isBetween(5, 11);
            // the same for the reconciliation (about 16 if each instance ran its own); the count runs a little
            // past the window, until the first poll after it
            assertThat(reconcilesTogether).as("stock reconciliations in about %s by both instances", WINDOW).isBetween(5L, 12L);

            ConfigurableApplicationContext polling = byA >= byB ? a : b;
            ConfigurableApplicationContext other = polling == a ? b : a;
            long otherBefore = jobsExecuted(other);
            long otherReconcilesBefore = reconciles(other);
            quartzConnectsThrough(other);
            long closed = System.nanoTime();
            polling.close();
            long stopped = System.nanoTime();
            int alone = pollsDuring(WINDOW);
            long first = polls().stream().mapToLong(ChannelStub.Request::atNanos).filter(t -> t >= stopped).min().orElseThrow();
            System.out.printf("close took %d ms; first poll %d ms after; %d polls in %s%n", (stopped - closed) / 1_000_000,
                    (first - stopped) / 1_000_000, alone, WINDOW);
            assertThat(alone).as("polls in %s after the polling instance stopped", WINDOW).isBetween(5, 11);
            assertThat(jobsExecuted(other) - otherBefore).isGreaterThanOrEqualTo(alone);
            // whichever instance held the reconciliation's trigger, the one left runs it now
            assertThat(reconciles(other) - otherReconcilesBefore).as("stock reconciliations by the instance left").isGreaterThanOrEqualTo(5L);
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * Both instances run in this JVM, where Quartz keeps one connection provider per scheduler name
     * ({@code springTxDataSource.kanaal}, {@code springNonTxDataSource.kanaal}, registered by Spring's
     * LocalDataSourceJobStore): the instance started last registered its pool for both. When that instance
     * stopped, the other one's scheduler fired and checked in through the closed pool and never polled again
     * (no poll in the 23 s after the polling instance stopped, whenever the second one started was polling).
     * Before an instance stops, the other's pool is registered again, as it would be in a JVM of its own.
     */
    private static void quartzConnectsThrough(ConfigurableApplicationContext kanaal) {
        DataSource dataSource = kanaal.getBean(DataSource.class);
        DBConnectionManager.getInstance().addConnectionProvider("springTxDataSource.kanaal",
                provider(() -> DataSourceUtils.doGetConnection(dataSource)));
        DBConnectionManager.getInstance().addConnectionProvider("springNonTxDataSource.kanaal",
                provider(dataSource::getConnection));
    }

    private interface ConnectionSource {
        Connection get() throws SQLException;
    }

    private static ConnectionProvider provider(ConnectionSource source) {
        return new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return source.get();
            }

            @Override
            public void shutdown() {
            }

            @Override
            public void initialize() {
            }
        };
    }

    /** How many polls the channel receives in the next {@code window}: waits for the first poll after it. */
    private static int pollsDuring(Duration window) {
        long from = System.nanoTime();
        long to = from + window.toNanos();
        await().atMost(window.plusSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> polls().stream().anyMatch(r -> r.atNanos() >= to));
        return (int) polls().stream().filter(r -> r.atNanos() >= from && r.atNanos() < to).count();
    }

    private static List<ChannelStub.Request> polls() {
        return SHOP.requests("/shop/orders");
    }

    private static long jobsExecuted(ConfigurableApplicationContext kanaal) throws SchedulerException {
        return scheduler(kanaal).getMetaData().getNumberOfJobsExecuted();
    }

    /** How many times the instance ran the stock reconciliation (route stock-reconcile-timer). */
    private static long reconciles(ConfigurableApplicationContext kanaal) {
        Counter runs = kanaal.getBean(MeterRegistry.class).find("camel.exchanges.succeeded").tag("routeId", "stock-reconcile-timer").counter();
        return runs == null ? 0 : (long) runs.count();
    }

    /** The scheduler the quartz: endpoints run on. */
    private static Scheduler scheduler(ConfigurableApplicationContext kanaal) {
        return kanaal.getBean(CamelContext.class).getComponent("quartz", QuartzComponent.class).getScheduler();
    }

    private static ConfigurableApplicationContext start(String name, int serverId) {
        return StandaloneKanaal.start(name, serverId, "cluster-key", List.of(
                "--spring.profiles.active=cluster",
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + SHOP.baseUrl() + "/shop",
                "--kanaal.channels.shop.rate-limit=1000",
                "--kanaal.channels.shop.settings.poll-cron=0/1 * * * * ?",
                "--kanaal.stock.reconcile-every=1000"));
    }
}
