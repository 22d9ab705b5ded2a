package org.descent.job.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.Test;

/** scripts/bench-scale.sh's generator: rows depend on (seed, row index) only, and every class occurs. */
class DenseDataGenTest {

    private static List<Row> generate(SparkSession spark, Path dir, String name, long rows, int partitions)
            throws java.io.IOException {
        String out = dir.resolve(name).toUri().toString();
        DenseDataGen.write(spark, new DenseDataGen.Spec(rows, 7, 4, 42, partitions), out, false);
        return spark.read().parquet(out).orderBy("id").collectAsList();
    }

    @Test
    void givenTheSameSeed_whenGeneratedWithOtherPartitionCountsAndSizes_thenTheSharedRowsAreIdentical() throws Exception {
        SparkSession spark = TestSpark.session();
        Path dir = Files.createTempDirectory("dense-gen");
        List<Row> a = generate(spark, dir, "a", 600, 1);
        List<Row> b = generate(spark, dir, "b", 900, 3);
        assertEquals(600, a.size());
        assertEquals(900, b.size());
        int[] perClass = new int[4];
        for (int i = 0; i < a.size(); i++) {
            Row x = a.get(i);
            Row y = b.get(i);
            assertEquals(i, x.getLong(x.fieldIndex("id")));
            assertEquals(x.getInt(0), y.getInt(0), "label of row " + i);
            assertEquals(x.getList(2), y.getList(2), "features of row " + i);
            assertEquals(7, x.getList(2).size());
            perClass[x.getInt(0)]++;
        }
        for (int c = 0; c < 4; c++) assertTrue(perClass[c] > 30, "class " + c + " occurs " + perClass[c] + " times");
        assertThrows(IllegalStateException.class, () -> generate(spark, dir, "a", 10, 1), "an existing output");
    }
}
