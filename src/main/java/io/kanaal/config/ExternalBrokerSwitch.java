package io.kanaal.config;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Kanaal runs its own Artemis broker unless a broker URL is configured: with
 * {@code spring.artemis.broker-url} set (e.g. {@code SPRING_ARTEMIS_BROKER_URL=tcp://broker:61616}), the
 * embedded broker stays off and Kanaal connects to that broker. An explicit {@code spring.artemis.mode} wins.
 */
public class ExternalBrokerSwitch implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String url = environment.getProperty("spring.artemis.broker-url");
        if (url == null || url.isBlank() || environment.containsProperty("spring.artemis.mode")) {
            return;
        }
        environment.getPropertySources().addFirst(new MapPropertySource("kanaal-external-broker", Map.of(
                "spring.artemis.mode", "native",
                "spring.artemis.embedded.enabled", "false")));
    }
}
