package org.descent.math.nn;

import java.util.List;
import org.descent.math.ShapeMismatchException;
import org.descent.math.nn.layers.LayerDef;

/**
 * The argument checks of {@link Network}: at construction, that the output layer suits the loss; at every entry
 * point, that the parameter and gradient buffers, the input width, the targets and the workspace fit the network.
 * Each failure names what was passed, what the network expects and the fix. Stateless.
 */
final class NetworkChecks {
    private NetworkChecks() {}

    /** A dense network's last layer: IDENTITY under a loss that maps the logits itself; 2+ outputs for SOFTMAX_CE. */
    static void denseOutputLayer(List<LayerSpec> layers, LossKind loss) {
        LayerSpec last = layers.get(layers.size() - 1);
        if ((loss == LossKind.SOFTMAX_CE || loss == LossKind.BCE_LOGITS)
                && last.activation() != ActivationKind.IDENTITY) {
            throw new IllegalArgumentException(loss + " applies " + (loss == LossKind.SOFTMAX_CE ? "softmax" : "sigmoid")
                    + " to the logits itself, so the last layer (layer " + (layers.size() - 1)
                    + ") must use activation IDENTITY, not " + last.activation());
        }
        if (loss == LossKind.SOFTMAX_CE && last.out() < 2) {
            throw new IllegalArgumentException("SOFTMAX_CE needs at least 2 outputs (classes), the last layer has "
                    + last.out() + "; for a binary label use BCE_LOGITS with 1 output");
        }
    }

    /** The same rules for a general stack, whose last layer is dense (checked by {@link Network#of}). */
    static void stackOutputLayer(List<LayerDef> defs, LossKind loss) {
        LayerDef.Dense last = (LayerDef.Dense) defs.get(defs.size() - 1);
        if ((loss == LossKind.SOFTMAX_CE || loss == LossKind.BCE_LOGITS) && last.activation() != ActivationKind.IDENTITY) {
            throw new IllegalArgumentException(loss + " applies its own output mapping, so the last layer (layer "
                    + (defs.size() - 1) + ") must use activation IDENTITY, not " + last.activation());
        }
        if (loss == LossKind.SOFTMAX_CE && last.units() < 2) {
            throw new IllegalArgumentException("SOFTMAX_CE needs at least 2 outputs (classes), the last layer has "
                    + last.units() + "; for a binary label use BCE_LOGITS with 1 output");
        }
    }

    /** {@link #input} plus one target per row; returns the row count. */
    static int batch(Network net, String name, int paramsLength, int rows, int cols, Targets y, Network.Workspace ws) {
        input(net, name, paramsLength, rows, cols, ws);
        if (y == null || y.size() != rows) {
            throw new IllegalArgumentException("batch has " + rows + " rows but "
                    + (y == null ? "no" : String.valueOf(y.size())) + " targets; pass one target per row");
        }
        return rows;
    }

    /** The parameters' length (-1: null), the input's width, the workspace's network and row capacity. */
    static void input(Network net, String name, int paramsLength, int rows, int cols, Network.Workspace ws) {
        buffer(net.layout(), name, paramsLength);
        if (cols != net.inputSize()) {
            throw ShapeMismatchException.of("network input", "x", rows, cols,
                    "layer0.W", net.inputSize(), net.layout().layers().get(0).out());
        }
        if (ws == null || !ws.key.equals(net.workspaceKey())) {
            throw new IllegalArgumentException("workspace was not made by this network's newWorkspace(maxRows)");
        }
        if (rows > ws.maxRows()) {
            throw new IllegalArgumentException("batch of " + rows + " rows exceeds the workspace's maxRows="
                    + ws.maxRows() + "; make a larger newWorkspace(maxRows) or split the batch");
        }
    }

    /** A gradient output of at least the layout's length ({@link Network#gradientSum}); {@code length} -1: null. */
    static void output(ParameterLayout layout, int length) {
        if (length < layout.size()) {
            throw new IllegalArgumentException("gradOut has " + (length < 0 ? "no array" : length + " entries")
                    + " but the network has " + layout.size() + " parameters (" + layout + "); pass at least that many");
        }
    }

    /** A flat buffer of exactly the layout's length ({@code length} -1: null). */
    static void buffer(ParameterLayout layout, String name, int length) {
        if (length != layout.size()) {
            throw new IllegalArgumentException(name + " has " + (length < 0 ? "no array" : length + " entries")
                    + " but the network has " + layout.size() + " parameters (" + layout + ")");
        }
    }
}
