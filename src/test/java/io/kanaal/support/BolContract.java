package io.kanaal.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks requests against Bol.com's own published Offers API v11 specification. */
public final class BolContract {

    private static final OpenApiInteractionValidator OFFERS_V11 = OpenApiInteractionValidator
            .createForInlineApiSpecification(load("src/test/resources/specs/bol/bol-v11-offers.normalized.json"))
            .build();

    /**
     * The spec as published, with one repair: the normalized copy gives some responses an empty array
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

    /** The spec's complaints about a request, empty when it conforms. */
    public static List<String> violations(ChannelStub.Request request) {
        SimpleRequest.Builder builder = new SimpleRequest.Builder(Request.Method.valueOf(request.method()), request.path());
        request.headers().forEach(builder::withHeader);
        if (!request.body().isEmpty()) {
            builder.withBody(request.body());
        }
        ValidationReport report = OFFERS_V11.validateRequest(builder.build());
        return report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(m -> m.getKey() + ": " + m.getMessage())
                .toList();
    }
}
