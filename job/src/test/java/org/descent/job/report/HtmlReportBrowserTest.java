package org.descent.job.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * report.html in a real browser: Debian's headless Chromium renders it to a PNG, kept with the test output
 * ({@code target/surefire-reports/HtmlReportBrowserTest-report.png}); the loss chart shows both its curves and
 * the accuracy chart its one curve. Skips only when no chromium is installed: scripts/test.sh installs it.
 */
class HtmlReportBrowserTest {
    static final int WIDTH = 1200;
    static final int HEIGHT = 1000;

    static Optional<String> chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                if (Files.isExecutable(Path.of(dir, name))) return Optional.of(Path.of(dir, name).toString());
            }
        }
        return Optional.empty();
    }

    private static String run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 120 s");
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(log));
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Pixels within a small distance of {@code rgb} in columns [x0, x1). */
    private static int count(BufferedImage img, int rgb, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x1); x++) {
                int c = img.getRGB(x, y);
                int d = Math.abs(((c >> 16) & 255) - ((rgb >> 16) & 255)) + Math.abs(((c >> 8) & 255) - ((rgb >> 8) & 255))
                        + Math.abs((c & 255) - (rgb & 255));
                if (d <= 40) n++;
            }
        }
        return n;
    }

    @Test
    void givenAReportOfEightEpochs_whenRenderedByChromium_thenBothChartsAreDrawnAndAScreenshotIsKept() throws Exception {
        Optional<String> browser = chromium();
        assumeTrue(browser.isPresent(), "chromium not installed (scripts/test.sh installs Debian's chromium)");
        // Given a report of 8 epochs written to disk
        List<EpochRecord> recs = new ArrayList<>();
        for (int e = 1; e <= 8; e++) recs.add(HtmlReportTest.rec(e, 1.0 / e, 1.2 / e + 0.05, 0.5 + 0.05 * e));
        Path out = Files.createDirectories(Path.of("target", "surefire-reports")).toAbsolutePath();
        Path html = out.resolve("HtmlReportBrowserTest-report.html");
        Files.writeString(html, HtmlReport.render("descent run: browser check", "8 epochs", recs));
        Path png = out.resolve("HtmlReportBrowserTest-report.png");
        Files.deleteIfExists(png);
        Path profile = Files.createTempDirectory("descent-chromium");
        List<String> base = List.of(browser.get(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--window-size=" + WIDTH + "," + HEIGHT);
        Path log = out.resolve("HtmlReportBrowserTest-chromium.log");

        // When Chromium parses it and renders it to a PNG
        List<String> dom = new ArrayList<>(base);
        dom.addAll(List.of("--dump-dom", html.toUri().toString()));
        String parsed = run(dom, log);
        List<String> shot = new ArrayList<>(base);
        shot.addAll(List.of("--screenshot=" + png, html.toUri().toString()));
        run(shot, log);

        // Then the browser's DOM holds both charts and the table, and the screenshot shows the curves:
        // the loss chart (left) train loss in blue and validation loss in orange, the accuracy chart (right) blue only
        assertEquals(2, parsed.split("<svg", -1).length - 1, "two charts in the parsed DOM");
        assertTrue(parsed.contains("descent run: browser check") && parsed.contains("<table"), "title and table");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(WIDTH, img.getWidth());
        int split = 24 + HtmlReport.W + 18 + 9; // margin + first card + half the gap (the cards sit side by side)
        int blue = 0x1f6fb4;
        int orange = 0xe0702a;
        int leftBlue = count(img, blue, 0, split);
        int leftOrange = count(img, orange, 0, split);
        int rightBlue = count(img, blue, split, WIDTH);
        int rightOrange = count(img, orange, split, WIDTH);
        String figures = "blue/orange pixels: loss chart " + leftBlue + "/" + leftOrange + ", accuracy chart " + rightBlue
                + "/" + rightOrange + " (screenshot " + png + ")";
        System.out.println("HtmlReportBrowserTest: " + figures);
        assertTrue(leftBlue > 300 && leftOrange > 300, "loss chart drawn with both curves: " + figures);
        assertTrue(rightBlue > 300 && rightOrange < 20, "accuracy chart drawn with its one curve: " + figures);
    }
}
