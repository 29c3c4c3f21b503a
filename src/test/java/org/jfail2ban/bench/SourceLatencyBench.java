package org.jfail2ban.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * From the write of a line to its delivery by the file source: one operation writes one line
 * (with its newline, in one write) and waits until the sink has it. Before each operation the
 * writer pauses a random while (not measured), so that every line comes as a lone failure line
 * would: it finds the source idle (else it would ride along with the read still in progress),
 * and, with {@code POLLING}, at any moment of the poll interval (250 ms by default; else every
 * line would come just after a poll and wait the whole interval). JMH's sample mode gives the
 * median and the 99th percentile.
 *
 * <p>{@code scripts/jmh SourceLatencyBench}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class SourceLatencyBench {

    @Param({"AUTO", "POLLING"})
    public String backend;

    private Path dir;
    private Path log;
    private OutputStream out;
    private FileSource source;
    private final AtomicLong delivered = new AtomicLong();
    private final Object monitor = new Object();
    private long written;
    private byte[] line;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jfail2ban-bench");
        log = dir.resolve("auth.log");
        out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        line = "Nov 23 16:07:12 srv sshd[1234]: Failed password for root from 192.0.2.1 port 22 ssh2\n"
                .getBytes(StandardCharsets.UTF_8);
        source = new FileSource(FileSource.Backend.valueOf(backend));
        source.addPath(log, true, null);
        source.start(l -> {
            delivered.incrementAndGet();
            synchronized (monitor) {
                monitor.notifyAll();
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        source.close();
        out.close();
        Files.delete(log);
        Files.delete(dir);
    }

    @Setup(Level.Invocation)
    public void pause() {
        long most = backend.equals("POLLING") ? 250_000_000 : 2_000_000;
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, most));
    }

    @Benchmark
    public long writeToDelivery() throws IOException, InterruptedException {
        long want = ++written;
        out.write(line);
        out.flush();
        synchronized (monitor) {
            while (delivered.get() < want) {
                monitor.wait(1000);
            }
        }
        return want;
    }
}
