package io.kanaal.broker;

import jakarta.jms.ConnectionFactory;
import org.springframework.jms.connection.CachingConnectionFactory;

/** What code that talks to the broker directly needs of Spring's connection factories. */
public final class BrokerConnections {

    private BrokerConnections() {
    }

    /** The connection factory a Spring {@link CachingConnectionFactory} wraps, or the factory itself. */
    public static ConnectionFactory uncached(ConnectionFactory factory) {
        return factory instanceof CachingConnectionFactory caching ? caching.getTargetConnectionFactory() : factory;
    }
}
