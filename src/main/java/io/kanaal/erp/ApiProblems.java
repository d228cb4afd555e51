package io.kanaal.erp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/** Turns an API failure into an RFC 9457 problem document for the caller. */
@Component("apiProblems")
public class ApiProblems {

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
            problem.put("status", 503);
            problem.put("title", "Kanaal could not complete the request; nothing was accepted. Retry later.");
            problem.put("errors", List.of(String.valueOf(failure)));
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
