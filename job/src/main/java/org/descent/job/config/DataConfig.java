package org.descent.job.config;

import org.descent.job.data.BadRowPolicy;
import org.descent.job.data.DataFormat;
import org.descent.job.data.DataSpec;
import org.descent.job.data.LabelType;
import org.descent.job.data.Representation;
import org.descent.job.data.Storage;
import org.descent.math.scale.ScalerKind;

/** The {@code data} section, validated. {@code validationPath} is null when absent; {@code storage} is as configured (AUTO unresolved). */
public record DataConfig(String trainPath, String validationPath, DataFormat format, LabelType labelType,
                         int numFeatures, int numClasses, String labelColumn, String featuresColumn,
                         String idColumn, boolean csvHeader, char csvDelimiter, BadRowPolicy badRows,
                         ScalerKind scaling, Representation representation, Storage storage) {

    /** The data stage's view of the training set. */
    public DataSpec trainSpec() {
        return new DataSpec(trainPath, format, numFeatures, labelType, numClasses, labelColumn, csvHeader,
                csvDelimiter, featuresColumn, idColumn, badRows, representation, false);
    }
}
