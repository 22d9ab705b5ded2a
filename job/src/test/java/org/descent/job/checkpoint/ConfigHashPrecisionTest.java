package org.descent.job.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import org.junit.jupiter.api.Test;

/** training.precision is part of a checkpoint's config identity; at its default it leaves the hash as before. */
class ConfigHashPrecisionTest {
    private static final String BASE = """
            data { train-path = "d/train.csv", format = csv, label-type = class-index }
            model.type = softmax
            output.model-path = "runs/m"
            """;

    private static String canonical(String... overrides) {
        JobConfig c = ConfigLoader.parse(BASE, List.of(overrides));
        return ConfigHash.canonical(c.resolvedHocon());
    }

    @Test
    void givenFloat32InsteadOfFloat64_whenHashing_thenHashDiffersAndTheKeyIsNamed() {
        String f64 = canonical();
        String f32 = canonical("training.precision=float32");
        assertTrue(f32.contains("training.precision=\"float32\"\n"), f32);
        assertNotEquals(ConfigHash.sha256(f64.getBytes()), ConfigHash.sha256(f32.getBytes()));
        assertEquals(Set.of("training.precision"), ConfigHash.differingKeys(f64, f32));
    }

    @Test
    void givenTheDefaultFloat64_whenHashing_thenTheKeyIsLeftOutSoOlderCheckpointsStillMatch() {
        String explicit = canonical("training.precision=float64");
        assertFalse(explicit.contains("training.precision"), explicit);
        assertEquals(canonical(), explicit);
        // the other training.* keys are all still in (only storage-level is excluded)
        assertTrue(explicit.contains("training.seed=") && explicit.contains("training.exchange=")
                && explicit.contains("training.early-stopping.patience=") && !explicit.contains("training.storage-level"),
                explicit);
    }
}
