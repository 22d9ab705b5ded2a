package org.descent.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.descent.job.train.TestSpark;
import org.descent.math.metrics.BinaryMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train → evaluate / predict / info end to end through the CLI on small generated CSV data. */
class ScoringCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private Path train(String name, String type, String kind, int k, int epochs) throws Exception {
        Path data = CliRunner.csv(dir.resolve(name + "-train.csv"), kind, 800, 5, k, 3, 11);
        Path conf = CliRunner.config(dir, name, data, type, epochs, "");
        CliRunner.Result r = CliRunner.run("train", "--config", conf.toString());
        assertEquals(ExitCodes.OK, r.code(), r.all());
        return dir.resolve(name);
    }

    @Test
    void givenATrainedSoftmaxModel_whenEvaluatePredictAndInfo_thenMetricsFilesAndColumnsAreRight() throws Exception {
        // Given a softmax model trained via the CLI on 4 separable blobs, and a held-out test file
        Path model = train("soft", "softmax", "blobs", 4, 4);
        Path test = CliRunner.csv(dir.resolve("test.csv"), "blobs", 300, 5, 4, 3, 99);

        // Then the run directory holds the config, one metrics line per epoch and a report with 4 points per curve
        Path run = dir.resolve("soft.run");
        assertTrue(Files.readString(run.resolve("config.conf")).contains("softmax"));
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(4, lines.size(), lines.toString());
        int steps = JSON.readTree(lines.get(0)).get("step").asInt();
        assertTrue(steps >= 9 && steps <= 12, "about 640 training rows / batch 64: " + steps);
        for (int e = 0; e < 4; e++) {
            JsonNode n = JSON.readTree(lines.get(e));
            assertEquals(e + 1, n.get("epoch").asInt());
            assertEquals((e + 1) * steps, n.get("step").asInt(), "optimizer steps so far");
            assertTrue(n.get("trainLoss").asDouble() > 0 && n.get("validation").get("accuracy").asDouble() > 0.5, lines.get(e));
            assertTrue(n.get("gradNorm").asDouble() > 0 && n.get("learningRate").asDouble() == 0.05, lines.get(e));
        }
        String html = Files.readString(run.resolve("report.html"));
        for (String series : List.of("train-loss", "validation-loss", "validation-accuracy")) {
            assertEquals(4, count(html, "data-series=\"" + series + "\""), series);
        }
        // self-contained: no script, and no URL but the SVG namespace (nothing fetched when opened offline)
        assertFalse(html.contains("<script"), "report.html has a script");
        assertEquals(0, count(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""), "http"), "report.html links out");

        // When evaluating with --out
        Path metrics = dir.resolve("out/metrics.json");
        CliRunner.Result ev = CliRunner.run("evaluate", "--model", model.toString(), "--data", test.toString(),
                "--out", metrics.toString());
        assertEquals(ExitCodes.OK, ev.code(), ev.all());
        JsonNode m = JSON.readTree(Files.readString(metrics));
        assertEquals("multiclass", m.get("task").asText());
        assertEquals(300, m.get("rows").asInt());
        assertTrue(m.get("accuracy").asDouble() >= 0.97, "measured 0.99 on these blobs: " + m);
        long sum = 0;
        long diag = 0;
        for (int a = 0; a < 4; a++) {
            for (int p = 0; p < 4; p++) {
                sum += m.get("confusionMatrix").get(a).get(p).asLong();
                if (a == p) diag += m.get("confusionMatrix").get(a).get(p).asLong();
            }
        }
        assertEquals(300, sum);
        assertEquals(m.get("accuracy").asDouble(), diag / 300.0, 1e-12);
        assertEquals(4, m.get("perClass").size());
        assertTrue(ev.out().contains("confusion matrix"), ev.out());

        // When predicting to CSV (format from the extension)
        Path preds = dir.resolve("preds.csv");
        CliRunner.Result pr = CliRunner.run("predict", "--model", model.toString(), "--data", test.toString(),
                "--out", preds.toString());
        assertEquals(ExitCodes.OK, pr.code(), pr.all());
        Dataset<Row> df = TestSpark.session().read().option("header", "true").option("inferSchema", "true")
                .csv(preds.toString());
        assertEquals(List.of("id", "label", "prediction", "prob_0", "prob_1", "prob_2", "prob_3"), List.of(df.columns()));
        List<Row> rows = df.collectAsList();
        assertEquals(300, rows.size());
        // a name ending in .csv is one file: one header, the rows in input order with the id column carried through
        assertTrue(Files.isRegularFile(preds), "one file, not a directory");
        List<String> ls = Files.readAllLines(preds);
        assertEquals("id,label,prediction,prob_0,prob_1,prob_2,prob_3", ls.get(0));
        List<String> ids = new java.util.ArrayList<>();
        for (String l : ls.subList(1, ls.size())) ids.add(l.substring(0, l.indexOf(',')));
        assertEquals(java.util.stream.IntStream.range(0, 300).mapToObj(i -> "r" + i).toList(), ids);
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")).toList(),
                    "no temp output or checksum file left");
        }
        // a directory name with --format csv keeps the part-file folder (for big outputs); same rows
        Path folder = dir.resolve("preds-dir");
        CliRunner.Result pd = CliRunner.run("predict", "--model", model.toString(), "--data", test.toString(),
                "--out", folder.toString(), "--format", "csv");
        assertEquals(ExitCodes.OK, pd.code(), pd.all());
        assertTrue(Files.isDirectory(folder));
        assertEquals(300, TestSpark.session().read().option("header", "true").csv(folder.toString()).count());
        long correct = 0;
        for (Row r : rows) {
            double s = 0;
            for (int c = 0; c < 4; c++) s += r.getDouble(3 + c);
            assertEquals(1.0, s, 1e-9);
            if (r.getInt(1) == r.getInt(2)) correct++;
        }
        assertEquals(m.get("accuracy").asDouble(), correct / 300.0, 1e-12, "predictions agree with evaluate");

        // When asking for info
        CliRunner.Result info = CliRunner.run("info", "--model", model.toString());
        assertEquals(ExitCodes.OK, info.code(), info.all());
        assertTrue(info.out().contains("type:        softmax") && info.out().contains("parameters:  24")
                && info.out().contains("features:    5") && info.out().contains("classes:     4"), info.out());
    }

    @Test
    void givenALogisticModel_whenEvaluating_thenAucMatchesTheExactAucOfThePredictionsWithinTheBound() throws Exception {
        Path model = train("bin", "logistic", "binary", 2, 5);
        Path test = CliRunner.csv(dir.resolve("btest.csv"), "binary", 400, 5, 2, 3, 77);
        Path metrics = dir.resolve("bm.json");
        CliRunner.Result ev = CliRunner.run("evaluate", "-m", model.toString(), "-d", test.toString(), "-o", metrics.toString());
        assertEquals(ExitCodes.OK, ev.code(), ev.all());
        JsonNode m = JSON.readTree(Files.readString(metrics));
        Path preds = dir.resolve("bpreds");
        CliRunner.Result pr = CliRunner.run("predict", "-m", model.toString(), "-d", test.toString(), "-o", preds.toString(),
                "--format", "parquet");
        assertEquals(ExitCodes.OK, pr.code(), pr.all());
        List<Row> rows = TestSpark.session().read().parquet(preds.toString()).collectAsList();
        assertEquals(400, rows.size());
        double[] p = new double[400];
        int[] y = new int[400];
        int correct = 0;
        for (int i = 0; i < 400; i++) {
            p[i] = rows.get(i).getDouble(4);
            y[i] = rows.get(i).getInt(1);
            assertEquals(1.0, rows.get(i).getDouble(3) + p[i], 1e-12);
            if (rows.get(i).getInt(2) == y[i]) correct++;
        }
        double exact = BinaryMetrics.exactAuc(p, y);
        assertTrue(Math.abs(m.get("auc").asDouble() - exact) <= m.get("aucErrorBound").asDouble() + 1e-12,
                m.get("auc") + " vs exact " + exact + " bound " + m.get("aucErrorBound"));
        assertTrue(exact > 0.94, "AUC " + exact + " (measured 0.964; label noise 0.5 against a score of std ~1.3)");
        assertEquals(correct / 400.0, m.get("accuracy").asDouble(), 1e-12);
        assertTrue(m.get("logLoss").asDouble() > 0 && m.get("logLoss").asDouble() < 0.35, "measured 0.300: " + m);
    }

    @Test
    void givenALinearModel_whenEvaluating_thenRmseMaeR2EqualTheHandComputationOnThePredictions() throws Exception {
        Path model = train("lin", "linear", "linear", 0, 8);
        Path test = CliRunner.csv(dir.resolve("ltest.csv"), "linear", 300, 5, 0, 3, 55);
        Path metrics = dir.resolve("lm.json");
        CliRunner.Result ev = CliRunner.run("evaluate", "-m", model.toString(), "-d", test.toString(), "-o", metrics.toString());
        assertEquals(ExitCodes.OK, ev.code(), ev.all());
        JsonNode m = JSON.readTree(Files.readString(metrics));
        Path preds = dir.resolve("lpreds.parquet");
        assertEquals(ExitCodes.OK, CliRunner.run("predict", "-m", model.toString(), "-d", test.toString(),
                "-o", preds.toString()).code());
        List<Row> rows = TestSpark.session().read().parquet(preds.toString()).collectAsList();
        double sse = 0, sae = 0, mean = 0;
        for (Row r : rows) mean += r.getDouble(1) / rows.size();
        double sst = 0;
        for (Row r : rows) {
            double e = r.getDouble(2) - r.getDouble(1);
            sse += e * e;
            sae += Math.abs(e);
            sst += (r.getDouble(1) - mean) * (r.getDouble(1) - mean);
        }
        assertEquals(300, rows.size());
        assertEquals(Math.sqrt(sse / 300), m.get("rmse").asDouble(), 1e-9);
        assertEquals(sae / 300, m.get("mae").asDouble(), 1e-9);
        assertEquals(1 - sse / sst, m.get("r2").asDouble(), 1e-9);
        // the noise std is 0.1, so no model beats RMSE 0.1; measured 0.1088 (8 epochs): a bias off by 0.1 fails
        assertTrue(m.get("rmse").asDouble() < 0.13, "noise std is 0.1: " + m);
        assertEquals(List.of("id", "label", "prediction"), List.of(TestSpark.session().read().parquet(preds.toString()).columns()));
    }

    static int count(String s, String needle) {
        Matcher mt = Pattern.compile(Pattern.quote(needle)).matcher(s);
        int n = 0;
        while (mt.find()) n++;
        return n;
    }
}
