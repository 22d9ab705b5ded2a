package org.descent.job.data;

import java.util.HashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.JavaRDD;

/**
 * The packing pass: parses the records again (lazily, as part of the blocks' lineage), drops bad
 * rows, and gives every valid row its id from the {@link Scan} plan: run offset + position among the
 * run's valid rows. A run whose rows no longer match the validation pass (the input changed between
 * the passes) fails the task with a {@link DataException}.
 */
final class Assign {
    private Assign() {}

    static JavaRDD<ParsedRow> rows(Source source, Scan scan) {
        RowParser parser = source.parser();
        HashMap<String, long[]> plan = scan.plan;
        String path = source.path();
        return source.records().mapPartitions((Iterator<Record> it) -> new Iterator<ParsedRow>() {
            RunStats run;           // only file/runStart/records used here
            long[] offsets;
            long k;
            ParsedRow pending;

            @Override
            public boolean hasNext() {
                while (pending == null && it.hasNext()) {
                    Record rec = it.next();
                    if (run == null || !run.sameRun(rec)) {
                        run = new RunStats(rec.file(), rec.runStart());
                        offsets = plan.get(Scan.key(rec.file(), rec.runStart()));
                        if (offsets == null) throw changed(path, rec.file());
                        k = 0;
                    }
                    long local = run.records++;
                    ParsedRow row;
                    try {
                        row = parser.parse(rec.payload(), rec.runStart() == 0 && local == 0);
                    } catch (BadRow b) {
                        continue;
                    }
                    if (row == null) continue;
                    if (k >= offsets[1]) throw changed(path, rec.file());
                    row.id = offsets[0] + k++;
                    pending = row;
                }
                return pending != null;
            }

            @Override
            public ParsedRow next() {
                if (!hasNext()) throw new NoSuchElementException();
                ParsedRow r = pending;
                pending = null;
                return r;
            }
        });
    }

    private static DataException changed(String path, String file) {
        return new DataException("input " + file + " changed while " + path
                + " was being read (rows differ from the validation pass); do not modify input files during a run");
    }
}
