package io.kanaal.mapping;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Runs the JSONata mapping files in {@code mappings/}: JSON text in, JSON text out, as Camel's JSONata
 * component runs them ({@code inputType=JsonString&outputType=JsonString}, the same JSONata library and a
 * plain Jackson mapper), but each file is compiled once per thread and reused: the component reads and
 * compiles the file for every message, which was most of a stock message's mapping time.
 *
 * <p>One compiled expression per thread, because the library's compiled expression is not safe to share:
 * an evaluation keeps its input and its variable frame in fields of the expression while it runs, so two
 * threads evaluating one expression at once could read each other's. With {@code kanaal.mappings.cache=false}
 * (the development profile) a file is compiled again when it changes on disk, so a saved mapping applies to
 * the next message.
 */
@Component("mappings")
public class Mappings {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A mapping file as last read: its text, and each thread's compiled expression of that text. */
    private static final class Compiled {
        final FileTime modified;
        final ThreadLocal<Jsonata> expression;

        Compiled(FileTime modified, String source, Jsonata first) {
            this.modified = modified;
            this.expression = ThreadLocal.withInitial(() -> Jsonata.jsonata(source));
            this.expression.set(first);
        }
    }

    private final List<Path> directories;
    private final boolean cache;
    private final ConcurrentMap<String, Compiled> compiled = new ConcurrentHashMap<>();

    /**
     * @param directories where mappings are found, the first that has the file wins: {@code mappings/}, and
     *                    the folders of channel types kept outside Kanaal's own ({@code kanaal.mappings.directories})
     */
    @Autowired
    public Mappings(@Value("${kanaal.mappings.directories:${kanaal.home}/mappings}") String[] directories,
            @Value("${kanaal.mappings.cache:true}") boolean cache) {
        this(java.util.Arrays.stream(directories).map(String::strip).map(Path::of).toList(), cache);
    }

    public Mappings(List<Path> directories, boolean cache) {
        this.directories = List.copyOf(directories);
        this.cache = cache;
    }

    /**
     * @param mapping the mapping file, relative to {@code mappings/} (e.g. {@code rest/stock.jsonata})
     * @param json    the document to map
     * @return the mapped document
     */
    public String apply(@Variable("mapping") String mapping, @Body String json) throws IOException {
        return evaluate(mapping, JSON.readValue(json, Object.class));
    }

    /**
     * {@link #apply} to a document Kanaal made itself (maps, lists and values, such as a channel's view of a product),
     * without writing it as JSON for the mapping to parse it again: it is given to the mapping as the parser would
     * have given its JSON text ({@link #plain}), so the result is the same to the byte.
     *
     * @param mapping  the mapping file, relative to {@code mappings/}
     * @param document the document to map
     * @return the mapped document
     */
    public String map(@Variable("mapping") String mapping, @Body Map<String, ?> document) throws IOException {
        return evaluate(mapping, plain(document));
    }

    private String evaluate(String mapping, Object input) throws IOException {
        Jsonata expression = compiled(mapping).expression.get();
        // a frame of its own per evaluation, as Camel's component does: the variables a mapping binds
        // ($x := ...) stay in this evaluation
        return JSON.writeValueAsString(expression.evaluate(input, expression.createFrame()));
    }

    /**
     * A copy of a document as Jackson's parser would read its JSON text into maps and lists: a decimal with a fraction
     * or an exponent (a {@link BigDecimal} price) becomes a Double, an integer an Integer when it fits (else a Long or
     * BigInteger), a map a LinkedHashMap in its order, a list an ArrayList; strings, booleans and nulls stay.
     */
    static Object plain(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Double
                || value instanceof Integer) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
            map.forEach((key, item) -> copy.put(String.valueOf(key), plain(item)));
            return copy;
        }
        if (value instanceof Collection<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(item -> copy.add(plain(item)));
            return copy;
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.scale() == 0 ? integer(decimal.unscaledValue()) : (Object) Double.parseDouble(decimal.toString());
        }
        if (value instanceof Long || value instanceof Short || value instanceof Byte) {
            long number = ((Number) value).longValue();
            return number == (int) number ? (Object) (int) number : (Object) number;
        }
        if (value instanceof BigInteger big) {
            return integer(big);
        }
        if (value instanceof Float small) {
            return Double.parseDouble(small.toString());
        }
        // anything else (a date, an enum, a tree) as its JSON
        return JSON.convertValue(value, Object.class);
    }

    private static Object integer(BigInteger value) {
        if (value.bitLength() < Integer.SIZE) {
            return value.intValue();
        }
        return value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
    }

    /** {@link #apply} to an object (a stock update, a list of them) written as JSON first. */
    public String write(String mapping, Object value) throws IOException {
        return apply(mapping, JSON.writeValueAsString(value));
    }

    /**
     * {@link #apply}, or an empty body when {@code mapping} is empty: a call that takes no body (an API's action
     * endpoint, such as a cancel that refuses one).
     */
    public String applyOrEmpty(String mapping, @Body String json) throws IOException {
        return mapping == null || mapping.isBlank() ? "" : apply(mapping, json);
    }

    /** {@link #apply}, or the body as it is when {@code mapping} is empty (a format that is Kanaal's own by default). */
    public String applyOrKeep(String mapping, @Body String json) throws IOException {
        return mapping == null || mapping.isBlank() ? json : apply(mapping, json);
    }

    /** A file next to the mappings (a channel type's rules), from the first directory that has it; empty if none does. */
    public java.util.Optional<String> read(String file) {
        return directories.stream().map(directory -> directory.resolve(file)).filter(Files::exists).findFirst().map(path -> {
            try {
                return Files.readString(path);
            } catch (IOException e) {
                throw new UncheckedIOException("File " + path + " cannot be read", e);
            }
        });
    }

    private Compiled compiled(String mapping) {
        Compiled known = compiled.get(mapping);
        if (known != null && cache) {
            return known;
        }
        Path file = directories.stream().map(directory -> directory.resolve(mapping)).filter(Files::exists).findFirst()
                .orElse(directories.get(0).resolve(mapping));
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (known != null && known.modified.equals(modified)) {
                return known;
            }
            String source = Files.readString(file);
            // compiled here once so that a mapping that does not parse fails now, with the parser's reason
            Compiled fresh = new Compiled(modified, source, Jsonata.jsonata(source));
            compiled.put(mapping, fresh);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("Mapping " + file + " cannot be read", e);
        }
    }
}
