package org.descent.job.data;

import java.io.Serializable;

/**
 * A scoring block: the packed rows plus, per row, the original id — the {@code idColumn} value when the
 * spec names one (CSV/Parquet), otherwise the global row id as text ({@code block.ids[i]}).
 */
public record ScoringBlock(RowBlock block, String[] sourceIds) implements Serializable {
    public ScoringBlock {
        if (sourceIds.length != block.rows) {
            throw new IllegalArgumentException("ScoringBlock: rows=" + block.rows + ", sourceIds=" + sourceIds.length);
        }
    }
}
