package org.descent.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.Tokenizer;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.descent.job.data.Representation;
import org.descent.job.data.RowBlock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sparse vector columns stay sparse: a text Pipeline (Tokenizer -> HashingTF with 2^18 features -> descent) trains
 * on CSR blocks (bytes in proportion to the non-zeros) and learns; sparse and dense columns of the same rows give
 * the same blocks, parameters and predictions.
 */
class SparseTextTest {
    private static final int WIDE = 1 << 18;
    private static final int NARROW = 1 << 12;
    private static SparkSession spark;
    private static Dataset<Row> train;
    private static Dataset<Row> test;

    @BeforeAll
    static void start() {
        spark = TestData.session("SparseTextTest");
        train = corpus(spark, 1500, 21).cache();
        test = corpus(spark, 500, 22).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * Seeded man-page-like texts of three topics (label 0..2): 12-40 words, each with probability 0.25 from the
     * topic's 60 words (a few shared with another topic), else from 3000 common words (Zipf-like). Chance is 1/3.
     */
    static Dataset<Row> corpus(SparkSession spark, int n, long seed) {
        Random vocab = new Random(7); // the same vocabulary for every set
        String[][] topics = new String[3][60];
        for (String[] t : topics) for (int k = 0; k < t.length; k++) t[k] = word(vocab);
        for (int k = 0; k < 6; k++) topics[(k + 1) % 3][k] = topics[k % 3][59 - k];
        String[] common = new String[3000];
        for (int k = 0; k < common.length; k++) common[k] = word(vocab);
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            StringBuilder text = new StringBuilder();
            for (int w = 0, len = 12 + r.nextInt(29); w < len; w++) {
                String word = r.nextDouble() < 0.25 ? topics[c][r.nextInt(60)]
                        : common[(int) Math.min(common.length - 1, Math.floor(Math.exp(r.nextDouble() * Math.log(3000))))];
                text.append(w == 0 ? "" : " ").append(w % 9 == 0 ? word.toUpperCase(Locale.ROOT) : word);
            }
            rows.add(RowFactory.create((long) i, text.toString(), (double) c));
        }
        StructType schema = new StructType(new StructField[] {
            DataTypes.createStructField("id", DataTypes.LongType, false),
            DataTypes.createStructField("text", DataTypes.StringType, false),
            DataTypes.createStructField("label", DataTypes.DoubleType, false)});
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    private static String word(Random r) {
        String[] syllables = {"ex", "ec", "fi", "le", "mo", "de", "pro", "cess", "sig", "nal", "buf", "fer", "sock",
            "et", "path", "name", "dir", "opt", "ion", "set", "get", "map", "ped", "lock", "user", "grp", "tty", "dev"};
        StringBuilder b = new StringBuilder();
        for (int s = 0, k = 2 + r.nextInt(2); s < k; s++) b.append(syllables[r.nextInt(syllables.length)]);
        return b.append(r.nextInt(100)).toString();
    }

    private static PipelineModel hashing(int features) {
        return new Pipeline().setStages(new PipelineStage[] {
            new Tokenizer().setInputCol("text").setOutputCol("words"),
            new HashingTF().setInputCol("words").setOutputCol("features").setNumFeatures(features)}).fit(train);
    }

    private static DescentClassifier softmax() {
        return new DescentClassifier().setModelType("softmax").setOptimizer("adam").setLearningRate(0.05)
                .setEpochs(6).setBatchSize(100).setNumPartitions(2).setSeed(5);
    }

    @Test
    void givenHashedTextOf2To18Features_whenPipelineFit_thenSparseBlocksAndHeldOutAccuracyAbove90() {
        Dataset<Row> hashed = hashing(WIDE).transform(train);
        long nnz;
        long bytes;
        try (DatasetInput in = DatasetInput.load(hashed, "features", "label", softmax().jobConfig(), 0)) {
            assertEquals(Representation.SPARSE, in.shape.resolved());
            List<long[]> blocks = in.input.train().blocks()
                    .map(b -> new long[] {b.isSparse() ? 1 : 0, b.cachedBytes(), b.storedValues(), b.rows}).collect();
            assertEquals(2, blocks.size());
            for (long[] b : blocks) assertEquals(1, b[0], "every training block is CSR");
            bytes = blocks.stream().mapToLong(b -> b[1]).sum();
            nnz = blocks.stream().mapToLong(b -> b[2]).sum();
            assertEquals(in.shape.nonZeros(), nnz);
            assertEquals(1500, blocks.stream().mapToLong(b -> b[3]).sum());
        }
        // 12 bytes per non-zero (int32 index + float64 value) plus 20 per row (row pointer, label, id)
        assertTrue(bytes < 12 * nnz + 21L * 1500, bytes + " bytes for " + nnz + " non-zeros");

        long t0 = System.nanoTime();
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new Tokenizer().setInputCol("text").setOutputCol("words"),
            new HashingTF().setInputCol("words").setOutputCol("features").setNumFeatures(WIDE), softmax()});
        PipelineModel model = pipeline.fit(train);
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        double acc = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
        System.out.printf(Locale.ROOT, "sparse text: %d rows x %d features, %d non-zeros (%.1f per row), %d bytes"
                        + " cached (%.2f per non-zero; dense would be %d), pipeline fit %.1f s, held-out accuracy %.4f,"
                        + " loadavg %s%n", 1500, WIDE, nnz, nnz / 1500.0, bytes, (double) bytes / nnz, 8L * WIDE * 1500,
                fitSeconds, acc, loadavg());
        assertTrue(acc > 0.9, "held-out accuracy " + acc + " (chance 0.33)");
    }

    @Test
    void givenSameRowsAsSparseAndDenseVectors_whenFit_thenSameBlocksAndBitIdenticalModels() {
        Dataset<Row> both = withDense(hashing(NARROW).transform(train));
        DescentClassifier base = softmax().setEpochs(2);
        List<RowBlock> sparseBlocks = blocks(both, "features", base);
        List<RowBlock> denseBlocks = blocks(both, "dense", base);
        assertEquals(sparseBlocks.size(), denseBlocks.size());
        for (int p = 0; p < sparseBlocks.size(); p++) {
            RowBlock s = sparseBlocks.get(p);
            RowBlock d = denseBlocks.get(p);
            assertTrue(s.isSparse() && d.isSparse(), "auto: density " + s.storedValues() / (double) s.rows / NARROW);
            assertArrayEquals(s.ids, d.ids);
            assertArrayEquals(s.labels, d.labels);
            assertArrayEquals(s.sparse.rowPtr(), d.sparse.rowPtr());
            assertArrayEquals(s.sparse.colIdx(), d.sparse.colIdx());
        }
        double[] sparse = base.copy(ParamMap.empty()).fit(both).parameters();
        double[] dense = base.copy(ParamMap.empty()).setFeaturesCol("dense").fit(both).parameters();
        assertArrayEquals(sparse, dense);
        double[] denseKernels = base.copy(ParamMap.empty()).setRepresentation("dense").fit(both).parameters();
        assertFalse(java.util.Arrays.equals(sparse, new double[sparse.length]));
        for (int i = 0; i < sparse.length; i++) assertEquals(denseKernels[i], sparse[i], 1e-12, "parameter " + i);
    }

    @Test
    void givenSparseAndDenseVectorsOfSameRows_whenTransformed_thenSamePredictions() {
        Transformer hashing = hashing(NARROW);
        DescentClassificationModel m = softmax().setEpochs(3).fit(hashing.transform(train));
        Dataset<Row> rows = withDense(hashing.transform(test));
        List<Row> sparse = m.transform(rows).orderBy("id").select("id", "probability", "prediction").collectAsList();
        List<Row> dense = m.copy(ParamMap.empty()).setFeaturesCol("dense").transform(rows.drop("features"))
                .orderBy("id").select("id", "probability", "prediction").collectAsList();
        assertEquals(500, sparse.size());
        for (int i = 0; i < sparse.size(); i++) {
            assertEquals(dense.get(i).getLong(0), sparse.get(i).getLong(0));
            assertEquals(dense.get(i).getDouble(2), sparse.get(i).getDouble(2), "prediction of row " + i);
            assertArrayEquals(((Vector) dense.get(i).get(1)).toArray(), ((Vector) sparse.get(i).get(1)).toArray(),
                    1e-12, "probabilities of row " + i);
        }
    }

    /** 10 rows of sparse 100-wide vectors in two partitions (rows 0-4, 5-9); {@code bad} replaces some rows' vectors. */
    private static Dataset<Row> tenRows(java.util.Map<Integer, Vector> bad) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Vector v = bad.containsKey(i) ? bad.get(i) : org.apache.spark.ml.linalg.Vectors.sparse(100,
                    new int[] {i, 50 + i}, new double[] {1, -2});
            rows.add(RowFactory.create(v, (double) (i % 2)));
        }
        StructType schema = new StructType(new StructField[] {
            DataTypes.createStructField("v", new VectorUDT(), true),
            DataTypes.createStructField("label", DataTypes.DoubleType, false)});
        return spark.createDataFrame(new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
                .parallelize(rows, 2), schema);
    }

    @Test
    void givenBadSparseRowsInTheSecondPartition_whenFit_thenNamesTheDataFrameRowOrSkipsThem() {
        Vector nan = org.apache.spark.ml.linalg.Vectors.sparse(100, new int[] {3, 42}, new double[] {1, Double.NaN});
        java.util.Map<Integer, Vector> bad = new java.util.HashMap<>();
        bad.put(7, nan);
        bad.put(8, null);
        DescentClassifier clf = new DescentClassifier().setFeaturesCol("v").setEpochs(1).setNumPartitions(2);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> clf.fit(tenRows(bad)));
        assertTrue(e.getMessage().contains("non-finite value NaN at v[42] at row 7 (0-based) of the DataFrame; fix or"
                + " filter the rows, or set badRows = skip"), e.getMessage());

        DescentClassifier skip = clf.copy(ParamMap.empty()).setBadRows("skip").setMaxBadFraction(0.5);
        try (DatasetInput in = DatasetInput.load(tenRows(bad), "v", "label", skip.jobConfig(), 0)) {
            assertEquals(8, in.input.train().count());
            assertEquals(java.util.Map.of("non-finite", 1L, "null", 1L), in.input.train().badRowCounts());
            List<Long> ids = new ArrayList<>();
            for (RowBlock b : in.input.train().blocks().collect()) for (long id : b.ids) ids.add(id);
            ids.sort(null);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), ids); // rank among the valid rows
        }

        java.util.Map<Integer, Vector> wide = java.util.Map.of(6, org.apache.spark.ml.linalg.Vectors.sparse(101,
                new int[] {100}, new double[] {1}));
        Exception w = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> clf.fit(tenRows(wide)));
        assertTrue(w.getMessage().contains("feature vectors in column 'v' differ in size: 100 at row 0, 101 at row 6"
                + " (0-based)"), w.getMessage());
    }

    /** {@code df} plus column {@code dense}: its sparse {@code features} as dense vectors. */
    private static Dataset<Row> withDense(Dataset<Row> df) {
        spark.udf().register("densify", (Vector v) -> {
            if (!(v instanceof SparseVector)) throw new IllegalStateException("HashingTF gives sparse vectors");
            return v.toDense();
        }, new VectorUDT());
        return df.withColumn("dense", functions.callUDF("densify", df.col("features")));
    }

    private static List<RowBlock> blocks(Dataset<Row> df, String column, DescentClassifier clf) {
        try (DatasetInput in = DatasetInput.load(df, column, "label", clf.jobConfig(), 0)) {
            return in.input.train().blocks().collect();
        }
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }
}
