package io.kanaal.polling;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * How a polled system writes its times, in its records and in the parameter that asks for what changed since:
 * ISO-8601 (empty), {@code epoch} (seconds), {@code epoch-millis}, or a {@link DateTimeFormatter} pattern
 * ({@code yyyy-MM-dd HH:mm:ss}) read in a zone (UTC unless the system names another). Watermarks are kept in
 * one sortable form (UTC, microseconds), so that they compare as text whatever the system writes.
 */
public record TimeFormat(String format, ZoneId zone) {

    private static final DateTimeFormatter WATERMARK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** {@code format} as the setting gives it (null or empty: ISO-8601); {@code zone} null or empty for UTC. */
    public static TimeFormat of(String format, String zone) {
        return new TimeFormat(format == null ? "" : format.strip(),
                zone == null || zone.isBlank() ? ZoneOffset.UTC : ZoneId.of(zone.strip()));
    }

    /** A time as the system wrote it, in the sortable form; the value as it is when it is not a time. */
    public String sortable(String value) {
        if (value == null) {
            return null;
        }
        try {
            return WATERMARK.format(read(value));
        } catch (DateTimeParseException | NumberFormatException e) {
            return value;
        }
    }

    /** A watermark (sortable or any ISO-8601 instant) as the system writes times. */
    public String write(String watermark) {
        Instant instant = OffsetDateTime.parse(watermark).toInstant();
        return switch (format) {
            case "" -> watermark;
            case "epoch" -> Long.toString(instant.getEpochSecond());
            case "epoch-millis" -> Long.toString(instant.toEpochMilli());
            default -> DateTimeFormatter.ofPattern(format).withZone(zone).format(instant);
        };
    }

    private Instant read(String value) {
        return switch (format) {
            case "" -> OffsetDateTime.parse(value).toInstant();
            case "epoch" -> Instant.ofEpochSecond(Long.parseLong(value.strip()));
            case "epoch-millis" -> Instant.ofEpochMilli(Long.parseLong(value.strip()));
            default -> LocalDateTime.parse(value, DateTimeFormatter.ofPattern(format)).atZone(zone).toInstant();
        };
    }
}
