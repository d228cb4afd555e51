package io.kanaal.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.order.OrderTests;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.ConsoleUsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The ops console in a real Chromium (Debian's chromium and chromium-driver), as ops use it: sign in; an order
 * pushed through a webhook shows up in the order list and opens; a dead letter replayed from its page leaves its
 * queue empty; a viewer cannot replay; a wrong password is refused. Each test leaves a screenshot in
 * {@code target/screenshots/}. Run with {@code ./mvnw -B -Pbrowser verify} (docs/testing.md).
 */
class ConsoleBrowserIT extends OrderTests {

    private static final Path CHROMIUM = Path.of(System.getProperty("kanaal.test.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("kanaal.test.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private WebDriver browser;
    private String testName;

    @BeforeAll
    static void chromiumIsInstalled() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("The browser tests need Chromium and its driver: " + CHROMIUM + " and " + CHROMEDRIVER
                    + " are not both there. Install Debian's packages: apt-get update && apt-get install -y chromium chromium-driver"
                    + " (or name them with -Dkanaal.test.chromium=... -Dkanaal.test.chromedriver=...)");
        }
    }

    @BeforeEach
    void openBrowser(TestInfo test) {
        testName = test.getTestMethod().orElseThrow().getName();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void screenshotAndClose() throws IOException {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SCREENSHOTS.resolve("console-" + testName + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.quit();
        }
    }

    @Test
    void anOperatorSignsIn() {
        signIn(ConsoleUsers.OPERATOR, ConsoleUsers.OPERATOR_PASSWORD);
        assertThat(browser.findElement(By.id("signed-in-as")).getText()).isEqualTo(ConsoleUsers.OPERATOR);
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Overview");
        assertThat(browser.findElement(By.id("channels")).getText()).contains("shop");
        // the live part comes from htmx (its webjar), which asks for it again every 5 s
        assertThat(((JavascriptExecutor) browser).executeScript("return typeof htmx")).isEqualTo("object");
        String asOf = browser.findElement(By.id("as-of")).getText();
        await().atMost(WAIT).until(() -> !browser.findElement(By.id("as-of")).getText().equals(asOf));
    }

    @Test
    void aWrongPasswordIsRefused() {
        signIn(ConsoleUsers.OPERATOR, "not-the-password");
        assertThat(browser.findElement(By.id("login-error")).getText()).contains("Wrong user name or password");
        browser.get(url("/console/orders"));
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
    }

    @Test
    void anOrderPushedThroughTheWebhookAppearsInTheListAndOpens() throws Exception {
        String id = "BROWSER-" + System.nanoTime();
        String sku = newSku();
        String body = shopOrder(id, sku, 2, Instant.now().toString());
        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isBetween(200, 299);

        signIn(ConsoleUsers.VIEWER, ConsoleUsers.VIEWER_PASSWORD);
        await().atMost(WAIT).untilAsserted(() -> {
            browser.get(url("/console/orders"));
            assertThat(browser.findElement(By.id("orders")).getText()).contains(id);
        });
        browser.findElement(By.linkText(id)).click();
        assertThat(browser.findElement(By.id("order-ref")).getText()).isEqualTo("shop/" + id);
        assertThat(browser.findElement(By.id("channel-order-id")).getText()).isEqualTo(id);
        assertThat(browser.findElement(By.id("reservations")).getText()).contains(sku);
        assertThat(browser.findElement(By.id("journey")).getText()).contains("taken in");
        assertThat(browser.findElement(By.id("canonical")).getText()).contains("jan@example.com");
    }

    @Test
    void aReplayedDeadLetterLeavesItsQueue() {
        String queue = "DLQ.kanaal.channel.shop.stock";
        String sku = newSku();
        String path = "/shop/stock/" + sku;
        SHOP.always(path, Reply.of(400, "{\"error\":\"unknown product\"}"));
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(WAIT).until(() -> !SHOP.answered(path, 400).isEmpty());

        signIn(ConsoleUsers.OPERATOR, ConsoleUsers.OPERATOR_PASSWORD);
        await().atMost(WAIT).untilAsserted(() -> {
            browser.get(url("/console/dead-letters/" + queue));
            assertThat(browser.findElement(By.id("dead-letters")).getText()).contains("HTTP 400");
        });
        SHOP.answerAsUsual(path);
        List<WebElement> rows = browser.findElements(By.cssSelector("#dead-letters tbody tr"));
        for (WebElement row : rows) {
            row.findElement(By.name("id")).click();
        }
        browser.findElement(By.id("replay-selected")).click();

        assertThat(browser.findElement(By.id("done")).getText()).startsWith("Replayed " + rows.size() + " message");
        assertThat(browser.findElement(By.id("empty")).getText()).isEqualTo("No dead letters.");
        await().atMost(WAIT).until(() -> !SHOP.succeeded(path).isEmpty());
        browser.get(url("/console/dead-letters"));
        assertThat(browser.findElement(By.id("audit")).getText()).contains(ConsoleUsers.OPERATOR).contains("replay").contains(queue);
    }

    @Test
    void aViewerCannotReplay() {
        signIn(ConsoleUsers.VIEWER, ConsoleUsers.VIEWER_PASSWORD);
        browser.get(url("/console/dead-letters/DLQ.kanaal.channel.shop.stock"));
        assertThat(browser.findElement(By.id("viewer-note")).getText()).contains("Only an operator");
        assertThat(browser.findElements(By.id("replay-all"))).isEmpty();
        // the form is not there; the request itself is refused too
        ((JavascriptExecutor) browser).executeScript("""
                const form = document.getElementById('selection');
                const all = document.createElement('input'); all.type = 'hidden'; all.name = 'all'; all.value = 'yes';
                form.appendChild(all); form.submit();""");
        assertThat(browser.findElement(By.id("denied")).getText()).isEqualTo("Not allowed");
    }

    private void signIn(String user, String password) {
        browser.get(url("/console"));
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }
}
