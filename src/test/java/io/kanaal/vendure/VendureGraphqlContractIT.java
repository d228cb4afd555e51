package io.kanaal.vendure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import graphql.ErrorType;
import graphql.ExecutionInput;
import graphql.GraphQL;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.execution.CoercedVariables;
import graphql.introspection.IntrospectionQuery;
import graphql.introspection.IntrospectionResultToSchema;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.MockedWiringFactory;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.ScalarInfo;
import graphql.schema.idl.ScalarWiringEnvironment;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.SchemaPrinter;
import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.Channels;
import io.kanaal.channel.ChannelsProperties;
import io.kanaal.channel.vendure.VendureGraphql;
import io.kanaal.channel.vendure.VendureSessions;
import io.kanaal.order.OrderPolls;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.JsonataMappings;
import io.kanaal.support.Vendure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every GraphQL document Kanaal sends to Vendure, with the variables Kanaal builds for it, is valid against the schema
 * of a real Vendure (the one {@link Vendure} runs: 3.7.3 with src/test/vendure/vendure-config.js), fetched by
 * introspection when the class starts; a copy of it as SDL lands in target/vendure/schema/ for reading. The calls are
 * read from where they are defined: the route templates of routes/channels/vendure.camel.yaml (each call of
 * {@code direct:{{channel}}-call}: the document in variable {@code graphql}, the variables from a JSONata mapping or
 * {@code vendureGraphql.variables(...)}, the API from the call's {@code CamelHttpPath}), the documents being the files
 * under mappings/vendure/, and the login of {@link VendureSessions}. A mapping's variables are what it makes of each
 * of its golden inputs (src/test/resources/mappings/vendure/&lt;kind&gt;-*.input.json); every request body is written
 * by {@link VendureGraphql#request} as the routes write it, and checked as Vendure takes it in: the document
 * validated, the variables coerced to their declared types (graphql-java). Vendure 3 is GPL-3.0-or-later: its
 * schema is fetched at test time, not kept in the project.
 */
class VendureGraphqlContractIT {

    private static final Path ROUTES = Path.of("routes/channels/vendure.camel.yaml");
    private static final Path MAPPINGS = Path.of("mappings");
    private static final Path SCHEMAS = Path.of("target/vendure/schema");
    private static final Path GOLDEN = Path.of("src/test/resources/mappings");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PARAMETER = Pattern.compile("\\{\\{(\\w+)}}");
    private static final Pattern MAPPING = Pattern.compile("(?:write|apply)\\('\\{\\{(\\w+)}}'");
    private static final Pattern VARIABLES = Pattern.compile("variables\\('(\\w+)'");
    private static final Map<String, GraphQL> APIS = new ConcurrentHashMap<>();
    private static final OrderPolls POLLS = new OrderPolls(null, JSON, 100);
    private static Vendure vendure;

    /**
     * The values the routes' {@code vendureGraphql.variables(name, ...)} take, by name: ids and SKUs are strings
     * Kanaal stores as it got them (as in VendureShipmentRetryTest: order 77, fulfillment 5); {@code since} is what
     * OrderPolls makes of the watermark, none yet or the highest updatedAt of an answer.
     */
    private static Map<String, List<Object>> named() throws IOException {
        String answer = "{\"orders\":{\"items\":[{\"updatedAt\":\"2026-11-23T15:04:05.123Z\"}]}}";
        return Map.of(
                "sku", List.of("SKU-1", "8718846038683"),
                "id", List.of("77", "5"),
                "since", List.of(POLLS.before(null, 5),
                        POLLS.before(POLLS.watermark(answer, "orders.items", "updatedAt", ""), 5)));
    }

    private final VendureGraphql graphql = new VendureGraphql(new io.kanaal.channel.GraphqlRequests(JSON, ".", false), null, null, null);

    @BeforeAll
    static void fetchVenduresSchemas() throws IOException {
        vendure = Vendure.start();
        Files.createDirectories(SCHEMAS);
        Map<String, JsonNode> introspected = Map.of("admin-api", vendure.adminApi(IntrospectionQuery.INTROSPECTION_QUERY),
                "shop-api", vendure.shopApi(IntrospectionQuery.INTROSPECTION_QUERY));
        for (Map.Entry<String, JsonNode> api : introspected.entrySet()) {
            GraphQLSchema schema = schema(JSON.convertValue(api.getValue(), Map.class));
            APIS.put(api.getKey(), GraphQL.newGraphQL(schema).build());
            Files.writeString(SCHEMAS.resolve(api.getKey() + ".graphql"), new SchemaPrinter().print(schema));
        }
    }

    @AfterAll
    static void stopVendure() {
        if (vendure != null) {
            vendure.stop();
        }
    }

    /** One call a route template makes: its API (admin-api), document (under mappings/) and where its variables come from. */
    record Call(String template, String api, String document, String mapping, String variable) {
        @Override
        public String toString() {
            return template + ": " + document + " (" + (mapping != null ? mapping : "variables('" + variable + "')") + ")";
        }
    }

    static List<Call> calls() throws IOException {
        List<JsonNode> templates = YAML.readTree(ROUTES.toFile()).findValues("routeTemplate");
        String api = null;
        for (JsonNode template : templates) {
            if (template.path("id").asText().equals("vendure-call")) {
                api = apiPath(template);
            }
        }
        List<Call> calls = new ArrayList<>();
        for (JsonNode template : templates) {
            new TemplateWalk(template, api, calls).walk(template.path("route").path("from").path("steps"));
        }
        return calls;
    }

    private static Map<String, String> defaults(JsonNode template) {
        Map<String, String> defaults = new HashMap<>();
        template.path("parameters").forEach(p -> defaults.put(p.path("name").asText(), p.path("defaultValue").asText("")));
        return defaults;
    }

    private static String resolve(String text, Map<String, String> defaults) {
        Matcher parameter = PARAMETER.matcher(text);
        return parameter.matches() ? defaults.get(parameter.group(1)) : text;
    }

    /** The API vendure-call posts to: its CamelHttpPath, e.g. {{adminApiPath}} (default /admin-api). */
    private static String apiPath(JsonNode template) {
        for (JsonNode headers : template.findValues("headers")) {
            for (JsonNode header : headers) {
                if (header.path("name").asText().equals("CamelHttpPath")) {
                    return resolve(header.path("constant").asText(), defaults(template)).replaceFirst("^/", "");
                }
            }
        }
        throw new IllegalStateException("vendure-call sets no CamelHttpPath");
    }

    /** A template's steps in order (nested ones too): the document and variables set last when a call is made. */
    private static final class TemplateWalk {
        private final String id;
        private final String api;
        private final Map<String, String> defaults;
        private final List<Call> calls;
        private String document;
        private String mapping;
        private String variable;

        TemplateWalk(JsonNode template, String api, List<Call> calls) {
            this.id = template.path("id").asText();
            this.api = api;
            this.defaults = defaults(template);
            this.calls = calls;
        }

        void walk(JsonNode steps) {
            for (JsonNode step : steps) {
                for (Map.Entry<String, JsonNode> field : step.properties()) {
                    visit(field.getKey(), field.getValue());
                    if (field.getValue().has("steps")) {
                        walk(field.getValue().path("steps"));
                    }
                    // a choice: each branch in turn
                    field.getValue().path("when").forEach(when -> walk(when.path("steps")));
                    walk(field.getValue().path("otherwise").path("steps"));
                }
            }
        }

        private void visit(String kind, JsonNode step) {
            String ref = step.path("ref").asText();
            Matcher mapped = MAPPING.matcher(step.path("method").asText());
            Matcher named = VARIABLES.matcher(step.path("method").asText());
            if (kind.equals("setVariable") && step.path("name").asText().equals("graphql")) {
                document = resolve(step.path("expression").path("constant").path("expression").asText(), defaults);
            } else if (kind.equals("bean") && ref.equals("mappings") && mapped.find()) {
                mapping = resolve("{{" + mapped.group(1) + "}}", defaults);
                variable = null;
            } else if (kind.equals("bean") && ref.equals("vendureGraphql") && named.find()) {
                variable = named.group(1);
                mapping = null;
            } else if (kind.equals("to") && step.path("uri").asText().equals("direct:{{channel}}-call")) {
                assertThat(document).as("%s: a call without a document", id).isNotNull();
                assertThat(mapping != null || variable != null).as("%s: a call of %s without variables", id, document)
                        .isTrue();
                calls.add(new Call(id, api, document, mapping, variable));
                document = null;
                mapping = null;
                variable = null;
            }
        }
    }

    @Test
    void theRoutesSendEveryDocumentUnderMappingsAndNoOther() throws IOException {
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> paths = Files.list(MAPPINGS.resolve("vendure"))) {
            paths.filter(p -> p.toString().endsWith(".graphql")).forEach(p -> files.add(MAPPINGS.relativize(p).toString()));
        }
        List<Call> calls = calls();

        assertThat(calls).extracting(Call::api).allMatch(APIS::containsKey);
        assertThat(new TreeSet<>(calls.stream().map(Call::document).toList())).isEqualTo(files);
        assertThat(calls.stream().filter(c -> c.variable() != null).map(Call::variable)).allMatch(named()::containsKey);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void aCallsDocumentAndVariablesAreValidForVendure(Call call) throws IOException {
        List<String> variables = new ArrayList<>();
        if (call.mapping() != null) {
            String kind = Path.of(call.mapping()).getFileName().toString().replace(".jsonata", "");
            try (Stream<Path> inputs = Files.list(GOLDEN.resolve(Path.of(call.mapping()).getParent()))) {
                for (Path input : inputs.filter(p -> p.getFileName().toString().matches(
                        Pattern.quote(kind) + "-.*\\.input\\.json")).sorted().toList()) {
                    variables.add(JsonataMappings.run(MAPPINGS.resolve(call.mapping()), Files.readString(input)));
                }
            }
            assertThat(variables).as("golden inputs of %s", call.mapping()).isNotEmpty();
        } else {
            for (Object value : named().get(call.variable())) {
                variables.add(JSON.writeValueAsString(graphql.variables(call.variable(), value)));
            }
        }
        for (String v : variables) {
            assertThat(violations(call.api(), uploaded(graphql.request(call.document(), v)))).as("%s with %s", call, v)
                    .isEmpty();
        }
    }

    /** The login as VendureSessions sends it (taken from the wire). */
    @Test
    void theLoginIsValidForVendure() {
        try (ChannelStub stub = new ChannelStub()) {
            Channels channels = new Channels(new ChannelsProperties(Map.of("shop", new ChannelProperties(
                    "vendure", true, stub.baseUrl(), 0, 100, 10, 1, true,
                    Map.of("username", "kanaal", "password", "secret"), Map.of(), Map.of()))));
            stub.script("/admin-api", Reply.of(200, "{\"data\":{\"login\":{\"id\":\"1\",\"identifier\":\"kanaal\"}}}")
                    .withHeader("vendure-auth-token", "token-1"));
            new VendureSessions(channels, JSON).authorization("shop");

            ChannelStub.Request login = stub.requests("/admin-api").get(0);
            assertThat(violations("admin-api", login.body())).as(login.body()).isEmpty();
        }
    }

    /**
     * A request body as Vendure runs it: an upload (createAssets) goes as a GraphQL multipart request whose operations
     * have the file null, and whose map puts the uploaded file at {@code variables.input.0.file}
     * ({@link VendureGraphql#request(String, Object, io.kanaal.channel.vendure.VendureAssets.Image)}); Vendure's
     * upload middleware puts the file there before the variables are coerced, so a stand-in takes its place here.
     */
    private static String uploaded(String requestBody) throws IOException {
        JsonNode body = JSON.readTree(requestBody);
        JsonNode first = body.path("variables").path("input").path(0);
        if (body.path("query").asText().contains("CreateAssetInput") && first.has("file")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) first).put("file", "the uploaded file (part 0)");
        }
        return body.toString();
    }

    /**
     * What Vendure would refuse of a request body ({@code {"query", "variables"}}) before running it: the document's
     * validation errors and the variables that do not coerce to their types. Empty when it takes it.
     */
    static List<String> violations(String api, String requestBody) {
        JsonNode body;
        try {
            body = JSON.readTree(requestBody);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> variables = JSON.convertValue(body.path("variables"), Map.class);
        ExecutionInput input = ExecutionInput.newExecutionInput(body.path("query").asText()).variables(variables).build();
        assertThat(APIS).as("Vendure's APIs").containsKey(api);
        return APIS.get(api).execute(input).getErrors().stream()
                .filter(e -> e.getErrorType() == ErrorType.ValidationError || e.getErrorType() == ErrorType.InvalidSyntax)
                .map(GraphQLError::getMessage).toList();
    }

    /**
     * A schema from its introspection ({@code data} of the introspection query), its fields answering null (only
     * what happens before execution matters here); the scalar DateTime takes RFC 3339 text as Vendure's does
     * (graphql-scalars), Money whole numbers (minor units), the other custom scalars anything.
     */
    private static GraphQLSchema schema(Map<String, Object> introspection) {
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring().wiringFactory(new MockedWiringFactory() {
            @Override
            public boolean providesScalar(ScalarWiringEnvironment environment) {
                return !ScalarInfo.isGraphqlSpecifiedScalar(environment.getScalarTypeDefinition().getName());
            }

            @Override
            public GraphQLScalarType getScalar(ScalarWiringEnvironment environment) {
                String name = environment.getScalarTypeDefinition().getName();
                return name.equals("DateTime") ? DATE_TIME : name.equals("Money") ? MONEY
                        : name.equals("Upload") ? UPLOAD : super.getScalar(environment);
            }
        }).build();
        return new SchemaGenerator().makeExecutableSchema(
                new SchemaParser().buildRegistry(new IntrospectionResultToSchema().createSchemaDefinition(introspection)),
                wiring);
    }

    private static final GraphQLScalarType DATE_TIME = scalar("DateTime", value -> {
        if (value instanceof String text) {
            try {
                return OffsetDateTime.parse(text);
            } catch (DateTimeParseException e) {
                throw new CoercingParseValueException("DateTime cannot represent an invalid date-time: " + text);
            }
        }
        throw new CoercingParseValueException("DateTime cannot represent a non-string value: " + value);
    });

    /**
     * Vendure's Money takes any finite number; Kanaal's are whole minor units (cents), so a fraction fails here: Vendure
     * would take 22.95 as 22.95 cents.
     */
    private static final GraphQLScalarType MONEY = scalar("Money", value -> {
        if (value instanceof Number number && new BigDecimal(number.toString()).stripTrailingZeros().scale() <= 0) {
            return number;
        }
        throw new CoercingParseValueException("Money in minor units cannot represent " + value);
    });

    /** Vendure's Upload: the file its upload middleware put in the variables ({@link #uploaded}). */
    private static final GraphQLScalarType UPLOAD = scalar("Upload", value -> value);

    /** A custom scalar whose values (variables, and literals as their text or number) are taken by {@code parse}. */
    private static GraphQLScalarType scalar(String name, Function<Object, Object> parse) {
        return GraphQLScalarType.newScalar().name(name).coercing(new Coercing<Object, Object>() {
            @Override
            public Object serialize(Object value, GraphQLContext context, Locale locale) {
                return value;
            }

            @Override
            public Object parseValue(Object value, GraphQLContext context, Locale locale) {
                return parse.apply(value);
            }

            @Override
            public Object parseLiteral(Value<?> literal, CoercedVariables variables, GraphQLContext context,
                                       Locale locale) {
                Object value = literal instanceof StringValue text ? text.getValue()
                        : literal instanceof IntValue number ? number.getValue()
                        : literal instanceof FloatValue number ? number.getValue() : literal;
                try {
                    return parse.apply(value);
                } catch (CoercingParseValueException e) {
                    throw new CoercingParseLiteralException(e.getMessage());
                }
            }
        }).build();
    }
}
