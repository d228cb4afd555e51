package io.kanaal.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Checks requests, and the answers of Kanaal's fake of Bol ({@link BolFake}), against Bol.com's own published
 * specifications (src/test/resources/specs/bol, see SOURCE.md): the Offers API v11, the Retailer API v10 (orders,
 * shipments, cancellations, ...) and the Shared API v10 (process status). A request is checked against every spec
 * that declares its path and method, and conforms when one of them accepts it; a request that no spec declares is a
 * violation. On top of the specs, three rules Bol documents outside them: every call names its media type in
 * Accept, a call with a body in Content-Type too, and carries a bearer token. A query parameter the spec does not
 * define (a misspelt filter) is a violation too, and so is a body field the schema does not define. What Bol
 * documents as required but a spec does not mark so is added by an OpenAPI Overlay beside the spec
 * ({@code <spec>.overlay.json}). An answer is checked against the response its spec declares for its status
 * (schema, media type); a 429 is allowed, as Bol documents its rate limits outside the specs.
 */
public final class BolContract {

    private static final String SPECS = "src/test/resources/specs/bol/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration JSON_PATH = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(JSON)).mappingProvider(new JacksonMappingProvider(JSON))
            .build();

    /** The validator's keys for "this spec has no such path" and "this path has no such method". */
    private static final Set<String> NOT_DECLARED = Set.of(
            "validation.request.path.missing", "validation.request.operation.notAllowed");

    private record Spec(String name, OpenApiInteractionValidator validator) {
    }

    private static final List<Spec> ALL = List.of(
            spec("Offers API v11", "bol-v11-offers.normalized.json"),
            spec("Retailer API v10", "bol-v10-retailer.123lens-2026-05.json"),
            spec("Shared API v10", "bol-v10-shared.123lens-2026-05.json"));

