package org.descent.job.data.idx;

/** What {@link FashionMnistConverter} wrote: row counts and the final output paths. */
public record ConvertResult(long trainRows, long testRows, String trainPath, String testPath) {}
