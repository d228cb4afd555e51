package io.kanaal.support;

import java.util.UUID;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The console users of the tests' Kanaal: a viewer and an operator, with passwords made up per run. */
public final class ConsoleUsers {

    public static final String VIEWER = "vera";
    public static final String VIEWER_PASSWORD = "viewer-" + UUID.randomUUID();
    public static final String OPERATOR = "otto";
    public static final String OPERATOR_PASSWORD = "operator-" + UUID.randomUUID();
    // bcrypt at its lowest cost: the tests sign in often
    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(4);
    private static final String VIEWER_HASH = BCRYPT.encode(VIEWER_PASSWORD);
    private static final String OPERATOR_HASH = BCRYPT.encode(OPERATOR_PASSWORD);

    private ConsoleUsers() {
    }

    public static void register(DynamicPropertyRegistry registry) {
        registry.add("kanaal.console.users." + VIEWER + ".password-hash", () -> VIEWER_HASH);
        registry.add("kanaal.console.users." + VIEWER + ".roles", () -> "viewer");
        registry.add("kanaal.console.users." + OPERATOR + ".password-hash", () -> OPERATOR_HASH);
        registry.add("kanaal.console.users." + OPERATOR + ".roles", () -> "operator");
    }
}
