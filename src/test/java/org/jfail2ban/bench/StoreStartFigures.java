package org.jfail2ban.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.jfail2ban.store.BanRecord;
import org.jfail2ban.store.Database;

/**
 * Wall and CPU time of the store's start path, for {@code bench/store-vs-python}: write N bans
 * durably in batches of 1,000, then (best of five) open the file and load every current ban,
 * and read their matched lines. CPU time shows the cost on a machine busy with other work.
 *
 * <p>{@code java -cp ... org.jfail2ban.bench.StoreStartFigures DIR [N]}
 */
public final class StoreStartFigures {

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private StoreStartFigures() {
    }

    private record Time(long wallNanos, long cpuNanos) {
        static Time now() {
            return new Time(System.nanoTime(), OS.getProcessCpuTime());
        }

        String since(Time start) {
            return String.format("%.0f ms wall, %.0f ms cpu", (wallNanos - start.wallNanos) / 1e6, (cpuNanos - start.cpuNanos) / 1e6);
        }

        long wallSince(Time start) {
            return wallNanos - start.wallNanos;
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Path file = dir.resolve("jfail2ban.sqlite3");
        Files.deleteIfExists(file);
        Clock clock = Clock.systemUTC();
        List<BanRecord> bans = StoreBench.bans(n, clock.instant());

        Time t0 = Time.now();
        try (Database db = Database.open(file, clock)) {
            for (int i = 0; i < n; i += 1000) {
                db.addBans(bans.subList(i, Math.min(n, i + 1000)));
            }
        }
        System.out.println("jfail2ban write " + n + " bans (durable, 1000 per transaction): " + Time.now().since(t0));

        String bestLoad = null;
        String bestMatches = null;
        long bestWall = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            Time a = Time.now();
            int lines = 0;
            try (Database db = Database.open(file, clock)) {
                List<BanRecord> current = db.currentBans("sshd", clock.instant(), 600, -1);
                if (current.size() != n) {
                    throw new IllegalStateException("expected " + n + " bans, found " + current.size());
                }
                Time b = Time.now();
                for (BanRecord r : current) {
                    lines += r.data().matches().size();
                }
                Time c = Time.now();
                if (b.wallSince(a) < bestWall) {
                    bestWall = b.wallSince(a);
                    bestLoad = b.since(a);
                    bestMatches = c.since(b) + " (" + lines + " lines)";
                }
            }
        }
        System.out.println("jfail2ban open and load " + n + " current bans (best of 5): " + bestLoad);
        System.out.println("jfail2ban then read their matches: " + bestMatches);
        System.out.println("jfail2ban-load-ms " + bestWall / 1_000_000);
    }
}
