package org.descent.job.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.spark.sql.SparkSession;

/** Test helpers: the shared local[2] session settings and small builders. */
public final class TestSpark {
    private TestSpark() {}

    public static SparkSession session(String name) {
        return SparkSession.builder().master("local[2]").appName(name)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    public static String write(Path file, String... lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file.toString();
    }

    public static DataSpec libsvm(String path, int numFeatures, LabelType type, int numClasses, BadRowPolicy policy) {
        return new DataSpec(path, DataFormat.LIBSVM, numFeatures, type, numClasses, null, false, ',', null, null, policy);
    }

    public static DataSpec csv(String path, boolean header, String label, String id, int numFeatures, LabelType type,
                               int numClasses, BadRowPolicy policy) {
        return new DataSpec(path, DataFormat.CSV, numFeatures, type, numClasses, label, header, ',', null, id, policy);
    }

    /** Blocks of a loaded data set, in partition order. */
    public static List<RowBlock> blocks(LoadedData d) {
        return d.blocks().collect();
    }

    /** All rows as {id, label, f0, f1, ...} sorted by id. */
    public static List<double[]> rows(LoadedData d) {
        List<double[]> out = new ArrayList<>();
        for (RowBlock b : blocks(d)) {
            for (int i = 0; i < b.rows; i++) {
                double[] r = new double[2 + b.cols];
                r[0] = b.ids[i];
                r[1] = b.labels[i];
                for (int j = 0; j < b.cols; j++) r[2 + j] = b.feature(i, j);
                out.add(r);
            }
        }
        out.sort(Comparator.comparingDouble(r -> r[0]));
        return out;
    }
}
