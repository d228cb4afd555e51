package io.kanaal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.TestData;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * The embedded PostgreSQL asks every login for its password (SCRAM), kept in the data directory for Kanaal's OS
 * user only, and Kanaal's own connections are not the superuser's; a data directory of a Kanaal from before (no
 * passwords, its tables the superuser's) is locked and handed over at the next start.
 */
class EmbeddedPostgresLoginsTest extends KanaalIntegrationTest {

    @Autowired
    EmbeddedPostgres postgres;

    @Value("${kanaal.data-dir}")
    Path dataDir;

    @Test
    void kanaalConnectsAsItsOwnRoleAndEveryLoginNeedsItsPassword() throws Exception {
        assertThat(jdbc.queryForObject("SELECT current_user", String.class)).isEqualTo("kanaal");
        assertThat(jdbc.queryForObject("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user",
                Boolean.class)).as("Kanaal's role may make roles, databases or be superuser").isFalse();

        Path pgData = dataDir.resolve("postgres");
        for (String file : new String[] {".kanaal-db-password", ".kanaal-db-admin-password"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pgData.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
        String password = Files.readString(pgData.resolve(".kanaal-db-password")).trim();
        String admin = Files.readString(pgData.resolve(".kanaal-db-admin-password")).trim();

        assertThat(login("kanaal", password)).isTrue();
        assertThat(login("postgres", admin)).isTrue();
        assertThatThrownBy(() -> login("postgres", null)).as("the superuser without a password")
                .isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> login("postgres", password)).as("the superuser with Kanaal's password")
                .hasMessageContaining("password authentication failed");
        assertThatThrownBy(() -> login("kanaal", "guess")).hasMessageContaining("password authentication failed");
        assertThatThrownBy(() -> login("kanaal", null)).isInstanceOf(SQLException.class);
    }

    @Test
    void theDataDirectoryOfAnOlderKanaalIsLockedAndHandedToKanaalsRole() throws Exception {
        Path pgData = Path.of(TestData.directory("postgres-upgrade"));
        Files.createDirectories(pgData);
        // as Kanaal ran it before: trust, its tables the superuser's
        try (EmbeddedPostgres older = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "127.0.0.1").start();
             Connection connection = older.getPostgresDatabase().getConnection();
             Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE erp_stock_before (sku text PRIMARY KEY, quantity int)");
            sql.execute("CREATE TABLE numbered (id bigserial PRIMARY KEY)");
            sql.execute("INSERT INTO erp_stock_before VALUES ('A', 3)");
        }

        EmbeddedPostgresLogins logins = EmbeddedPostgresLogins.of(pgData);
        try (EmbeddedPostgres started = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setConnectConfig("password", logins.adminPassword()).start()) {
            logins.lock(started);
            String url = "jdbc:postgresql://127.0.0.1:" + started.getPort() + "/postgres";
            try (Connection kanaal = DriverManager.getConnection(url, "kanaal", logins.appPassword());
                 Statement sql = kanaal.createStatement()) {
                sql.execute("UPDATE erp_stock_before SET quantity = 4");
                sql.execute("INSERT INTO numbered DEFAULT VALUES");
                sql.execute("ALTER TABLE erp_stock_before ADD COLUMN warehouse text");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", null).close())
                    .isInstanceOf(SQLException.class);
        }
        assertThat(Files.readString(pgData.resolve("pg_hba.conf"))).doesNotContain("trust");
        // the next start reads the same passwords
        assertThat(EmbeddedPostgresLogins.of(pgData).appPassword()).isEqualTo(logins.appPassword());
    }

    private boolean login(String user, String password) throws SQLException {
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", user, password)) {
            return connection.isValid(5);
        }
    }
}
