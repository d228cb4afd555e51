package io.kanaal;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Kanaal: integration middleware between an ERP and the sales channels of a shop. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class KanaalApplication {

    public static void main(String[] args) {
        SpringApplication.run(KanaalApplication.class, args);
    }
}
