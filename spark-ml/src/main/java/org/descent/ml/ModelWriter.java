package org.descent.ml;

import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWriter;
import org.descent.job.model.ModelStore;

/**
 * Writes a {@link DescentModel} the Spark ML way: {@code path/metadata} (class, uid, param values, by
 * Spark's {@code DefaultParamsWriter}) and {@code path/descent}, the job's model directory
 * ({@code metadata.json} + {@code params.bin}, written to a temporary directory and renamed).
 * {@link MLWriter#save} has already refused or cleared an existing {@code path}.
 */
final class ModelWriter extends MLWriter {
    static final String DESCENT_DIR = "descent";

    private final DescentModel<?> model;

    ModelWriter(DescentModel<?> model) {
        this.model = model;
    }

    @Override
    public void saveImpl(String path) {
        DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sparkSession());
        ModelStore.save(sc().hadoopConfiguration(), path + "/" + DESCENT_DIR, false, model.metadata(), model.flatParams());
    }
}
