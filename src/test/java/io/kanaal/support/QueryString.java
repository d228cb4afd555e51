package io.kanaal.support;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A query string as what it says: its parameters, decoded, in a map. Tests compare these, not the string, whose
 * order of parameters and way of encoding them mean nothing to the API that reads it.
 */
public final class QueryString {

    private QueryString() {
    }

    /** The parameters of the query (the part after {@code ?}, without it); a parameter named twice fails. */
    public static Map<String, String> parameters(String query) {
        Map<String, String> parameters = new TreeMap<>();
        if (query == null || query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String previous = parameters.put(name, equals < 0 ? "" : decode(pair.substring(equals + 1)));
            if (previous != null) {
                throw new AssertionError("parameter " + name + " more than once in " + query);
            }
        }
        return parameters;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