    private static Spec spec(String name, String file) {
        return new Spec(name, OpenApiInteractionValidator.createForInlineApiSpecification(load(file))
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request.parameter.query.unexpected", ValidationReport.Level.ERROR)
                        .withLevel("validation.schema.additionalProperties", ValidationReport.Level.ERROR)
                        .build())
                .build());
    }

    /**
     * The spec as published, with its overlay ({@code <name>.overlay.json}) applied when there is one, and one
     * repair: the normalized v11 copy gives some responses an empty array where OpenAPI wants a media type object
     * ({@code "application/...": []}), which the parser refuses.
     */
    private static String load(String file) {
        try {
            JsonNode spec = JSON.readTree(Path.of(SPECS + file).toFile());
            Path overlay = Path.of(SPECS + file.replaceFirst("(\\.normalized)?\\.json$", ".overlay.json"));
            if (Files.exists(overlay)) {
                spec = applyOverlay(spec, JSON.readTree(overlay.toFile()), overlay);
            }
            return spec.toString().replaceAll("(\"application/[^\"]+\")\\s*:\\s*\\[\\s*\\]", "$1: {}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An OpenAPI Overlay 1.0.0 document's update actions: each target (JSONPath) object gets the action's update
     * merged in (objects merged, other values replaced). A target that matches nothing fails, so that a new spec
     * that renames what the overlay amends is noticed.
     */
    static JsonNode applyOverlay(JsonNode spec, JsonNode overlay, Path from) {
        DocumentContext document = JsonPath.using(JSON_PATH).parse(spec);
        for (JsonNode action : overlay.path("actions")) {
            String target = action.path("target").asText();
            if (!action.path("update").isObject() || action.path("remove").asBoolean(false)) {
                throw new IllegalArgumentException(from + ": only update actions with an object are supported: " + target);
            }
            AtomicInteger matched = new AtomicInteger();
            try {
                document.map(target, (current, configuration) -> {
                    matched.incrementAndGet();
                    return merge((ObjectNode) current, action.path("update"));
                });
            } catch (PathNotFoundException e) {
                matched.set(0);
            }
            if (matched.get() == 0) {
                throw new IllegalStateException(from + ": the target " + target + " matches nothing in the spec");
            }
        }
        return document.json();
    }

    private static ObjectNode merge(ObjectNode target, JsonNode update) {
        for (Map.Entry<String, JsonNode> field : update.properties()) {
            JsonNode current = target.get(field.getKey());
            if (current instanceof ObjectNode object && field.getValue().isObject()) {
                merge(object, field.getValue());
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return target;
    }

    private BolContract() {
    }

    /**
     * The specs' complaints about a request, empty when it conforms. The path may carry a query string
     * ({@code /retailer/orders?status=ALL}); each complaint names the spec it comes from.
     */
    public static List<String> violations(ChannelStub.Request request) {
        Request checked = toValidatorRequest(request);
        List<String> complaints = new ArrayList<>(missingHeaders(request));
        complaints.addAll(checkAgainstDeclaringSpec(request, validator -> validator.validateRequest(checked)));
        return complaints;
    }

    /**
     * The specs' complaints about an answer to a request: its status, media type and body against the response the
     * request's operation declares for that status. Empty when it conforms, and for a 429.
     */
    public static List<String> responseViolations(ChannelStub.Request request, ChannelStub.Reply reply) {
        if (reply.status() == 429) {
            return List.of();
        }
        SimpleResponse.Builder response = new SimpleResponse.Builder(reply.status());
        reply.headers().forEach(response::withHeader);
        if (!reply.body().isEmpty()) {
            response.withBody(reply.body());
        }
        Response checked = response.build();
        String path = pathOf(request.path());
        Request.Method method = Request.Method.valueOf(request.method());
        List<String> violations = checkAgainstDeclaringSpec(request, validator -> validator.validateResponse(path, method, checked));
        // the v11 spec declares a body for PATCH's 204, which HTTP does not allow (RFC 9110, 15.3.5): none is right
        return reply.status() == 204 ? violations.stream().filter(v -> !v.contains("validation.response.body.missing")).toList()
                : violations;
    }

    /**
     * The complaints of the first spec that declares the request's operation and finds nothing wrong: none; else
     * those of every spec that declares it, or that none does.
     */
    private static List<String> checkAgainstDeclaringSpec(ChannelStub.Request request,
                                                          Function<OpenApiInteractionValidator, ValidationReport> check) {
        List<String> complaints = new ArrayList<>();
        boolean declared = false;
        for (Spec spec : ALL) {
            List<ValidationReport.Message> errors = check.apply(spec.validator()).getMessages().stream()
                    .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                    .toList();
            if (errors.stream().anyMatch(m -> NOT_DECLARED.contains(m.getKey()))) {
                continue;
            }
            declared = true;
            if (errors.isEmpty()) {
                return List.of();
            }
            errors.forEach(m -> complaints.add(spec.name() + ": " + m.getKey() + ": " + m.getMessage()));
        }
        if (!declared) {
            complaints.add("no Bol spec declares " + request.method() + " " + pathOf(request.path()));
        }
        return complaints;
    }

    /** What the validator lets pass when it is absent: it checks these headers' values only when they are there. */
    private static List<String> missingHeaders(ChannelStub.Request request) {
        List<String> missing = new ArrayList<>();
        if (request.header("accept") == null) {
            missing.add("Bol: no Accept header (Bol wants its media type, e.g. application/vnd.retailer.v10+json)");
        }
        if (!request.body().isEmpty() && request.header("content-type") == null) {
            missing.add("Bol: a body without a Content-Type header");
        }
        String authorization = request.header("authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            missing.add("Bol: no bearer token in the Authorization header");
        }
        return missing;
    }

    private static Request toValidatorRequest(ChannelStub.Request request) {
        String target = request.path();
        int query = target.indexOf('?');
        SimpleRequest.Builder builder = new SimpleRequest.Builder(Request.Method.valueOf(request.method()),
                pathOf(target));
        if (query >= 0) {
            for (String pair : target.substring(query + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    builder.withQueryParam(decode(eq < 0 ? pair : pair.substring(0, eq)),
                            eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
        }
        request.headers().forEach(builder::withHeader);
        if (!request.body().isEmpty()) {
            builder.withBody(request.body());
        }
        return builder.build();
    }

    private static String pathOf(String pathAndQuery) {
        int query = pathAndQuery.indexOf('?');
        return query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
