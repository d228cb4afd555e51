package io.kanaal.support;

import io.kanaal.mapping.Mappings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Runs a mapping file (mappings/&lt;type&gt;/&lt;kind&gt;.jsonata) as the routes run it: through Kanaal's
 * {@link Mappings} bean, JSON text in and out.
 */
public final class JsonataMappings {

    private static final Path DIRECTORY = Path.of("mappings");
    private static final Mappings MAPPINGS = new Mappings(java.util.List.of(DIRECTORY), false);

    private JsonataMappings() {
    }

    public static String run(Path mapping, String json) {
        try {
            return MAPPINGS.apply(DIRECTORY.relativize(mapping).toString(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
