package io.kanaal.api;

import java.util.List;

/** A request the API cannot take at all: answered with its HTTP status and the reasons, nothing queued. */
public class InvalidRequestException extends RuntimeException {

    private final int status;
    private final List<String> errors;

    public InvalidRequestException(int status, String message, List<String> errors) {
        super(message);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public int status() {
        return status;
    }

    public List<String> errors() {
        return errors;
    }
}
