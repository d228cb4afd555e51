package io.kanaal.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks requests against Bol.com's own published specifications (src/test/resources/specs/bol, see SOURCE.md):
 * the Offers API v11, the Retailer API v10 (orders, shipments, cancellations, ...) and the Shared API v10
 * (process status). A request is checked against every spec that declares its path and method, and conforms when
 * one of them accepts it; a request that no spec declares is a violation. On top of the specs, three rules Bol
 * documents outside them: every call names its media type in Accept, a call with a body in Content-Type too,
 * and carries a bearer token. A query parameter the spec does not define (a misspelt filter) is a violation too.
 */
public final class BolContract {

    private static final String SPECS = "src/test/resources/specs/bol/";

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
        return new Spec(name, OpenApiInteractionValidator.createForInlineApiSpecification(load(SPECS + file))
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request.parameter.query.unexpected", ValidationReport.Level.ERROR)
                        .build())
                .build());
    }

    /**
     * The spec as published, with one repair: the normalized v11 copy gives some responses an empty array
     * where OpenAPI wants a media type object ({@code "application/...": []}), which the parser refuses.
     */
    private static String load(String file) {
        try {
            return Files.readString(Path.of(file)).replaceAll("(\"application/[^\"]+\")\\s*:\\s*\\[\\s*\\]", "$1: {}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        int headerComplaints = complaints.size();
        boolean declared = false;
        for (Spec spec : ALL) {
            List<ValidationReport.Message> errors = spec.validator().validateRequest(checked).getMessages().stream()
                    .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                    .toList();
            if (errors.stream().anyMatch(m -> NOT_DECLARED.contains(m.getKey()))) {
                continue;
            }
            declared = true;
            if (errors.isEmpty()) {
                return complaints.subList(0, headerComplaints);
            }
            errors.forEach(m -> complaints.add(spec.name() + ": " + m.getKey() + ": " + m.getMessage()));
        }
        if (!declared) {
            complaints.add("no Bol spec declares " + request.method() + " " + request.path());
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
        String path = query < 0 ? target : target.substring(0, query);
        SimpleRequest.Builder builder = new SimpleRequest.Builder(Request.Method.valueOf(request.method()), path);
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

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
