package org.descent.job.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The HTML report: one point per epoch per curve, values readable back, NaN left out, no scripts. */
class HtmlReportTest {

    static EpochRecord rec(int epoch, double train, double vLoss, double acc) {
        return new EpochRecord(epoch, epoch * 10L, Instant.parse("2026-01-01T00:00:00Z"), epoch, 1.0, 0.9, 0.1, train,
                0.01, 2.0, 1000, Map.of("loss", vLoss, "accuracy", acc));
    }

    private static List<Double> values(String html, String series) {
        Matcher m = Pattern.compile("data-series=\"" + series + "\" data-epoch=\"(\\d+)\" data-value=\"([^\"]+)\"").matcher(html);
        List<Double> out = new ArrayList<>();
        while (m.find()) out.add(Double.parseDouble(m.group(2)));
        return out;
    }

    @Test
    void givenThreeEpochs_whenRendering_thenThreePointsPerCurveWithTheRecordedValues() {
        String html = HtmlReport.render("t <run>", "sub", List.of(rec(1, 0.9, 1.0, 0.5), rec(2, 0.5, 0.7, 0.7),
                rec(3, 0.3, 0.6, 0.8)));
        assertEquals(List.of(0.9, 0.5, 0.3), values(html, "train-loss"));
        assertEquals(List.of(1.0, 0.7, 0.6), values(html, "validation-loss"));
        assertEquals(List.of(0.5, 0.7, 0.8), values(html, "validation-accuracy"));
        assertTrue(html.contains("t &lt;run&gt;"));
        assertFalse(html.contains("<script"));
        assertEquals(2, html.split("<svg ", -1).length - 1, "a loss chart and an accuracy chart");
    }

    @Test
    void givenANaNValue_whenRendering_thenThatPointIsLeftOutAndTheTableShowsADash() {
        String html = HtmlReport.render("t", "s", List.of(rec(1, 0.9, 1.0, Double.NaN), rec(2, 0.5, 0.7, 0.7)));
        assertEquals(List.of(0.7), values(html, "validation-accuracy"));
        assertTrue(html.contains("<td>–</td>"));
    }

    @Test
    void givenRanges_whenMakingTicks_thenNiceStepsCoverTheRange() {
        assertArrayEquals(new double[] {0.2, 0.4, 0.6, 0.8, 1.0}, HtmlReport.ticks(0.23, 0.97, 5), 1e-12);
        double[] t = HtmlReport.ticks(0.5, 0.5, 5);
        assertTrue(t[0] < 0.5 && t[t.length - 1] > 0.5);
    }

    @Test
    void givenARecord_whenWritingJson_thenNaNIsNullAndValidationIsNested() {
        EpochRecord r = new EpochRecord(2, 20, Instant.parse("2026-01-01T00:00:00Z"), 3.5, 1.5, 1.25, 0.25, 0.4,
                Double.NaN, 1.0, 10, EpochRecord.validationOf(Map.of("trainLoss", 0.4, "validationLoss", 0.5, "validationAuc", 0.9,
                "validationRows", 30.0)));
        assertEquals("{\"epoch\":2,\"step\":20,\"time\":\"2026-01-01T00:00:00Z\",\"elapsedSeconds\":3.5,"
                + "\"epochSeconds\":1.5,\"trainSeconds\":1.25,\"validationSeconds\":0.25,\"trainLoss\":0.4,"
                + "\"learningRate\":null,\"gradNorm\":1.0,\"rowsPerSecond\":10.0,"
                + "\"validation\":{\"auc\":0.9,\"loss\":0.5}}", r.toJsonLine());
    }
}
