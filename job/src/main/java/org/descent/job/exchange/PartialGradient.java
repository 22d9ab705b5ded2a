package org.descent.job.exchange;

import java.io.Serializable;

/** One partition's contribution to a step (serialised back to the driver). */
record PartialGradient(int partition, double[] gradSum, double lossSum, int rows, long[] ids) implements Serializable {}
