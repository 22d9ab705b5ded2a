package org.descent.job.model;

import org.descent.math.nn.Network;

/** A loaded model: metadata, its parameters (validated against the architecture) and the network. */
public record SavedModel(ModelMetadata metadata, double[] params) {
    public Network network() {
        return metadata.architecture().toNetwork();
    }
}
