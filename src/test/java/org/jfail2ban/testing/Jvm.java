package org.jfail2ban.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Our entry points as processes of their own, on the classes under test; for tests. */
public final class Jvm {

    private Jvm() {
    }

    /** The classpath of the code under test (surefire gives it in a property). */
    public static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isEmpty() ? cp : System.getProperty("java.class.path");
    }

    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** A java command line for one of our entry points ({@code org.jfail2ban.cli.ClientMain} ...). */
    public static List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", classpath(), mainClass));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** Polls a condition every 20 ms until it holds or {@code max} has passed; whether it holds. */
    public static boolean waitFor(Duration max, BooleanSupplier cond) {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return cond.getAsBoolean();
    }
}
