package io.kanaal.order;

import java.util.List;

/**
 * A channel's order that cannot become a canonical order (malformed, or its mapping gives something the
 * schema refuses). Retrying cannot help: it is dead-lettered at once with the reasons.
 */
public class InvalidOrderException extends RuntimeException {

    public InvalidOrderException(String message, List<String> reasons) {
        super(message + ": " + String.join("; ", reasons));
    }
}
