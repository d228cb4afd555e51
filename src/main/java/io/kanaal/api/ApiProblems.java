package io.kanaal.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns an API failure into an RFC 9457 problem document for the caller. A failure of Kanaal's own (503: the
 * broker or the database did not take the request) is logged with its cause under a reference that the answer
 * names; its internal text does not reach the caller.
 */
@Component("apiProblems")
public class ApiProblems {

    private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);

    public Map<String, Object> describe(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        Map<String, Object> problem = new LinkedHashMap<>();
        if (failure instanceof InvalidRequestException invalid) {
            problem.put("status", invalid.status());
            problem.put("title", invalid.getMessage());
            problem.put("errors", invalid.errors());
        } else if (failure instanceof IllegalArgumentException) {
            problem.put("status", 400);
            problem.put("title", "Bad request");
            problem.put("errors", List.of(failure.getMessage()));
        } else {
            String reference = UUID.randomUUID().toString();
            log.error("API request failed, answered 503 (reference {})", reference, failure);
            problem.put("status", 503);
            problem.put("title", "Kanaal could not complete the request; nothing was accepted. Retry later.");
            problem.put("errors", List.of("Kanaal's log has the cause under reference " + reference));
        }
        return problem;
    }

    public int status(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        if (failure instanceof InvalidRequestException invalid) {
            return invalid.status();
        }
        return failure instanceof IllegalArgumentException ? 400 : 503;
    }
}
