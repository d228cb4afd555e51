package io.kanaal.console;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The ops console's users ({@code kanaal.console}).
 *
 * @param users user name to user. The password hash (bcrypt) comes from the environment, e.g.
 *              {@code KANAAL_CONSOLE_USERS_ALICE_PASSWORDHASH='$2a$10$...'} and {@code KANAAL_CONSOLE_USERS_ALICE_ROLES=operator};
 *              never in committed files. A user whose hash is empty (an unset variable) cannot sign in.
 */
@ConfigurationProperties("kanaal.console")
public record ConsoleProperties(Map<String, User> users) {

    /** What a user may do: {@code viewer} reads every page; {@code operator} also replays and discards dead letters. */
    public static final Set<String> ROLES = Set.of("viewer", "operator");

    public ConsoleProperties {
        users = users == null ? Map.of() : Map.copyOf(users);
        users.forEach((name, user) -> {
            if (user.roles().isEmpty() || !ROLES.containsAll(user.roles())) {
                throw new IllegalArgumentException("kanaal.console.users." + name + ".roles must be viewer or operator, not "
                        + user.roles());
            }
        });
    }

    /**
     * @param passwordHash the password's bcrypt hash ({@code $2a$...}, {@code $2b$...} or {@code $2y$...})
     * @param roles        {@code viewer} or {@code operator} (an operator is a viewer too)
     */
    public record User(String passwordHash, List<String> roles) {
        public User {
            roles = roles == null ? List.of() : roles.stream().map(String::strip).toList();
        }
    }
}
