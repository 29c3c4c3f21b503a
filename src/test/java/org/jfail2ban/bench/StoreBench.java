package org.jfail2ban.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jfail2ban.store.BanData;
import org.jfail2ban.store.BanRecord;
import org.jfail2ban.store.Database;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The store with 100,000 bans (each with three matched lines, as sshd leaves them): writing them
 * in batches, and loading the current bans as a jail does at start. Run with
 * {@code scripts/jmh StoreBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class StoreBench {

    @Param("100000")
    public int bans;

    @Param("1000")
    public int batch;

    private final Clock clock = Clock.systemUTC();
    private Path dir;
    private Path full;
    private List<BanRecord> records;
    private Path fresh;
    private int round;

    /** n bans of one jail, still due for a day, with sshd-like matches. */
    public static List<BanRecord> bans(int n, Instant now) {
        List<BanRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String ip = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
            out.add(new BanRecord("sshd", ip, now.minusSeconds(i % 3600), 86400, 1, BanData.of(3, List.of(
                    "Nov 14 22:13:15 host sshd[1234]: Failed password for invalid user admin from " + ip + " port 4242 ssh2",
                    "Nov 14 22:13:17 host sshd[1234]: Failed password for invalid user admin from " + ip + " port 4243 ssh2",
                    "Nov 14 22:13:19 host sshd[1234]: Failed password for invalid user admin from " + ip + " port 4244 ssh2"))));
        }
        return out;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jf2b-store-bench");
        records = bans(bans, clock.instant());
        full = dir.resolve("full.sqlite3");
        try (Database db = Database.open(full, clock)) {
            write(db);
        }
    }

    @Setup(Level.Invocation)
    public void nextFile() {
        fresh = dir.resolve("fresh-" + round++ + ".sqlite3");
    }

    private void write(Database db) {
        for (int i = 0; i < records.size(); i += batch) {
            db.addBans(records.subList(i, Math.min(records.size(), i + batch)));
        }
    }

    /** Writes every ban durably, {@code batch} per transaction, into a new file. */
    @Benchmark
    public long writeInBatches() {
        try (Database db = Database.open(fresh, clock)) {
            write(db);
        }
        return fresh.toFile().length();
    }

    /** Opens the file (with its integrity check) and loads every current ban, as a start does. */
    @Benchmark
    public int openAndLoadCurrentBans() {
        try (Database db = Database.open(full, clock)) {
            List<BanRecord> current = db.currentBans("sshd", clock.instant(), 600, -1);
            if (current.size() != bans) {
                throw new IllegalStateException("expected " + bans + " bans, found " + current.size());
            }
            return current.size();
        }
    }

    /** The same, and reads every ban's matched lines (what a restored ban's actions may use). */
    @Benchmark
    public int openAndLoadCurrentBansWithTheirMatches() {
        try (Database db = Database.open(full, clock)) {
            int lines = 0;
            for (BanRecord b : db.currentBans("sshd", clock.instant(), 600, -1)) {
                lines += b.data().matches().size();
            }
            return lines;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
