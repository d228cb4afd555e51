package io.kanaal.channel.feed;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The two feed formats (facts from ../shared/specs/feeds, cited in docs/channels/feed.md):
 * <ul>
 *   <li>{@code google}: Google Merchant Center's RSS 2.0 feed, attributes in the {@code g:} namespace, a repeated
 *       element for each of a list's values (additional_image_link), availability {@code in_stock} /
 *       {@code out_of_stock};</li>
 *   <li>{@code meta}: Meta's commerce catalog CSV feed, a header row, a list's values comma-separated in one field,
 *       availability {@code in stock} / {@code out of stock} / {@code discontinued}, and
 *       {@code quantity_to_sell_on_facebook}.</li>
 * </ul>
 * Each item is the product mapping's output; {@code link} comes from the feed's {@code link} setting ({sku}
 * replaced), availability from the quantity the feed should show, and the item's {@code status} (active,
 * discontinued) is read, not written.
 */
enum FeedFormat {

    GOOGLE("application/rss+xml; charset=UTF-8"),
    META("text/csv; charset=UTF-8");

    static final String GOOGLE_NAMESPACE = "http://base.google.com/ns/1.0";
    /** Meta's columns, in the order of Meta's sample feed, then the optional ones Kanaal fills. */
    static final List<String> META_COLUMNS = List.of("id", "title", "description", "availability", "condition", "price",
            "link", "image_link", "brand", "gtin", "item_group_id", "product_type", "additional_image_link", "sale_price",
            "sale_price_effective_date", "color", "size", "material", "quantity_to_sell_on_facebook");

    private final String contentType;

    FeedFormat(String contentType) {
        this.contentType = contentType;
    }

    /** One product of the feed: the mapped item and the quantity the channel should show. */
    record Item(JsonNode fields, int quantity) {
    }

    static FeedFormat of(String setting) {
        try {
            return valueOf(setting.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("feed format '" + setting + "': google or meta", e);
        }
    }

    String contentType() {
        return contentType;
    }

    void write(String site, Map<String, String> settings, List<Item> items, OutputStream out) throws IOException {
        if (this == GOOGLE) {
            writeRss(site, settings, items, out);
        } else {
            writeCsv(settings, items, out);
        }
    }

    private void writeRss(String site, Map<String, String> settings, List<Item> items, OutputStream out) throws IOException {
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeStartElement("rss");
            xml.writeNamespace("g", GOOGLE_NAMESPACE);
            xml.writeAttribute("version", "2.0");
            xml.writeStartElement("channel");
            element(xml, null, "title", settings.getOrDefault("title", "Products"));
            element(xml, null, "link", site);
            element(xml, null, "description", settings.getOrDefault("description", "Products"));
            for (Item item : items) {
                xml.writeStartElement("item");
                for (Map.Entry<String, List<String>> field : fields(settings, item).entrySet()) {
                    for (String value : field.getValue()) {
                        element(xml, GOOGLE_NAMESPACE, field.getKey(), value);
                    }
                }
                xml.writeEndElement();
            }
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IOException("feed: " + e.getMessage(), e);
        }
    }

    private static void element(XMLStreamWriter xml, String namespace, String name, String value) throws XMLStreamException {
        if (namespace == null) {
            xml.writeStartElement(name);
        } else {
            xml.writeStartElement("g", name, namespace);
        }
        xml.writeCharacters(value);
        xml.writeEndElement();
    }

    private void writeCsv(Map<String, String> settings, List<Item> items, OutputStream out) throws IOException {
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        try (CSVPrinter csv = CSVFormat.RFC4180.builder().setHeader(META_COLUMNS.toArray(String[]::new)).get().print(writer)) {
            for (Item item : items) {
                Map<String, List<String>> fields = fields(settings, item);
                List<String> row = new ArrayList<>();
                for (String column : META_COLUMNS) {
                    row.add(String.join(",", fields.getOrDefault(column, List.of())));
                }
                csv.printRecord(row);
            }
        }
    }

    /** The item's attributes as this format writes them, each with its values (most have one). */
    private Map<String, List<String>> fields(Map<String, String> settings, Item item) {
        Map<String, List<String>> fields = new java.util.LinkedHashMap<>();
        item.fields().fields().forEachRemaining(field -> {
            List<String> values = new ArrayList<>();
            if (field.getValue().isArray()) {
                field.getValue().forEach(value -> values.add(value.asText()));
            } else if (!field.getValue().isNull()) {
                values.add(field.getValue().asText());
            }
            if (!values.isEmpty() && !field.getKey().equals("status")) {
                fields.put(field.getKey(), values);
            }
        });
        String sku = item.fields().path("id").asText();
        String link = settings.get("link");
        if (link != null) {
            fields.put("link", List.of(link.replace("{sku}", URLEncoder.encode(sku, StandardCharsets.UTF_8).replace("+", "%20"))));
        }
        boolean discontinued = "discontinued".equals(item.fields().path("status").asText());
        boolean inStock = item.quantity() > 0 && !discontinued;
        fields.put("availability", List.of(switch (this) {
            case GOOGLE -> inStock ? "in_stock" : "out_of_stock";
            case META -> discontinued ? "discontinued" : inStock ? "in stock" : "out of stock";
        }));
        if (this == META) {
            fields.put("quantity_to_sell_on_facebook", List.of(Integer.toString(Math.max(0, item.quantity()))));
        }
        return fields;
    }
}
