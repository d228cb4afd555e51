package io.kanaal.api;

import java.util.List;

/** The {@code limit} query parameter of the ops endpoints that list. */
public final class QueryLimits {

    private QueryLimits() {
    }

    /**
     * The limit asked for, 100 when none.
     *
     * @throws InvalidRequestException 400 for anything but a whole number of at least 1 (no int beyond)
     */
    public static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 100;
        }
        try {
            int max = Integer.parseInt(limit.strip());
            if (max >= 1) {
                return max;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidRequestException(400, "Bad request",
                List.of("limit must be a whole number of at least 1, not '" + limit + "'"));
    }
}
