package org.descent.job.model;

import org.apache.hadoop.conf.Configuration;

/**
 * A second JVM for {@link ModelLeaseTest}: takes the lease of {@code args[0]}, prints {@code held} or
 * {@code refused: <message>}, then (when held) keeps it until its stdin closes or it is killed.
 */
public final class LeaseHolderMain {
    private LeaseHolderMain() {}

    public static void main(String[] args) throws Exception {
        try (ModelLease lease = ModelLease.acquire(new Configuration(), args[0])) {
            System.out.println("held");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the parent closes stdin
            }
        } catch (ModelLease.LeaseHeldException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}
