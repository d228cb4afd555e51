package io.kanaal.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards Kanaal's HTTP paths before any route sees the request. Every request's body is limited: over
 * {@code kanaal.api.max-body-size} ({@code max-product-body-size} for {@code POST /api/v1/products}) it gets 413 (by
 * its Content-Length, or as it is read), and a body that is not UTF-8 gets 400. The ERP API ({@code /api/**}) needs
 * an API key: a missing or wrong one gets 401. The published descriptions ({@code /api/v1/openapi.json},
 * {@code /api/v1/schemas/**}) are open. The authenticated client's name reaches the routes as header
 * {@code X-Kanaal-Client}, whatever the request sent under that name. The ops endpoints ({@code /api/v1/ops/**})
 * take the operators' own keys ({@code kanaal.api.ops-keys}) only: an ERP client's key gets 403, and without any
 * operator key they are closed (403, naming the setting). An operator's key opens nothing else. Channel webhooks
 * ({@code /webhooks/**}) prove who they are by signature, feeds by their token, not by API key.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiGuardFilter extends OncePerRequestFilter {

    public static final String CLIENT_HEADER = "X-Kanaal-Client";
    /** Request attribute: the name of the client whose key opened the request (the console's security reads it). */
    public static final String CLIENT_ATTRIBUTE = ApiGuardFilter.class.getName() + ".client";
    static final String OPS_PATH = "/api/v1/ops/";

    private final ApiProperties properties;
    private final ObjectMapper json;

    public ApiGuardFilter(ApiProperties properties, ObjectMapper json) {
        this.properties = properties;
        this.json = json;
    }

    /**
     * The path the request is served by, as the servlet container mapped it: decoded, path parameters
     * ({@code ;x}) removed, {@code .} and {@code ..} resolved and double slashes merged. Not the raw
     * {@link HttpServletRequest#getRequestURI()}: {@code /webhooks/../api/v1/stock} or {@code /api;x/v1/stock}
     * would pass a check on it while reaching the ERP API.
     */
    static String servedPath(HttpServletRequest request) {
        String info = request.getPathInfo();
        return request.getServletPath() + (info == null ? "" : info);
    }

    /** Paths that need no API key: the published descriptions, webhooks (signed), feeds (token), the demo's sandbox. */
    private static String keyless(String path) {
        if (path.startsWith("/webhooks/")) {
            return "webhook";
        }
        if (!path.startsWith("/api/") || path.equals("/api/v1/openapi.json") || path.startsWith("/api/v1/schemas/")) {
            return "anonymous";
        }
        return null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = servedPath(request);
        if (path.startsWith(OPS_PATH) && presentedKey(request) == null && request.getRequestedSessionId() != null) {
            // no key but a console session: the ops API's security filter chain decides (docs/console.md)
            chain.doFilter(request, response);
            return;
        }
        // ops endpoints take the operators' keys; everything else the ERP clients' keys
        boolean ops = path.startsWith("/api/v1/ops/") || path.equals("/api/v1/ops");
        if (ops && properties.opsKeys().isEmpty()) {
            problem(response, 403, "Forbidden", "The ops endpoints are closed: no operator key is configured "
                    + "(kanaal.api.ops-keys.<name>, e.g. KANAAL_API_OPSKEYS_OPS); an ERP client's key does not open them");
            return;
        }
        Map<String, String> keys = ops ? properties.opsKeys() : properties.keys();
        String client = keyless(path);
        if (client == null) {
            client = authenticate(request, keys);
        }
        if (client == null) {
            if (authenticate(request, ops ? properties.keys() : properties.opsKeys()) != null) {
                problem(response, 403, "Forbidden", ops ? "An ERP client's key does not open the ops endpoints"
                        : "An operator's key opens only the ops endpoints");
                return;
            }
            response.setHeader("WWW-Authenticate", "ApiKey header=\"X-API-Key\"");
            problem(response, 401, "Unauthorized", "A valid API key is required in header X-API-Key");
            return;
        }
        long max = (path.equals("/api/v1/products") ? properties.maxProductBodySize() : properties.maxBodySize()).toBytes();
        if (request.getContentLengthLong() > max) {
            problem(response, 413, "Payload Too Large", "The body is larger than " + max + " bytes");
            return;
        }
        if (path.equals("/console") || path.startsWith("/console/")) {
            // the console's forms are read by the servlet container as parameters (Spring Security's sign-in and
            // CSRF token among them), which a body read here would leave empty; a form sent without a
            // Content-Length is bounded by server.tomcat.max-http-form-post-size
            chain.doFilter(request, response);
            return;
        }
        byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (body.length > max) {
            // a body sent without Content-Length (chunked) is measured as it is read
            problem(response, 413, "Payload Too Large", "The body is larger than " + max + " bytes");
            return;
        }
        if (names(request.getQueryString(), CLIENT_HEADER) || (request.getContentType() != null
                && request.getContentType().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                && names(new String(body, StandardCharsets.ISO_8859_1), CLIENT_HEADER))) {
            // Camel's servlet binding makes query (and form) parameters headers: one named like the client's
            // header would reach the routes beside the authenticated name
            problem(response, 400, "Bad request", CLIENT_HEADER + " is set by Kanaal from the API key; it cannot be "
                    + "sent as a parameter");
            return;
        }
        if (!utf8(body)) {
            // a JSON body is UTF-8 (RFC 8259); decoded leniently, its bad bytes would reach the routes as
            // replacement characters and a webhook's order would be taken in garbled
            problem(response, 400, "The body is not valid UTF-8", "JSON must be sent as UTF-8");
            return;
        }
        request.setAttribute(CLIENT_ATTRIBUTE, client);
        chain.doFilter(new GuardedRequest(request, client, body), response);
    }

    private static String presentedKey(HttpServletRequest request) {
        String presented = request.getHeader("X-API-Key");
        if (presented == null) {
            String authorization = request.getHeader("Authorization");
            if (authorization != null && authorization.startsWith("Bearer ")) {
                presented = authorization.substring(7).trim();
            }
        }
        return presented == null || presented.isEmpty() ? null : presented;
    }

    private static String authenticate(HttpServletRequest request, Map<String, String> keys) {
        String presented = presentedKey(request);
        if (presented == null) {
            return null;
        }
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        String match = null;
        for (Map.Entry<String, String> key : keys.entrySet()) {
            if (key.getValue() != null && !key.getValue().isBlank()
                    && MessageDigest.isEqual(given, key.getValue().getBytes(StandardCharsets.UTF_8))) {
                match = key.getKey();
            }
        }
        return match;
    }

    private void problem(HttpServletResponse response, int status, String title, String detail) throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        json.writeValue(response.getOutputStream(), Map.of("status", status, "title", title, "detail", detail));
    }

    /** Whether a query string (or form body) has a parameter of this name, in any case and encoding. */
    static boolean names(String query, String name) {
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String parameter : query.split("&")) {
            String key = parameter.split("=", 2)[0];
            try {
                key = URLDecoder.decode(key, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // not decodable: compared as it is
            }
            if (key.trim().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean utf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Carries the client's name and the body, already read and measured. */
    private static final class GuardedRequest extends HttpServletRequestWrapper {
        private final String client;
        private final byte[] body;

        GuardedRequest(HttpServletRequest request, String client, byte[] body) {
            super(request);
            this.client = client;
            this.body = body;
        }

        @Override
        public String getHeader(String name) {
            return CLIENT_HEADER.equalsIgnoreCase(name) ? client : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return CLIENT_HEADER.equalsIgnoreCase(name)
                    ? Collections.enumeration(List.of(client)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = Collections.list(super.getHeaderNames());
            names.removeIf(CLIENT_HEADER::equalsIgnoreCase);
            names.add(CLIENT_HEADER);
            return Collections.enumeration(names);
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body),
                    encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already read");
                }
            };
        }
    }
}
