package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.Adagrad;
import org.descent.math.optim.ConstantSchedule;
import org.descent.math.optim.Optimizer;
import org.junit.jupiter.api.Test;

/**
 * {@link EpochEndRecord}: rank 0's epoch-end state reaches the driver with the same bits through the socket stream
 * and, when the driver's rendezvous is in the same JVM, in memory (issue 12).
 */
class EpochEndRecordTest {
    private static final ParameterLayout LAYOUT = new ParameterLayout(List.of(new LayerSpec(6, 3, ActivationKind.IDENTITY, 0.01)));

    @Test
    void givenNoDriverInThisJvm_whenSent_thenTheStreamCarriesTheBytesAndTheDriverDecodesTheSameBits() throws IOException {
        State s = state(1);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        EpochEndRecord.send(new DataOutputStream(wire), 12345L, 3, 1, s.params, s.optimizer, EpochEndRecordTest::copy);

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire.toByteArray()));
        int marker = in.readInt();
        EpochEndRecord r = EpochEndRecord.read(12345L, 3, marker, in);

        assertEquals(EpochEndRecord.EPOCH_END, marker);
        assertNull(r.values(), "the socket path carries bytes");
        assertSameState(s, r);
    }

    @Test
    void givenTheDriverInThisJvm_whenSent_thenOnlyAMarkerTravelsAndTheCopyHasTheSameBits() throws IOException {
        long token = new Random(7).nextLong();
        State s = state(2);
        EpochEndRecord.driverOpened(token);
        try {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            EpochEndRecord.send(new DataOutputStream(wire), token, 4, 0, s.params, s.optimizer, EpochEndRecordTest::copy);
            double[] expected = s.params.clone();
            byte[] expectedState = s.optimizer.saveState();
            s.params[0] = 99; // rank 0 runs on into the next epoch: the driver's copies must not move
            s.optimizer.step(s.params, s.params.clone(), 1);

            DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire.toByteArray()));
            int marker = in.readInt();
            EpochEndRecord r = EpochEndRecord.read(token, 4, marker, in);

            assertEquals(EpochEndRecord.EPOCH_END_IN_JVM, marker);
            assertEquals(8, wire.size(), "marker and epoch only");
            assertNotNull(r.values());
            double[] got = new double[expected.length];
            r.paramsInto(got);
            assertArrayEquals(expected, got);
            assertNull(r.optimizerState(), "no bytes in memory");
            Optimizer driver = new Adagrad(new ConstantSchedule(0.1));
            driver.init(LAYOUT);
            r.optimizerInto(driver);
            assertArrayEquals(expectedState, driver.saveState(), "the driver's optimizer has the epoch end's state");
            assertThrows(IOException.class, () -> EpochEndRecord.read(token, 4, marker,
                    new DataInputStream(new ByteArrayInputStream(wire.toByteArray(), 4, 4))), "taken once");
        } finally {
            EpochEndRecord.driverClosed(token);
        }
    }

    private record State(double[] params, Optimizer optimizer) {}

    /** Parameters and an Adagrad state after one step, seeded. */
    private static State state(long seed) {
        Random r = new Random(seed);
        double[] params = new double[LAYOUT.size()];
        double[] grad = new double[params.length];
        for (int i = 0; i < params.length; i++) {
            params[i] = r.nextGaussian();
            grad[i] = r.nextGaussian();
        }
        Optimizer opt = new Adagrad(new ConstantSchedule(0.1));
        opt.init(LAYOUT);
        opt.step(params, grad, 0);
        return new State(params, opt);
    }

    private static void assertSameState(State s, EpochEndRecord r) {
        double[] got = new double[s.params.length];
        r.paramsInto(got);
        assertArrayEquals(s.params, got);
        assertArrayEquals(s.optimizer.saveState(), r.optimizerState());
        Optimizer driver = new Adagrad(new ConstantSchedule(0.1));
        driver.init(LAYOUT);
        r.optimizerInto(driver);
        assertArrayEquals(s.optimizer.saveState(), driver.saveState());
    }

    /** What a rank passes as the copier: a new optimizer of the rule, initialised from the live one. */
    private static Optimizer copy(Optimizer live) {
        Optimizer c = new Adagrad(new ConstantSchedule(0.1));
        c.init(LAYOUT, live);
        return c;
    }
}
