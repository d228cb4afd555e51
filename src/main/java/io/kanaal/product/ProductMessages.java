package io.kanaal.product;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.api.Batch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The messages on {@code kanaal.erp.products}: each carries several products of one batch, as a JSON array, so
 * that the intake stores them with one statement batch and one commit, and the broker takes and delivers one
 * message for all of them. A message holds at most {@code kanaal.products.message-items} products and, beyond its
 * first, at most {@code kanaal.products.message-chars} characters: the broker keeps a text message of more than
 * about 100 KB (2 bytes a character) as a large message, in a file of its own.
 */
@Component("productMessages")
public class ProductMessages {

    private final ObjectMapper json;
    private final int maxItems;
    private final int maxChars;

    public ProductMessages(ObjectMapper json, @Value("${kanaal.products.message-items}") int maxItems,
            @Value("${kanaal.products.message-chars}") int maxChars) {
        this.json = json;
        this.maxItems = maxItems;
        this.maxChars = maxChars;
    }

    /** The batch's accepted products as the texts of the messages that carry them, in the batch's order. */
    public List<String> messages(@Variable("batch") Batch<?> batch) throws IOException {
        List<String> messages = new ArrayList<>();
        StringBuilder message = new StringBuilder();
        int items = 0;
        for (Object item : batch.accepted()) {
            String text = json.writeValueAsString(item);
            if (items > 0 && (items == maxItems || message.length() + text.length() + 2 > maxChars)) {
                messages.add(message.append(']').toString());
                message.setLength(0);
                items = 0;
            }
            message.append(items == 0 ? '[' : ',').append(text);
            items++;
        }
        if (items > 0) {
            messages.add(message.append(']').toString());
        }
        return messages;
    }

    /** A message's products: a JSON array of them, or a single one (as one was queued before products travelled together). */
    public List<ProductItem> read(@Body String body) throws IOException {
        JsonNode document = json.readTree(body);
        List<ProductItem> items = new ArrayList<>();
        if (document.isArray()) {
            document.forEach(item -> items.add(new ProductItem(item)));
        } else {
            items.add(new ProductItem(document));
        }
        return items;
    }
}
