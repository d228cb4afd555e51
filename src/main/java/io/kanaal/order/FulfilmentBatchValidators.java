package io.kanaal.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.api.BatchValidator;
import io.kanaal.channel.Channels;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Validators of the ERP's shipment, cancellation and order acknowledgement batches: the published schema, then per item that
 * Kanaal took the order in and that its channel is enabled.
 */
@Configuration(proxyBeanMethods = false)
public class FulfilmentBatchValidators {

    @Bean
    BatchValidator<Fulfilment> shipmentBatchValidator(ObjectMapper json, Orders orders, Channels channels) {
        return new Validator(json, "shipment", orders, channels);
    }

    @Bean
    BatchValidator<Fulfilment> cancellationBatchValidator(ObjectMapper json, Orders orders, Channels channels) {
        return new Validator(json, "cancellation", orders, channels);
    }

    @Bean
    BatchValidator<Fulfilment> acknowledgementBatchValidator(ObjectMapper json, Orders orders, Channels channels) {
        return new Validator(json, "acknowledgement", orders, channels);
    }

    private static final class Validator extends BatchValidator<Fulfilment> {

        private final String kind;
        private final Orders orders;
        private final Channels channels;

        Validator(ObjectMapper json, String kind, Orders orders, Channels channels) {
            super(json, "schema/" + kind + "-batch.schema.json", Fulfilment.class, "orderRef");
            this.kind = kind;
            this.orders = orders;
            this.channels = channels;
        }

        @Override
        protected Fulfilment complete(Fulfilment item) {
            return item.as(kind);
        }

        @Override
        protected List<String> check(Fulfilment item) {
            if (orders.find(item.channel(), item.channelOrderId()).isEmpty()) {
                return List.of("unknown order " + item.orderRef() + ": Kanaal has not taken it in");
            }
            if (channels.enabled(item.channel()).isEmpty()) {
                return List.of("channel " + item.channel() + " is not enabled");
            }
            return List.of();
        }
    }
}
