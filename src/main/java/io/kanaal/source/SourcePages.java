package io.kanaal.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.OAuth2Tokens;
import io.kanaal.mapping.Mappings;
import io.kanaal.order.OrderPolls;
import io.kanaal.polling.TimeFormat;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * The pages of a rest source's list: how each is asked for (the since-parameter in the source's time format,
 * paging by page number, offset, cursor or next link, more parameters, the login) and what a page answered
 * (its records mapped into Kanaal's, whether another page follows, how far the watermark moves). The settings
 * are the source's ({@code kanaal.sources.<id>.settings}); docs/sources/rest.md lists them with their defaults.
 * The poll's state is in exchange variables: {@code since}, {@code watermark}, {@code page}, {@code offset},
 * {@code cursor}, {@code nextUrl}, {@code morePages}.
 */
@Component("sourcePages")
public class SourcePages {

    private static final Map<String, Map<String, String>> TYPE_DEFAULTS = Map.of(
            "odoo", Map.of("watermark-field", "write_date", "since-format", "yyyy-MM-dd HH:mm:ss", "paging", "offset",
                    "key-field", "id"),
            "jsonrpc", Map.of("paging", "offset"));
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;[^,]*rel=\"?next\"?");

    private final SourcesProperties sources;
    private final ObjectMapper json;
    private final Mappings mappings;
    private final OrderPolls lists;
    private final OAuth2Tokens tokens;

    public SourcePages(SourcesProperties sources, ObjectMapper json, Mappings mappings, OrderPolls lists, OAuth2Tokens tokens) {
        this.sources = sources;
        this.json = json;
        this.mappings = mappings;
        this.lists = lists;
        this.tokens = tokens;
    }

    /** The paging styles a rest source can have. */
    enum Paging { PAGE, OFFSET, CURSOR, NEXT_LINK, NONE }

    /**
     * Sets the request of the poll's current page: {@code CamelHttpQuery} (since-parameter, paging, more
     * parameters), or for a next link {@code CamelHttpUri} (on the source's own host only), and the login
     * ({@code authorization}, an API-key header, or an OAuth2 token from {@code token-url}).
     */
    public void request(Exchange exchange, String source) {
        Map<String, String> settings = settings(source);
        Message message = exchange.getIn();
        String nextUrl = exchange.getVariable("nextUrl", String.class);
        if (nextUrl != null) {
            message.setHeader(Exchange.HTTP_URI, sameHost(source, nextUrl));
            message.removeHeader(Exchange.HTTP_PATH);
            message.removeHeader(Exchange.HTTP_QUERY);
        } else {
            message.setHeader(Exchange.HTTP_QUERY, query(exchange, settings));
        }
        login(source, settings, message);
    }

    private String query(Exchange exchange, Map<String, String> settings) {
        List<String> parameters = new ArrayList<>();
        String since = exchange.getVariable("since", String.class);
        if (since != null) {
            String value = TimeFormat.of(settings.get("since-format"), settings.get("since-zone")).write(since);
            String template = settings.getOrDefault("since-template", "{since}");
            parameters.add(encoded(settings.getOrDefault("since-param", "updated_since")) + "="
                    + encoded(template.replace("{since}", value)));
        }
        int pageSize = pageSize(settings);
        switch (paging(settings)) {
            case PAGE -> parameters.add(encoded(settings.getOrDefault("page-param", "page")) + "=" + exchange.getVariable("page", Integer.class));
            case OFFSET -> parameters.add(encoded(settings.getOrDefault("offset-param", "offset")) + "="
                    + exchange.getVariable("offset", 0, Integer.class));
            case CURSOR -> {
                String cursor = exchange.getVariable("cursor", String.class);
                if (cursor != null) {
                    parameters.add(encoded(settings.getOrDefault("cursor-param", "cursor")) + "=" + encoded(cursor));
                }
            }
            default -> {
            }
        }
        if (paging(settings) != Paging.NONE) {
            parameters.add(encoded(settings.getOrDefault("size-param", "limit")) + "=" + pageSize);
        }
        String params = settings.getOrDefault("params", "");
        for (String pair : params.split("[&\\n]")) {
            if (!pair.isBlank()) {
                String[] nameValue = pair.strip().split("=", 2);
                parameters.add(encoded(nameValue[0]) + "=" + encoded(nameValue.length > 1 ? nameValue[1] : ""));
            }
        }
        String query = settings.getOrDefault("query", "");
        if (!query.isBlank()) {
            parameters.add(query);
        }
        return String.join("&", parameters);
    }

    private void login(String source, Map<String, String> settings, Message message) {
        String authorization = settings.getOrDefault("authorization", "");
        if (!settings.getOrDefault("token-url", "").isBlank()) {
            message.setHeader("Authorization", tokens.authorization("source:" + source, "source " + source, () -> settings));
        } else if (!authorization.isBlank()) {
            message.setHeader("Authorization", authorization);
        }
        String keyHeader = settings.getOrDefault("api-key-header", "");
        if (!keyHeader.isBlank()) {
            message.setHeader(keyHeader, settings.getOrDefault("api-key", ""));
        }
    }

    /**
     * One page as the source answered it (the body): its records, each mapped by the source's mapping into a
     * record of Kanaal's intake, as a batch {@code {"items": [...]}} (the body; empty when the page has none);
     * variable {@code records} keeps the source's records for the dead letters of those the intake refuses.
     * Whether another page follows: a page shorter than {@code page-size} is the last (page and offset paging),
     * or the answer has no cursor or next link. The watermark moves up to the page's newest record.
     */
    public void page(Exchange exchange, String source) throws IOException {
        Map<String, String> settings = settings(source);
        String answer = exchange.getIn().getBody(String.class);
        String recordsField = settings.getOrDefault("records-field", "");
        List<String> listed = lists.orders(answer, recordsField);
        String mapping = settings.get("mapping");
        TimeFormat times = TimeFormat.of(settings.get("since-format"), settings.get("since-zone"));
        String keyField = settings.getOrDefault("key-field", "");
        String since = exchange.getVariable("since", String.class);
        List<?> seen = exchange.getVariable("seenKeys", List.class);
        List<String> records = new ArrayList<>();
        ArrayNode items = json.createArrayNode();
        for (String record : listed) {
            JsonNode document = json.readTree(record);
            String value = times.sortable(field(document, settings.getOrDefault("watermark-field", "updatedAt")));
            String key = keyField.isBlank() ? null : field(document, keyField);
            if (key != null && value != null && value.equals(since) && seen != null && seen.contains(key)) {
                continue; // taken by the last poll, at the watermark this one starts from
            }
            records.add(record);
            items.add(json.readTree(mappings.write(mapping, json.readValue(record, Object.class))));
            watermark(exchange, value, key);
        }
        exchange.setVariable("records", records);
        exchange.setVariable("page", exchange.getVariable("page", Integer.class) + 1);
        exchange.setVariable("offset", exchange.getVariable("offset", 0, Integer.class) + listed.size());
        exchange.setVariable("morePages", more(exchange, settings, answer, listed));
        ObjectNode batch = json.createObjectNode();
        batch.set("items", items);
        exchange.getIn().setBody(records.isEmpty() ? "" : json.writeValueAsString(batch));
    }

    /**
     * Moves the poll's watermark up to a record's time; with a key-field, variable {@code watermarkKeys} keeps the
     * keys of the records at the newest time, which the next poll skips.
     */
    @SuppressWarnings("unchecked")
    private static void watermark(Exchange exchange, String value, String key) {
        if (value == null) {
            return;
        }
        String watermark = exchange.getVariable("watermark", String.class);
        List<String> keys = exchange.getVariable("watermarkKeys", List.class);
        if (watermark == null || value.compareTo(watermark) > 0) {
            exchange.setVariable("watermark", value);
            keys = new ArrayList<>();
            exchange.setVariable("watermarkKeys", keys);
        }
        if (key != null && value.equals(exchange.getVariable("watermark", String.class)) && keys != null && !keys.contains(key)) {
            keys.add(key);
        }
    }

    private boolean more(Exchange exchange, Map<String, String> settings, String answer, List<String> records) throws IOException {
        switch (paging(settings)) {
            case PAGE, OFFSET -> {
                return records.size() >= pageSize(settings);
            }
            case CURSOR -> {
                String cursor = field(json.readTree(answer), settings.getOrDefault("cursor-field", "next_cursor"));
                exchange.setVariable("cursor", cursor);
                return cursor != null && !cursor.isBlank() && !records.isEmpty();
            }
            case NEXT_LINK -> {
                String next = nextLink(exchange, settings, answer);
                exchange.setVariable("nextUrl", next);
                return next != null && !records.isEmpty();
            }
            default -> {
                return false;
            }
        }
    }

    /** The next page's URL: the answer's {@code next-field}, or the Link header's rel="next"; a relative one resolved against base-url. */
    private String nextLink(Exchange exchange, Map<String, String> settings, String answer) throws IOException {
        String field = settings.getOrDefault("next-field", "");
        String next = null;
        if (!field.isBlank()) {
            next = field(json.readTree(answer), field);
        } else {
            String link = exchange.getIn().getHeader("Link", String.class);
            Matcher matcher = link == null ? null : LINK_NEXT.matcher(link);
            next = matcher != null && matcher.find() ? matcher.group(1) : null;
        }
        if (next == null || next.isBlank()) {
            return null;
        }
        String base = exchange.getVariable("nextUrl", String.class);
        String source = exchange.getVariable("source", String.class);
        return URI.create(base != null ? base : sources.sources().get(source).baseUrl() + "/").resolve(next.strip()).toString();
    }

    /** A next link is followed only on the source's own host: the source's login must not go elsewhere. */
    private String sameHost(String source, String url) {
        URI base = URI.create(sources.sources().get(source).baseUrl());
        URI next = URI.create(url);
        if (!base.getScheme().equalsIgnoreCase(next.getScheme()) || !base.getHost().equalsIgnoreCase(next.getHost())
                || base.getPort() != next.getPort()) {
            throw new IllegalStateException("source " + source + ": the next link " + url
                    + " is not on the source's own host (" + base.getScheme() + "://" + base.getAuthority() + ")");
        }
        return url;
    }

    /** A field of a document by a dotted path; null when it is missing or null. */
    private static String field(JsonNode document, String path) {
        JsonNode node = document;
        for (String name : path.split("\\.")) {
            node = node.path(name);
        }
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    /** The source's settings over its type's defaults (odoo and jsonrpc sources page by offset; odoo's times are Odoo's). */
    private Map<String, String> settings(String source) {
        SourceProperties properties = sources.sources().get(source);
        Map<String, String> settings = new java.util.HashMap<>(TYPE_DEFAULTS.getOrDefault(properties.type(), Map.of()));
        settings.putAll(properties.settings());
        return settings;
    }

    private static Paging paging(Map<String, String> settings) {
        return Paging.valueOf(settings.getOrDefault("paging", "page").strip().toUpperCase().replace('-', '_'));
    }

    private static int pageSize(Map<String, String> settings) {
        return Math.min(1000, Integer.parseInt(settings.getOrDefault("page-size", "100").strip()));
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
