package org.descent.job.config;

/** {@code model.type}: which network and loss the job trains. */
public enum ModelType {
    /** One identity layer, MSE loss; real labels. */
    LINEAR,
    /** One identity output (a logit), BCE-with-logits loss; class labels 0/1. */
    LOGISTIC,
    /** One identity layer with k outputs, softmax cross-entropy; class labels 0..k-1. */
    SOFTMAX,
    /** Hidden layers with activations, then an identity output: softmax CE for class labels, MSE for real ones. */
    MLP
}
