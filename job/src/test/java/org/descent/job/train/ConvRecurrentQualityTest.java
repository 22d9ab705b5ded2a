package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.descent.job.data.idx.IdxImages;
import org.descent.job.data.idx.IdxReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The conv and recurrent models trained end to end by the real loop (local[2], 3 partitions, the
 * default exchange) on a slice of REAL Fashion-MNIST: the first 6000 training images, scored on the
 * first 2000 test images. Reduced so CI can afford it; the full runs of the shipped configs are in
 * docs/networks.md. Needs Debian's dataset-fashion-mnist (as IdxTest does); skipped without it.
 *
 * <p>Bars: on the same slice and epochs, softmax regression on the raw pixels is the reference a
 * model must beat to have learnt image structure at all; chance is 0.10.
 */
class ConvRecurrentQualityTest {
    private static final Path REAL = Path.of("/usr/share/datasets/fashion-mnist");
    private static InMemoryData train;
    private static InMemoryData test;

    @BeforeAll
    static void data() {
        assumeTrue(Files.exists(REAL.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
        TestSpark.session();
        train = slice("train", 6000);
        test = slice("t10k", 2000);
    }

    private static InMemoryData slice(String set, int n) {
        Configuration conf = new Configuration();
        IdxImages im = IdxReader.readImages(conf, REAL.resolve(set + "-images-idx3-ubyte.gz").toString());
        byte[] labels = IdxReader.readLabels(conf, REAL.resolve(set + "-labels-idx1-ubyte.gz").toString());
        double[][] x = new double[n][784];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 784; p++) {
                x[i][p] = im.pixel(i, p) / 255.0;
            }
            y[i] = labels[i];
        }
        return new InMemoryData(x, y, 10);
    }

    private static double accuracy(String model, String... overrides) {
        TrainingResult r = new Trainer(TestSpark.session(), TestConfigs.of("""
                data { label-type = class-index, num-features = 784, num-classes = 10 }
                optimizer { kind = adam, learning-rate = 0.002 }
                training { epochs = 2, batch-size = 32, seed = 7 }
                """ + model, overrides)).train(train.toLoaded(3), test.toLoaded(3));
        assertEquals(2000.0, r.finalMetrics().get("validationRows"));
        return r.finalMetrics().get("validationAccuracy");
    }

    @Test
    void givenFashionMnistImagesWhenTrainingASmallCnnThenItBeatsSoftmaxRegressionAndReaches83Percent() {
        double cnn = accuracy("""
                model {
                  type = mlp, init = he-normal, input-shape = [1, 28, 28]
                  layers = [{type = conv2d, filters = 8, kernel = 5, activation = relu}, {type = max-pool, size = 2},
                            {type = flatten}]
                }
                """);
        double softmax = accuracy("model { type = softmax, init = zeros }");
        System.out.printf("CNN %.4f vs softmax regression %.4f (6000 train rows, 2 epochs, 2000 test rows)%n", cnn, softmax);
        assertTrue(cnn >= 0.83, "CNN held-out accuracy " + cnn);
        assertTrue(cnn >= softmax + 0.01, "CNN " + cnn + " does not beat softmax regression " + softmax);
    }

    @Test
    void givenFashionMnistRowsAsSequencesWhenTrainingAnLstmThenHeldOutAccuracyAbove70Percent() {
        double lstm = accuracy("""
                model { type = mlp, input-shape = [28, 28], layers = [{type = lstm, units = 32}] }
                clipping.max-norm = 5.0
                """, "optimizer.learning-rate=0.005");
        System.out.printf("LSTM %.4f (6000 train rows, 2 epochs, 2000 test rows)%n", lstm);
        assertTrue(lstm >= 0.70, "LSTM held-out accuracy " + lstm);
    }
}
