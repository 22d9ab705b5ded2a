package org.descent.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.descent.job.config.SparkSettings;
import org.junit.jupiter.api.Test;

/**
 * {@link SparkSessions#master}: the master {@link SparkSessions#start} sets, which decides whether {@code train} parses
 * Parquet ahead on the driver (local mode only: on a cluster the executors could not take what it parsed).
 */
class SparkSessionsTest {

    @Test
    void givenAMasterInSparkConf_whenResolved_thenItWinsOverSparkMasterAsStartAppliesItLast() {
        SparkSettings s = new SparkSettings("local[2]", "app", Map.of("spark.master", "spark://127.0.0.1:7077"));
        assertEquals("spark://127.0.0.1:7077", SparkSessions.master(s));
    }

    @Test
    void givenOnlySparkMaster_whenResolved_thenItIsTheMaster() {
        assertEquals("local[3]", SparkSessions.master(new SparkSettings("local[3]", "app", Map.of())));
    }

    @Test
    void givenNoMasterAnywhere_whenResolved_thenSparkSubmitsOrLocalStar() {
        String submitted = System.getProperty("spark.master");
        assertEquals(submitted != null ? submitted : "local[*]", SparkSessions.master(new SparkSettings(null, "app", Map.of())));
    }
}
