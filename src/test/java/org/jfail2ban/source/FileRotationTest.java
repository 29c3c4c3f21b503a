package org.jfail2ban.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rotation acceptance: a writer thread writes a steady stream of numbered lines while the log
 * is rotated several times; every line must arrive exactly once, in order.
 */
class FileRotationTest {

    private static final int LINES = 20_000;
    private static final int ROTATE_EVERY = 3_000;

    @TempDir
    Path dir;

    private FileSource source;

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    /** How the writer's log is rotated, as logrotate does it. */
    enum Rotation {
        /** rename to .1, the writer writes a few more lines to the old file, then opens a new one */
        RENAME_AND_CREATE,
        /** copy to .1, then truncate in place; the writer appends throughout (O_APPEND) */
        COPYTRUNCATE,
        /** delete the file and create it anew: what was not read yet is still in the open file */
        DELETE_AND_CREATE
    }

    @ParameterizedTest
    @EnumSource(Rotation.class)
    void everyLineOnceInOrderWithInotify(Rotation rotation) throws Exception {
        run(rotation, FileSource.Backend.AUTO);
    }

    @ParameterizedTest
    @EnumSource(Rotation.class)
    void everyLineOnceInOrderWithPolling(Rotation rotation) throws Exception {
        run(rotation, FileSource.Backend.POLLING);
    }

    private void run(Rotation rotation, FileSource.Backend backend) throws Exception {
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        Collector lines = new Collector();
        source = new FileSource(backend);
        source.setPollInterval(Duration.ofMillis(20));
        source.addPath(log, false, null);
        source.start(lines);

        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                write(log, rotation);
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "test-writer");
        writer.start();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            expected.add(line(i));
        }
        List<String> got = new ArrayList<>();
        try {
            got.addAll(lines.take(LINES));
        } finally {
            writer.join();
        }
        if (failed.get() != null) {
            throw new AssertionError("writer failed", failed.get());
        }
        assertEquals(expected.size(), got.size());
        assertEquals(expected, got);
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    static String line(int i) {
        return String.format("2024-01-01 00:00:00 line %06d Failed password for root from 192.0.2.%d", i, i % 250);
    }

    private static void write(Path log, Rotation rotation) throws IOException {
        OutputStream out = open(log);
        int rotations = 0;
        for (int i = 0; i < LINES; i++) {
            out.write((line(i) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (i % 50 == 0) {
                // a steady stream, not one burst: about 20 000 lines a second
                LockSupport.parkNanos(2_000_000);
            }
            if (i > 0 && i % ROTATE_EVERY == 0) {
                rotations++;
                Path old = log.resolveSibling("app.log." + rotations);
                switch (rotation) {
                    case RENAME_AND_CREATE -> {
                        Files.move(log, old, StandardCopyOption.ATOMIC_MOVE);
                        // the daemon has not reopened yet: a few lines still go to the old file
                        for (int k = 0; k < 3 && i + 1 < LINES; k++) {
                            i++;
                            out.write((line(i) + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        }
                        out.close();
                        out = open(log);
                    }
                    case COPYTRUNCATE -> {
                        Files.copy(log, old, StandardCopyOption.REPLACE_EXISTING);
                        try (var ch = java.nio.channels.FileChannel.open(log, StandardOpenOption.WRITE)) {
                            ch.truncate(0);
                        }
                    }
                    case DELETE_AND_CREATE -> {
                        out.close();
                        Files.delete(log);
                        out = open(log);
                    }
                }
            }
        }
        out.close();
    }

    private static OutputStream open(Path log) throws IOException {
        return Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
