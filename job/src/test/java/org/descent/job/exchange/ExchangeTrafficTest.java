package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** {@link ExchangeTraffic}: the allreduce engine's "exchange bytes per step" line (issue 12). */
class ExchangeTrafficTest {

    @Test
    void givenTwoSparseSegments_whenAddedUp_thenTheLineGivesTheMeanBytesPerStepAndTheWireShare() {
        ExchangeTraffic a = new ExchangeTraffic();
        ExchangeTraffic b = new ExchangeTraffic();
        for (ExchangeTraffic t : new ExchangeTraffic[] {a, b}) { // 2 steps each: presence 100 doubles, 10 rows x 4
            for (int s = 0; s < 2; s++) {
                t.summed(100);
                t.sparseStep(100, 10);
                t.summed(10 * 4 + 6);
            }
            t.steps(2);
        }
        ExchangeTraffic all = new ExchangeTraffic();
        all.add(a);
        all.add(b);
        // summed 8 (100 + 46) = 1168 a step; each of 4 ranks sends 2 (3/4) of it = 1752
        assertEquals("exchange bytes per step: 1168 summed (sparse: presence 800 + 10 touched rows x 4 + tail and "
                + "figures), 0 gathered; each of 4 ranks sends and receives 1752 (flat schedule); 4 steps",
                all.line(4, 4, false));
    }

    @Test
    void givenADenseShardedStep_whenLogged_thenGatheredBytesCountOnceAndNoSparseClause() {
        ExchangeTraffic t = new ExchangeTraffic();
        t.summed(1000); // reduce-scatter of the step vector
        t.gathered(990); // all-gather of the parameters
        t.steps(1);
        assertEquals("exchange bytes per step: 8000 summed, 7920 gathered; each of 2 ranks sends and receives 11960 "
                + "(flat schedule), through memory; 1 steps", t.line(2, 10, true));
        assertNull(new ExchangeTraffic().line(2, 10, true), "no step, no line");
    }

    @Test
    void givenRanksSharingOneJvmsState_whenLogged_thenTheLineGivesTheBytesReadFromThePeersAndNothingSent() {
        ExchangeTraffic t = new ExchangeTraffic();
        t.summed(2); // the segment's "are the blocks sparse" agreement
        t.sharedStep(1000, 30);
        t.sharedStep(3000, 50);
        t.steps(2);
        assertEquals("exchange bytes per step: none sent; each of 2 ranks reads 2000 of the other ranks' gradient rows "
                + "and tails from memory (shared state: 40 union rows x 8 + tail); 2 steps", t.line(2, 8, true));
    }
}
