package io.kanaal.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.TestSftp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sources of type file, made of configuration and the shipped example mappings only: a folder of stock files
 * (CSV, XLSX), a folder of product files (JSON), and a folder on an SFTP server (Apache MINA SSHD on loopback).
 * What a user checks: the levels and products at the channel stub, the file in the done or error folder with its
 * report, the refused lines in the report and on DLQ.kanaal.source.&lt;id&gt;, and GET /api/v1/ops/sources.
 */
class FileSourceTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("target", "file-source-test", UUID.randomUUID().toString()).toAbsolutePath();
    private static final Path STOCK = ROOT.resolve("stock");
    private static final Path PRODUCTS = ROOT.resolve("products");
    private static final Path SFTP_ROOT = ROOT.resolve("sftp");
    private static final TestSftp SFTP = TestSftp.start(SFTP_ROOT, "outgoing");

    @DynamicPropertySource
    static void sources(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "file-sources");
        registry.add("kanaal.sources.stock-files.type", () -> "file");
        registry.add("kanaal.sources.stock-files.settings.directory", STOCK::toString);
        registry.add("kanaal.sources.stock-files.settings.provides", () -> "stock");
        registry.add("kanaal.sources.stock-files.settings.mapping", () -> "sources/file-stock-csv.jsonata");
        registry.add("kanaal.sources.stock-files.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.stock-files.settings.read-lock-interval", () -> "200");
        registry.add("kanaal.sources.stock-files.settings.batch-size", () -> "2");
        registry.add("kanaal.sources.product-files.type", () -> "file");
        registry.add("kanaal.sources.product-files.settings.directory", PRODUCTS::toString);
        registry.add("kanaal.sources.product-files.settings.include", () -> "*.json");
        registry.add("kanaal.sources.product-files.settings.provides", () -> "products");
        registry.add("kanaal.sources.product-files.settings.mapping", () -> "sources/file-product-json.jsonata");
        registry.add("kanaal.sources.product-files.settings.records-field", () -> "products");
        registry.add("kanaal.sources.product-files.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.product-files.settings.read-lock-interval", () -> "200");
        registry.add("kanaal.sources.sftp-files.type", () -> "file");
        SFTP.sourceSettings("outgoing").forEach((key, value) -> registry.add("kanaal.sources.sftp-files.settings." + key, () -> value));
        registry.add("kanaal.sources.sftp-files.settings.delimiter", () -> ";");
        registry.add("kanaal.sources.sftp-files.settings.provides", () -> "stock");
        registry.add("kanaal.sources.sftp-files.settings.mapping", () -> "sources/file-stock-csv.jsonata");
        registry.add("kanaal.sources.sftp-files.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.sftp-files.settings.read-lock-interval", () -> "200");
        // no poll-cron: the type's default
        registry.add("kanaal.sources.idle-files.type", () -> "file");
        registry.add("kanaal.sources.idle-files.settings.directory", () -> ROOT.resolve("idle").toString());
        registry.add("kanaal.sources.idle-files.settings.provides", () -> "stock");
        registry.add("kanaal.sources.idle-files.settings.mapping", () -> "sources/file-stock-csv.jsonata");
    }

    @AfterAll
    static void stopSftp() throws IOException {
        SFTP.close();
    }

    @Test
    void aCsvStockFileReachesTheChannelAndMovesToDoneWithItsReportAndAnOlderFileChangesNothing() throws Exception {
        String a = sku();
        String b = sku();
        byte[] csv = ("sku,quantity,warehouse,updated_at\n" + a + ",7,,\n" + b + ",3,AMS,\n").getBytes(StandardCharsets.UTF_8);
        drop(STOCK, "stock-1.csv", csv, null);

        // 7 and 3 less the shop's safety buffer of 2
        await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + a) == 5 && lastQuantity("/shop/stock/" + b) == 1);
        JsonNode report = awaitReport(STOCK.resolve(".done"), "stock-1.csv");
        assertThat(report.path("rows").asInt()).isEqualTo(2);
        assertThat(report.path("taken").asInt()).isEqualTo(2);
        assertThat(report.path("refused").asInt()).isZero();
        assertThat(moved(STOCK.resolve(".done"), "stock-1.csv")).hasBinaryContent(csv);
        assertThat(STOCK.resolve("stock-1.csv")).doesNotExist();

        // a file from before it (an hour older), read only now: its levels are older versions and change nothing;
        // that is also why a file read again after a crash (the same time, the same versions) sends nothing twice
        FileTime older = FileTime.from(Files.getLastModifiedTime(moved(STOCK.resolve(".done"), "stock-1.csv")).toInstant()
                .minus(Duration.ofHours(1)));
        drop(STOCK, "stock-0.csv", ("sku,quantity,warehouse,updated_at\n" + a + ",1,,\n").getBytes(StandardCharsets.UTF_8), older);
        assertThat(awaitReport(STOCK.resolve(".done"), "stock-0.csv").path("taken").asInt()).as("accepted, then dropped as stale")
                .isEqualTo(1);
        awaitExactly(() -> SHOP.succeeded("/shop/stock/" + a).size() == 1 && lastQuantity("/shop/stock/" + a) == 5);
        JsonNode status = source("stock-files");
        assertThat(status.path("files").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(status.path("taken").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(status.path("watermark").asText()).as("the last file read").isNotEmpty();
    }

    @Test
    void theBadLinesOfACsvAreReportedWithTheirLineNumbersAndDeadLetteredWhileTheGoodOnesAreTaken() throws Exception {
        String good1 = sku();
        String fields = sku();
        String negative = sku();
        String notNumber = sku();
        String good2 = sku();
        drop(STOCK, "stock-2.csv", String.join("\n",
                "sku,quantity,warehouse,updated_at",
                good1 + ",5,,",
                "",
                fields + ",3,AMS",
                negative + ",-4,,",
                notNumber + ",many,,",
                good2 + ",6,,", "").getBytes(StandardCharsets.UTF_8), null);

        await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + good1) == 3 && lastQuantity("/shop/stock/" + good2) == 4);
        JsonNode report = awaitReport(STOCK.resolve(".done"), "stock-2.csv");
        assertThat(report.path("taken").asInt()).isEqualTo(2);
        assertThat(report.path("refused").asInt()).isEqualTo(3);
        List<JsonNode> refused = report.path("refusedRows").findParents("line");
        assertThat(refused).extracting(line -> line.path("line").asInt()).containsExactly(4, 5, 6);
        assertThat(refused.get(0).path("reason").asText()).contains("3 fields, the header 4");
        assertThat(refused.get(1).path("reason").asText()).contains("quantity");
        assertThat(refused.get(2).path("reason").asText()).contains("mapping failed");
        for (String sku : List.of(fields, negative, notNumber)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !deadLetters("DLQ.kanaal.source.stock-files", sku).isEmpty());
            assertThat(SHOP.requests("/shop/stock/" + sku)).isEmpty();
        }
        JsonNode letter = deadLetters("DLQ.kanaal.source.stock-files", negative).get(0);
        assertThat(letter.toString()).contains("stock-2.csv").contains("\\\"line\\\":5");
        assertThat(source("stock-files").path("rejected").asLong()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anXlsxStockFileIsReadAndAFileThatCannotBeReadGoesToErrorWithItsReport() throws Exception {
        String sku = sku();
        drop(STOCK, "stock-3.xlsx", workbook(sku, 9), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + sku) == 7);
        assertThat(awaitReport(STOCK.resolve(".done"), "stock-3.xlsx").path("taken").asInt()).isEqualTo(1);

        byte[] corrupt = "PK\u0003\u0004 this is not a workbook".getBytes(StandardCharsets.ISO_8859_1);
        drop(STOCK, "stock-4.xlsx", corrupt, null);
        JsonNode report = awaitReport(STOCK.resolve(".error"), "stock-4.xlsx");
        assertThat(report.path("error").asText()).contains("xlsx");
        assertThat(report.path("taken").asInt()).isZero();
        assertThat(moved(STOCK.resolve(".error"), "stock-4.xlsx")).hasBinaryContent(corrupt);
        JsonNode status = source("stock-files");
        assertThat(status.path("filesRefused").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(status.path("lastError").asText()).contains("stock-4.xlsx");
    }

    @Test
    void aJsonProductFileReachesTheChannel() throws Exception {
        String sku = sku();
        drop(PRODUCTS, "products-1.json", ("""
                {"exported": "2026-12-07", "products": [
                  {"code": "%s", "ean": "8712345678906", "brand": "Kanaal Wear", "names": {"nl": "Trui", "en": "Sweater"},
                   "price": 40, "currency": "EUR", "pictures": ["https://img.example.com/%s.jpg"]}
                ]}
                """).formatted(sku, sku).getBytes(StandardCharsets.UTF_8), null);

        await().atMost(Duration.ofSeconds(20)).until(() -> !SHOP.succeeded("/shop/products/" + sku).isEmpty());
        JsonNode sent = JSON.readTree(SHOP.succeeded("/shop/products/" + sku).get(0).body());
        assertThat(sent.path("title").asText()).isEqualTo("Trui");
        // 40 + 10%, up to the next .95 (the shop's price rule)
        assertThat(sent.path("price").decimalValue()).isEqualByComparingTo("44.95");
        assertThat(awaitReport(PRODUCTS.resolve(".done"), "products-1.json").path("taken").asInt()).isEqualTo(1);
    }

    @Test
    void aCsvFileOnAnSftpServerIsFetchedTakenAndMovedToDoneThereWithItsReport() throws Exception {
        String sku = sku();
        Path outgoing = SFTP_ROOT.resolve("outgoing");
        drop(outgoing, "stock-5.csv", ("sku;quantity;warehouse;updated_at\n" + sku + ";12;;\n").getBytes(StandardCharsets.UTF_8), null);

        await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + sku) == 10);
        assertThat(awaitReport(outgoing.resolve(".done"), "stock-5.csv").path("taken").asInt()).isEqualTo(1);
        assertThat(outgoing.resolve("stock-5.csv")).doesNotExist();
        assertThat(source("sftp-files").path("files").asLong()).isEqualTo(1);
    }

    /** A SKU no other test uses, with a Bol offer (the test Kanaal's Bol channels take every level too). */
    private String sku() {
        return withBolOffer("FILE-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Writes the file beside the folder and moves it in, as a system that drops files should. */
    private static void drop(Path folder, String name, byte[] content, FileTime modified) throws IOException {
        Files.createDirectories(folder);
        Path written = Files.write(folder.resolveSibling(name + ".part"), content);
        if (modified != null) {
            Files.setLastModifiedTime(written, modified);
        }
        Files.move(written, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The file as moved into the folder ({@code <stamp>-<name>}); fails when it is not there. */
    private static Path moved(Path folder, String name) throws IOException {
        return find(folder, "-" + name).orElseThrow(() -> new AssertionError("no " + name + " in " + folder));
    }

    private static JsonNode awaitReport(Path folder, String name) throws IOException {
        await().atMost(Duration.ofSeconds(20)).until(() -> find(folder, "-" + name + ".report.json").isPresent()
                && find(folder, "-" + name).isPresent());
        return JSON.readTree(find(folder, "-" + name + ".report.json").orElseThrow().toFile());
    }

    private static Optional<Path> find(Path folder, String suffix) throws IOException {
        if (!Files.isDirectory(folder)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(suffix)).findFirst();
        }
    }

    private static byte[] workbook(String sku, int quantity) throws IOException {
        try (XSSFWorkbook workbook = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            Sheet sheet = workbook.createSheet("Voorraad");
            Row header = sheet.createRow(0);
            String[] columns = {"sku", "quantity", "warehouse", "updated_at"};
            for (int i = 0; i < columns.length; i++) {
                header.createCell(i).setCellValue(columns[i]);
            }
            Row row = sheet.createRow(1);
            row.createCell(0).setCellValue(sku);
            row.createCell(1).setCellValue(quantity);
            workbook.write(out);
            return out.toByteArray();
        }
    }

    @Test
    void opsShowTheCronEachFileSourceIsLookedIntoOnItsOwnOrItsTypesDefault() throws Exception {
        assertThat(source("stock-files").path("pollCron").asText()).isEqualTo("0/1 * * * * ?");
        assertThat(source("idle-files").path("pollCron").asText()).as("file's default, routes/sources/file.camel.yaml")
                .isEqualTo("0/10 * * * * ?");
    }

    private JsonNode source(String id) throws Exception {
        for (JsonNode source : ops("/api/v1/ops/sources")) {
            if (id.equals(source.path("source").asText())) {
                return source;
            }
        }
        throw new AssertionError("no source " + id);
    }
}
