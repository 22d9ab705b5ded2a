package org.descent.job;

/** Placeholder entry point; the CLI arrives with the training job. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("descent " + Main.class.getPackage().getImplementationVersion());
    }
}
