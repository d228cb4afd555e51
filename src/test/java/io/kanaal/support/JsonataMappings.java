package io.kanaal.support;

import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Runs a mapping file (mappings/&lt;type&gt;/&lt;kind&gt;.jsonata) through Camel's JSONata component as the routes
 * run it, JSON text in and out (with a String body the component needs both types named, or it answers {}).
 * One Camel context, started on first use, serves every test of the run.
 */
public final class JsonataMappings {

    private static final class Shared {
        static final ProducerTemplate TEMPLATE = start();

        private static ProducerTemplate start() {
            CamelContext camel = new DefaultCamelContext();
            camel.start();
            Runtime.getRuntime().addShutdownHook(new Thread(camel::stop));
            return camel.createProducerTemplate();
        }
    }

    private JsonataMappings() {
    }

    public static String run(Path mapping, String json) {
        return Shared.TEMPLATE.requestBody("jsonata:file:" + mapping + "?inputType=JsonString&outputType=JsonString",
                json, String.class);
    }
}
