package org.descent.math.nn;

import java.io.Serializable;
import java.util.List;
import org.descent.math.nn.layers.LayerDef;
import org.descent.math.nn.layers.Shape;

/**
 * The serialisation proxies of {@link Network} ({@code writeReplace}): what a network is made from, rebuilt through
 * its public factories on deserialisation, so the transient activations, loss and layers are never serialised and a
 * deserialised network passes the same checks as a new one.
 */
final class NetworkForms {
    private NetworkForms() {}

    /** A dense network: the layer specs and the loss, rebuilt through {@link Network#Network(List, LossKind)}. */
    record DenseForm(List<LayerSpec> layers, LossKind loss) implements Serializable {
        private Object readResolve() {
            return new Network(layers, loss);
        }
    }

    /** A general stack: input shape, layer definitions, loss, rebuilt through {@link Network#of}. */
    record StackForm(Shape input, List<LayerDef> layers, LossKind loss) implements Serializable {
        private Object readResolve() {
            return Network.of(input, layers, loss);
        }
    }
}
