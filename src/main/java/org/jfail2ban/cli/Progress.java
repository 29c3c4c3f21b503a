package org.jfail2ban.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A progress line on stderr while fail2ban-regex works through a big file: shown only when
 * stderr is a terminal and the work has taken more than a second, redrawn a few times a second,
 * erased at the end.
 */
final class Progress implements AutoCloseable {

    private static final long SHOW_AFTER = 1_000_000_000L;
    private static final long EVERY = 250_000_000L;

    private final PrintWriter err;
    private final long total;
    private final long start = System.nanoTime();
    private long next = start + SHOW_AFTER;
    private long lines;
    private boolean shown;

    private Progress(PrintWriter err, long total) {
        this.err = err;
        this.total = total;
    }

    /** A progress display, or one that stays silent when stderr is no terminal. */
    static Progress start(PrintWriter err, long total) {
        return new Progress(stderrIsTerminal() ? err : null, total);
    }

    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** One more line read; {@code position} is how far into {@code total}. */
    void line(long position) {
        if (err == null || (++lines & 1023) != 0) {
            return;
        }
        long now = System.nanoTime();
        if (now < next) {
            return;
        }
        next = now + EVERY;
        shown = true;
        long pct = total > 0 ? Math.min(100, position * 100 / total) : 0;
        double secs = (now - start) / 1e9;
        err.print(String.format("\r%3d%%  %,d lines  %.0f lines/s ", pct, lines, lines / secs));
        err.flush();
    }

    @Override
    public void close() {
        if (err != null && shown) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
