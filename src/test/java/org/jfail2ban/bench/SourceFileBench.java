package org.jfail2ban.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jfail2ban.source.FileSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lines per second through a file source: a log of {@value #LINES} sshd-like lines read from its
 * head ({@code read}), and the same number appended in bursts of 1000 lines while the source
 * follows the file ({@code follow}). The score is lines per second.
 *
 * <p>{@code scripts/jmh SourceFileBench}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class SourceFileBench {

    static final int LINES = 200_000;

    @Param({"AUTO", "POLLING"})
    public String backend;

    private Path dir;
    private Path full;
    private byte[] burst;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jfail2ban-bench");
        full = dir.resolve("auth.log");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < LINES; i++) {
            sb.append(line(i)).append('\n');
        }
        Files.writeString(full, sb);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            b.append(line(i)).append('\n');
        }
        burst = b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String line(int i) {
        return "Nov 23 16:07:12 srv sshd[" + (1000 + i % 30000) + "]: Failed password for invalid user u" + i
                + " from 192.0." + ((i >> 8) & 255) + "." + (i & 255) + " port " + (1024 + i % 60000) + " ssh2";
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public long read() {
        AtomicLong n = new AtomicLong();
        try (FileSource s = new FileSource(FileSource.Backend.valueOf(backend))) {
            s.addPath(full, false, null);
            s.start(l -> n.incrementAndGet());
            while (n.get() < LINES) {
                LockSupport.parkNanos(20_000);
            }
        }
        return n.get();
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public long follow() throws IOException {
        Path log = dir.resolve("follow.log");
        Files.deleteIfExists(log);
        Files.createFile(log);
        AtomicLong n = new AtomicLong();
        try (FileSource s = new FileSource(FileSource.Backend.valueOf(backend))) {
            s.addPath(log, true, null);
            s.start(l -> n.incrementAndGet());
            try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
                for (int i = 0; i < LINES / 1000; i++) {
                    out.write(burst);
                    out.flush();
                }
            }
            while (n.get() < LINES) {
                LockSupport.parkNanos(20_000);
            }
        }
        return n.get();
    }
}
