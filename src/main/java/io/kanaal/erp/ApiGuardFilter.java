package io.kanaal.erp;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the ERP API ({@code /api/**}) before any body is read: a missing or wrong API key gets 401,
 * a body over {@code kanaal.api.max-body-size} gets 413. The published descriptions
 * ({@code /api/v1/openapi.json}, {@code /api/v1/schemas/**}) are open. The authenticated client's name
 * reaches the routes as header {@code X-Kanaal-Client}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiGuardFilter extends OncePerRequestFilter {

    public static final String CLIENT_HEADER = "X-Kanaal-Client";

    private final ApiProperties properties;
    private final ObjectMapper json;

    public ApiGuardFilter(ApiProperties properties, ObjectMapper json) {
        this.properties = properties;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !path.startsWith("/api/") || path.equals("/api/v1/openapi.json") || path.startsWith("/api/v1/schemas/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String client = authenticate(request);
        if (client == null) {
            response.setHeader("WWW-Authenticate", "ApiKey header=\"X-API-Key\"");
            problem(response, 401, "Unauthorized", "A valid API key is required in header X-API-Key");
            return;
        }
        long max = properties.maxBodySize().toBytes();
        if (request.getContentLengthLong() > max) {
            problem(response, 413, "Payload Too Large", "The body is larger than " + max + " bytes");
            return;
        }
        chain.doFilter(new GuardedRequest(request, client, max), response);
    }

    private String authenticate(HttpServletRequest request) {
        String presented = request.getHeader("X-API-Key");
        if (presented == null) {
            String authorization = request.getHeader("Authorization");
            if (authorization != null && authorization.startsWith("Bearer ")) {
                presented = authorization.substring(7).trim();
            }
        }
        if (presented == null || presented.isEmpty()) {
            return null;
        }
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        String match = null;
        for (Map.Entry<String, String> key : properties.keys().entrySet()) {
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

    /** Carries the client's name, and stops reading a chunked body once it passes the limit. */
    private static final class GuardedRequest extends HttpServletRequestWrapper {
        private final String client;
        private final long max;

        GuardedRequest(HttpServletRequest request, String client, long max) {
            super(request);
            this.client = client;
            this.max = max;
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
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0) {
                        count(1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = in.read(buffer, offset, length);
                    if (n > 0) {
                        count(n);
                    }
                    return n;
                }

                private void count(int n) {
                    read += n;
                    if (read > max) {
                        throw new InvalidRequestException(413, "Payload Too Large",
                                List.of("The body is larger than " + max + " bytes"));
                    }
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
