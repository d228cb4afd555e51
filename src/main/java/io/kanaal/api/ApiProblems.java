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
 * Turns an API failure into an RFC 9457 problem document for the caller: an {@link InvalidRequestException} with its
 * reasons, written for the caller. Any other failure's text may be a library's and name Kanaal's insides: it is
 * logged under a reference that the answer names (400 for an argument that could not be taken, 503 for a failure of
 * Kanaal's own: the broker or the database did not take the request), and does not reach the caller.
 */
@Component("apiProblems")
public class ApiProblems {

    private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);

    public Map<String, Object> describe(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception caught) {
        Exception failure = invalid(caught);
        Map<String, Object> problem = new LinkedHashMap<>();
        if (failure instanceof InvalidRequestException invalid) {
            problem.put("status", invalid.status());
            problem.put("title", invalid.getMessage());
            problem.put("errors", invalid.errors());
        } else if (failure instanceof IllegalArgumentException) {
            // the request could not be taken as it came (a conversion failed): its reason stays in the log, whose
            // text may be a library's and name Kanaal's insides
            String reference = UUID.randomUUID().toString();
            log.warn("API request refused, answered 400 (reference {}): {}", reference, failure.toString());
            problem.put("status", 400);
            problem.put("title", "Bad request: Kanaal could not read the request as it came");
            problem.put("errors", List.of("Kanaal's log has the reason under reference " + reference));
        } else {
            String reference = UUID.randomUUID().toString();
            log.error("API request failed, answered 503 (reference {})", reference, failure);
            problem.put("status", 503);
            problem.put("title", "Kanaal could not complete the request; nothing was accepted. Retry later.");
            problem.put("errors", List.of("Kanaal's log has the cause under reference " + reference));
        }
        return problem;
    }

    public int status(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception caught) {
        Exception failure = invalid(caught);
        if (failure instanceof InvalidRequestException invalid) {
            return invalid.status();
        }
        return failure instanceof IllegalArgumentException ? 400 : 503;
    }

    /**
     * The refusal a failure carries: an {@link InvalidRequestException} thrown in a bean that Camel called in an
     * expression (a split's, a method call's) reaches the route wrapped in Camel's own exception.
     */
    private static Exception invalid(Exception failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidRequestException invalid) {
                return invalid;
            }
        }
        return failure;
    }
}
