package org.jfail2ban.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jfail2ban.config.ConfigException;
import org.jfail2ban.config.Configurator;
import org.jfail2ban.testing.Oracle;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a whole configuration in a running JVM (what a server's reload costs once warm):
 * Debian's stock configuration with every jail of jail.conf enabled, files read from disk each
 * time. Run with {@code scripts/jmh ConfigReadBench}; the whole-process comparison with the
 * Python client is bench/config-dump.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConfigReadBench {

    private Path dir;

    @Setup(Level.Trial)
    public void copyStockConfig() throws IOException {
        dir = Files.createTempDirectory("jf2b-config-bench");
        Path etc = Oracle.etc();
        try (Stream<Path> s = Files.list(etc)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.createSymbolicLink(dir.resolve(p.getFileName().toString()), p);
            }
        }
        Path log = Files.writeString(dir.resolve("test.log"), "");
        StringBuilder local = new StringBuilder();
        Matcher m = Pattern.compile("(?m)^\\[([^\\]]+)\\]").matcher(Files.readString(etc.resolve("jail.conf")));
        while (m.find()) {
            if (!List.of("INCLUDES", "DEFAULT").contains(m.group(1))) {
                local.append('[').append(m.group(1)).append("]\nenabled = true\nlogpath = ").append(log).append("\n\n");
            }
        }
        Files.writeString(dir.resolve("jail.local"), local);
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public int readAllJails() throws ConfigException {
        return Configurator.read(dir, Configurator.Request.dump()).commands().size();
    }
}
