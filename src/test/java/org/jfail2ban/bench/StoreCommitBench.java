package org.jfail2ban.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single bans, each durable before its call returns (one fsync per transaction): one jail
 * banning alone, and eight jails banning at once, whose bans share transactions (group commit).
 * Run with {@code scripts/jmh StoreCommitBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
public class StoreCommitBench {

    private final Clock clock = Clock.systemUTC();
    private final AtomicLong next = new AtomicLong();
    private Path dir;
    private Database db;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jf2b-store-commit");
        db = Database.open(dir.resolve("fail2ban.sqlite3"), clock);
    }

    private void banOne() {
        long i = next.getAndIncrement();
        String ip = (i >> 24 & 255) + "." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
        db.addBan(new BanRecord("sshd", ip, clock.instant(), 600, 1,
                BanData.of(3, List.of("Failed password for root from " + ip + " port 22 ssh2"))));
    }

    @Benchmark
    @Threads(1)
    public void oneJailBanning() {
        banOne();
    }

    @Benchmark
    @Threads(8)
    public void eightJailsBanningAtOnce() {
        banOne();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
