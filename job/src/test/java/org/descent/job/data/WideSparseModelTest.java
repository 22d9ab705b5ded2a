package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.apache.hadoop.conf.Configuration;
import org.descent.job.checkpoint.CheckpointStore;
import org.descent.job.checkpoint.Fixtures;
import org.descent.job.cli.ExitCodes;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2^20-feature, 20-class softmax (21M parameters) on sparse "hashed text" rows, through the CLI in local mode:
 * trained with checkpoints, resumed from an older checkpoint to the same bits, saved, loaded and scored on
 * held-out rows (evaluate, predict), with small metadata. Densified, the 800 training rows alone would be 6.7 GB.
 *
 * <p>Few rows and steps on purpose: what is under test is that nothing per step or per file costs more than
 * O(parameters) once (executors work in the batch's compact feature space, the driver broadcasts only the rows a
 * step reads, checkpoints and params.bin are streamed/bulk-written), so the whole class runs in well under a minute.
 */
class WideSparseModelTest {
    private static final int FEATURES = 1 << 20;
    private static final int CLASSES = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    /**
     * Rows of a planted model: class c owns 30 "keyword" features spread over the whole index range; a row of
     * class c holds 4 of its keywords and 6 random features (noise), indices sorted; values 1 (term presence), or
     * with {@code counts} a term count 1..4.
     */
    static Path hashedText(Path file, int rows, long seed, int features, int classes, boolean counts)
            throws IOException {
        SplittableRandom words = new SplittableRandom(1234); // the same keywords in every file
        int[][] keywords = new int[classes][30];
        for (int[] k : keywords) for (int i = 0; i < k.length; i++) k[i] = 1 + words.nextInt(features);
        SplittableRandom r = new SplittableRandom(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < rows; i++) {
                int c = r.nextInt(classes);
                TreeSet<Integer> idx = new TreeSet<>();
                while (idx.size() < 4) idx.add(keywords[c][r.nextInt(30)]);
                while (idx.size() < 10) idx.add(1 + r.nextInt(features));
                w.write(Integer.toString(c));
                for (int j : idx) w.write(" " + j + ":" + (counts ? 1 + r.nextInt(4) : 1));
                w.write('\n');
            }
        }
        return file;
    }

    private Path config(Path data, Path model, Path ckpt) throws IOException {
        String text = String.format(Locale.ROOT, """
                data { train-path = "%s", format = libsvm, label-type = class-index, num-features = %d,
                       num-classes = %d, representation = sparse }
                model.type = softmax
                optimizer { kind = adagrad, learning-rate = 0.5 }
                training { epochs = 2, batch-size = 400, partitions = 2, seed = 5, validation-fraction = 0,
                           exchange = broadcast-collect }
                checkpoint { dir = "%s", every-epochs = 1, keep-last = 3 }
                output.model-path = "%s"
                spark.master = "local[2]"
                """, data, FEATURES, CLASSES, ckpt, model);
        Path p = dir.resolve("wide.conf");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void givenMillionFeatureSoftmax_whenTrainedResumedSavedLoadedAndScored_thenBitIdenticalResumeAndRealAccuracy()
            throws IOException {
        Path train = hashedText(dir.resolve("train.libsvm"), 800, 1, FEATURES, CLASSES, false);
        Path test = hashedText(dir.resolve("test.libsvm"), 200, 2, FEATURES, CLASSES, false);
        Path model = dir.resolve("model");
        Path conf = config(train, model, dir.resolve("ckpt"));

        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString());
        assertEquals(ExitCodes.OK, r.code(), r.output());
        byte[] full = Fixtures.params(model);
        assertEquals(8L * (FEATURES + 1) * CLASSES, full.length, 64 * 1024, "params.bin holds the 21M doubles");
        long metadataBytes = Files.size(model.resolve("metadata.json"));
        assertTrue(metadataBytes < 64 * 1024, "metadata stays small: " + metadataBytes + " bytes");

        // resume from the epoch-1 checkpoint (newer ones deleted): the same bits as the uninterrupted run
        CheckpointStore store = new CheckpointStore(new Configuration(), dir.resolve("ckpt").toString());
        List<org.apache.hadoop.fs.Path> all = store.list();
        assertTrue(!all.isEmpty() && all.get(0).getName().startsWith("ckpt-e000001"), all.toString());
        for (org.apache.hadoop.fs.Path newer : all.subList(1, all.size())) {
            org.apache.hadoop.fs.FileUtil.fullyDelete(Path.of(newer.toUri()).toFile());
        }
        org.apache.hadoop.fs.FileUtil.fullyDelete(model.toFile());
        Fixtures.Result resumed = Fixtures.run("train", "--config", conf.toString(), "--resume");
        assertEquals(ExitCodes.OK, resumed.code(), resumed.output());
        assertArrayEquals(full, Fixtures.params(model), "resumed from epoch 1");

        // load and score held-out rows: chance is 1/20; the planted keywords make the classes learnable
        Path metrics = dir.resolve("metrics.json");
        Fixtures.Result ev = Fixtures.run("evaluate", "--model", model.toString(), "--data", test.toString(),
                "--out", metrics.toString());
        assertEquals(ExitCodes.OK, ev.code(), ev.output());
        JsonNode m = JSON.readTree(Files.readString(metrics));
        assertEquals(200, m.get("rows").asInt());
        assertTrue(m.get("accuracy").asDouble() >= 0.8, m.toString());

        Path preds = dir.resolve("preds.csv");
        Fixtures.Result pr = Fixtures.run("predict", "--model", model.toString(), "--data", test.toString(),
                "--out", preds.toString());
        assertEquals(ExitCodes.OK, pr.code(), pr.output());
        long rows = TestSpark.session().read().option("header", "true").csv(preds.toString()).count();
        assertEquals(200, rows);
    }

    /**
     * Logistic regression over 2^24 features (16.8M parameters) with max-abs scaling: trained, saved, loaded and
     * scored. The scaler is fitted from the features present (no numFeatures-sized statistics per partition) and
     * stored compactly: metadata.json stays a few KB although the scaler has 2^24 entries.
     */
    @Test
    void givenSixteenMillionFeatureLogistic_whenTrainedSavedLoadedAndScored_thenCompactMetadataAndRealAccuracy()
            throws IOException {
        int features = 1 << 24;
        Path train = hashedText(dir.resolve("train24.libsvm"), 600, 3, features, 2, true);
        Path test = hashedText(dir.resolve("test24.libsvm"), 200, 4, features, 2, true);
        Path model = dir.resolve("model24");
        Path conf = dir.resolve("wide24.conf");
        Files.writeString(conf, String.format(Locale.ROOT, """
                data { train-path = "%s", format = libsvm, label-type = class-index, num-features = %d,
                       num-classes = 2, representation = sparse, scaling = max-abs }
                model.type = logistic
                optimizer { kind = adagrad, learning-rate = 0.5 }
                training { epochs = 2, batch-size = 300, partitions = 2, seed = 5, validation-fraction = 0,
                           exchange = broadcast-collect }
                output.model-path = "%s"
                spark.master = "local[2]"
                """, train, features, model));

        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString());
        assertEquals(ExitCodes.OK, r.code(), r.output());
        assertEquals(20 + 8L * (features + 1), Fixtures.params(model).length, "params.bin holds 2^24 + 1 doubles");
        String metadata = Files.readString(model.resolve("metadata.json"));
        assertTrue(metadata.length() < 1024 * 1024, "metadata (with the deflated 2^24-entry max-abs scaler; raw 268 MB) stays small: " + metadata.length());
        JsonNode scaler = JSON.readTree(metadata).get("scaler");
        assertEquals("max-abs", scaler.get("kind").asText(), scaler.toString());

        Path metrics = dir.resolve("metrics24.json");
        Fixtures.Result ev = Fixtures.run("evaluate", "--model", model.toString(), "--data", test.toString(),
                "--out", metrics.toString());
        assertEquals(ExitCodes.OK, ev.code(), ev.output());
        JsonNode m = JSON.readTree(Files.readString(metrics));
        assertEquals(200, m.get("rows").asInt());
        assertTrue(m.get("accuracy").asDouble() >= 0.8, m.toString());

        Path preds = dir.resolve("preds24.csv");
        Fixtures.Result pr = Fixtures.run("predict", "--model", model.toString(), "--data", test.toString(),
                "--out", preds.toString());
        assertEquals(ExitCodes.OK, pr.code(), pr.output());
        assertEquals(200, TestSpark.session().read().option("header", "true").csv(preds.toString()).count());
    }
}
