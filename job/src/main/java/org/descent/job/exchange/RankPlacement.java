package org.descent.job.exchange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManagerId;
import org.apache.spark.storage.RDDBlockId;

/**
 * Driver side: one preferred executor per barrier task, so that all R tasks can start at once where their blocks
 * are. A barrier stage is scheduled only when every task gets a slot in the same round; if the tasks' block
 * locations crowd onto one executor (the caching job placed most blocks there, or a recovery recomputed them
 * there), plain locality preferences would hold the whole stage for {@code spark.locality.wait} (3 s) at every
 * segment. So each rank is assigned, in rank order, to the executor caching most of its group's blocks that still
 * has a free slot (slots per executor = task slots / executors: homogeneous executors assumed), and the remaining
 * ranks to the executors with free slots, most of their blocks first. A rank whose blocks live elsewhere reads them
 * from the other executor's block manager.
 */
final class RankPlacement {
    private RankPlacement() {}

    /**
     * Preferred location of each rank ({@code executor_<host>_<id>}, Spark's cache-location form), or null when no
     * executor is registered (local mode: the driver's block manager only).
     */
    static String[][] place(int rddId, int[] groupStart, int slots) {
        Map<String, String> hosts = new LinkedHashMap<>(); // executor id -> host
        scala.collection.Iterator<BlockManagerId> ids =
                SparkEnv.get().blockManager().master().getMemoryStatus().keysIterator();
        while (ids.hasNext()) {
            BlockManagerId b = ids.next();
            if (!b.isDriver()) hosts.put(b.executorId(), b.host());
        }
        if (hosts.isEmpty()) return null;
        List<String> execs = new ArrayList<>(hosts.keySet());
        execs.sort(null);
        int ranks = groupStart.length - 1;
        int partitions = groupStart[ranks];
        BlockId[] blocks = new BlockId[partitions];
        for (int p = 0; p < partitions; p++) blocks[p] = new RDDBlockId(rddId, p);
        scala.collection.immutable.IndexedSeq<scala.collection.immutable.Seq<BlockManagerId>> locs =
                SparkEnv.get().blockManager().master().getLocations(blocks);
        int[][] held = new int[ranks][execs.size()]; // blocks of rank r's group cached on executor e
        for (int r = 0; r < ranks; r++) {
            for (int p = groupStart[r]; p < groupStart[r + 1]; p++) {
                scala.collection.Iterator<BlockManagerId> it = locs.apply(p).iterator();
                while (it.hasNext()) {
                    int e = execs.indexOf(it.next().executorId());
                    if (e >= 0) held[r][e]++;
                }
            }
        }
        int cap = Math.max(1, (int) Math.ceil((double) Math.max(slots, ranks) / execs.size()));
        int[] load = new int[execs.size()];
        int[] chosen = new int[ranks];
        java.util.Arrays.fill(chosen, -1);
        for (int r = 0; r < ranks; r++) { // where its blocks are, if there is room
            int best = -1;
            for (int e = 0; e < execs.size(); e++) {
                if (held[r][e] > 0 && load[e] < cap && (best < 0 || held[r][e] > held[r][best])) best = e;
            }
            if (best >= 0) load[chosen[r] = best]++;
        }
        for (int r = 0; r < ranks; r++) { // the rest: free slots, then the least loaded
            if (chosen[r] >= 0) continue;
            int best = 0;
            for (int e = 1; e < execs.size(); e++) {
                boolean free = load[e] < cap, bestFree = load[best] < cap;
                if (free != bestFree ? free : held[r][e] != held[r][best] ? held[r][e] > held[r][best] : load[e] < load[best]) {
                    best = e;
                }
            }
            load[chosen[r] = best]++;
        }
        String[][] out = new String[ranks][];
        for (int r = 0; r < ranks; r++) {
            String e = execs.get(chosen[r]);
            out[r] = new String[] {"executor_" + hosts.get(e) + "_" + e};
        }
        return out;
    }
}
