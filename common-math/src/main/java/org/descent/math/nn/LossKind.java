package org.descent.math.nn;

/** Loss functions; each is the batch mean of a per-example loss. */
public enum LossKind {
    /** Mean squared error: {@code (1/n) Σ_i Σ_k (ŷ_ik - y_ik)^2} (no square root, no 1/2). */
    MSE,
    /** Binary cross-entropy on logits z: {@code max(z,0) - z*y + log1p(exp(-|z|))}. */
    BCE_LOGITS,
    /** Softmax fused with cross-entropy: {@code -log softmax(z)_y}; gradient {@code p - y}. */
    SOFTMAX_CE
}
