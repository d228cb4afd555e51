package io.kanaal.config;

import java.util.Optional;
import java.util.Set;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.springframework.core.env.Environment;

/**
 * Who may log in to the embedded broker once it accepts connections from outside this JVM
 * ({@code kanaal.broker.acceptor} set): Artemis' own security, on, with two users from the environment. Without
 * an acceptor only Kanaal itself reaches the broker (in-VM) and its security stays off.
 *
 * <ul>
 *   <li>Kanaal's application user, {@code spring.artemis.user} ({@code kanaal}) with {@code spring.artemis.password}
 *       ({@code KANAAL_BROKER_PASSWORD}): every right on every address; Kanaal's own in-VM connections log in as
 *       it too. Required: Kanaal does not start with an acceptor and no password, and says so.</li>
 *   <li>The ERP's user, {@code kanaal.broker.erp-user} ({@code erp}) with {@code kanaal.broker.erp-password}
 *       ({@code KANAAL_BROKER_ERP_PASSWORD}): may only consume (and browse) {@value #ERP_QUEUE}; refused anything
 *       else. No ERP user without a password.</li>
 * </ul>
 *
 * Any other user, or a wrong password, is refused at login. The rights are Artemis security settings (the most
 * specific match wins): {@code #} for Kanaal's role, {@value #ERP_QUEUE} for both roles.
 */
record BrokerUsers(boolean secured, String kanaalUser, String kanaalPassword, String erpUser, String erpPassword) {

    static final String ERP_QUEUE = "kanaal.orders.unified";
    static final String KANAAL_ROLE = "kanaal";
    static final String ERP_ROLE = "erp";

    static BrokerUsers of(Environment environment) {
        boolean secured = !environment.getProperty("kanaal.broker.acceptor", "").isBlank()
                && environment.getProperty("spring.artemis.embedded.enabled", Boolean.class, true);
        BrokerUsers users = new BrokerUsers(secured,
                environment.getProperty("spring.artemis.user", "kanaal"),
                environment.getProperty("spring.artemis.password", ""),
                environment.getProperty("kanaal.broker.erp-user", "erp"),
                environment.getProperty("kanaal.broker.erp-password", ""));
        if (secured && (users.kanaalUser.isBlank() || users.kanaalPassword.isBlank())) {
            throw new IllegalStateException("kanaal.broker.acceptor is set, so the broker requires a login: set "
                    + "spring.artemis.user and spring.artemis.password (KANAAL_BROKER_PASSWORD) for Kanaal's own user");
        }
        if (secured && users.erpUser.equals(users.kanaalUser)) {
            throw new IllegalStateException("kanaal.broker.erp-user must differ from spring.artemis.user ('"
                    + users.kanaalUser + "')");
        }
        return users;
    }

    @Override
    public String toString() {
        return "BrokerUsers[secured=" + secured + ", kanaalUser=" + kanaalUser + ", erpUser=" + erpUser + "]";
    }

    /** Turns Artemis' security on with the roles' rights, when the broker accepts outside connections. */
    void secure(Configuration configuration) {
        configuration.setSecurityEnabled(secured);
        if (!secured) {
            return;
        }
        Role kanaal = new Role(KANAAL_ROLE, true, true, true, true, true, true, true, true, true, true, true, true);
        Role erp = new Role(ERP_ROLE, false, true, false, false, false, false, false, true, false, false, false, false);
        configuration.putSecurityRoles("#", Set.of(kanaal));
        configuration.putSecurityRoles(ERP_QUEUE, Set.of(kanaal, erp));
    }

    /** Artemis' JAAS security manager with the two users in memory; empty while security is off. */
    Optional<ActiveMQJAASSecurityManager> securityManager() {
        if (!secured) {
            return Optional.empty();
        }
        SecurityConfiguration logins = new SecurityConfiguration();
        logins.addUser(kanaalUser, kanaalPassword);
        logins.addRole(kanaalUser, KANAAL_ROLE);
        if (!erpUser.isBlank() && !erpPassword.isBlank()) {
            logins.addUser(erpUser, erpPassword);
            logins.addRole(erpUser, ERP_ROLE);
        }
        return Optional.of(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), logins));
    }
}
