package io.kanaal.channel.vendure;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.channel.ChannelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Product images to Vendure, for the template vendure-asset (routes/channels/vendure.camel.yaml). Vendure's Admin API
 * makes assets only of uploaded files, so each image URL is fetched (bounded in size and time) and uploaded once per
 * channel: the asset id Vendure gave it is kept in table {@code vendure_asset}, and an image shared by products or
 * sent again is not fetched again.
 */
@Component("vendureAssets")
public class VendureAssets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public VendureAssets(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** An image fetched for upload: its bytes (not in its JSON, which the asset mapping reads). */
    public record Image(String url, String fileName, String contentType, int size, @JsonIgnore byte[] bytes) {
    }

    /** Whether the channel's Vendure has no asset of this URL yet. */
    public boolean unknown(String channel, @Body String url) {
        return jdbc.queryForList("SELECT asset_id FROM vendure_asset WHERE channel = ? AND url = ?", String.class,
                channel, url).isEmpty();
    }

    /** The asset ids the channel's Vendure has of the images of a payload and its model's ({@link #urls}), by URL. */
    public Map<String, String> ids(String channel, String payload, String model) throws IOException {
        Map<String, String> ids = new LinkedHashMap<>();
        for (String url : urls(payload, model)) {
            jdbc.query("SELECT asset_id FROM vendure_asset WHERE channel = ? AND url = ?",
                    row -> { ids.put(url, row.getString(1)); }, channel, url);
        }
        return ids;
    }

    /**
     * The image at the URL, for upload. Rejected (the product as it is will not pass) when the URL answers other than
     * 2xx, is not an image, or is larger than {@code maxBytes}; retried when it cannot be reached or takes longer
     * than {@code timeoutSeconds}.
     */
    public Image fetch(@Body String url, int timeoutSeconds, int maxBytes) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(timeoutSeconds)).GET().build();
        } catch (IllegalArgumentException e) {
            throw ChannelException.rejected("image " + url + " is not a URL Kanaal can fetch: " + e.getMessage());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ChannelException.unavailable("image " + url + " could not be fetched: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ChannelException.unavailable("interrupted fetching image " + url);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() < 200 || response.statusCode() >= 300) {
                throw ChannelException.rejected("image " + url + " answered HTTP " + response.statusCode()
                        + ": correct the product's image URL");
            }
            String contentType = response.headers().firstValue("Content-Type").orElse("")
                    .replaceFirst(";.*", "").strip().toLowerCase();
            if (!contentType.startsWith("image/")) {
                throw ChannelException.rejected("image " + url + " is not an image (Content-Type '" + contentType + "')");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int read; (read = body.read(buffer)) != -1; ) {
                if (bytes.size() + read > maxBytes) {
                    throw ChannelException.rejected("image " + url + " is larger than " + maxBytes
                            + " bytes, the most this channel uploads (setting image-max-bytes)");
                }
                bytes.write(buffer, 0, read);
            }
            return new Image(url, fileName(url, contentType), contentType, bytes.size(), bytes.toByteArray());
        } catch (IOException e) {
            // includes the request's timeout while the body is read
            throw ChannelException.unavailable("image " + url + " could not be read: " + e);
        }
    }

    /** The asset Vendure made of the upload ({@code data} of vendure/create-assets.graphql), kept for the URL. */
    public String created(String channel, Image image, @Body String data) throws IOException {
        JsonNode asset = JSON.readTree(data).path("createAssets").path(0);
        String id = asset.path("id").asText(null);
        if (id == null) {
            throw ChannelException.rejected("channel " + channel + ": Vendure made no asset of image " + image.url() + ": "
                    + VendureGraphql.abbreviate(asset.isMissingNode() ? data : asset.toString()));
        }
        jdbc.update("INSERT INTO vendure_asset (channel, url, asset_id) VALUES (?, ?, ?) ON CONFLICT (channel, url)"
                + " DO UPDATE SET asset_id = EXCLUDED.asset_id, created_at = now()", channel, image.url(), id);
        return id;
    }

    /** The URL's last path segment as the file's name (Vendure names the asset after it), else image.<subtype>. */
    static String fileName(String url, String contentType) {
        String path = URI.create(url).getPath();
        String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        String subtype = contentType.substring(contentType.indexOf('/') + 1).replaceAll("[^a-z0-9]", "");
        return last.isBlank() ? "image." + subtype : last.contains(".") ? last : last + "." + subtype;
    }

    /** The image URLs of a product's payload and of its model's (when it is a variant), each once. */
    public List<String> urls(String payload, String model) throws IOException {
        java.util.LinkedHashSet<String> urls = new java.util.LinkedHashSet<>();
        for (String json : new String[] {payload, model}) {
            if (json != null) {
                JSON.readTree(json).path("images").forEach(url -> urls.add(url.asText()));
            }
        }
        return List.copyOf(urls);
    }
}
