package org.jfail2ban.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A sink that keeps what a source delivers, for tests to wait on and look at. */
final class Collector implements LineSink {

    static final Duration PATIENCE = Duration.ofSeconds(20);

    private final LinkedBlockingQueue<LogLine> queue = new LinkedBlockingQueue<>();
    private final List<LogLine> all = new ArrayList<>();

    @Override
    public void accept(LogLine line) {
        queue.add(line);
    }

    /** Waits for {@code n} more lines and returns their texts; fails when they do not come. */
    List<String> take(int n) throws InterruptedException {
        List<String> got = new ArrayList<>();
        for (LogLine l : takeLines(n)) {
            got.add(l.text());
        }
        return got;
    }

    List<LogLine> takeLines(int n) throws InterruptedException {
        List<LogLine> got = new ArrayList<>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (got.size() < n) {
            LogLine l = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError("expected " + n + " lines, got " + got.size() + ": " + tail(got));
            }
            got.add(l);
            all.add(l);
        }
        return got;
    }

    /** Whatever else arrives within {@code quiet}: for checks that nothing more comes. */
    List<String> rest(Duration quiet) throws InterruptedException {
        List<String> got = new ArrayList<>();
        LogLine l;
        while ((l = queue.poll(quiet.toNanos(), TimeUnit.NANOSECONDS)) != null) {
            got.add(l.text());
            all.add(l);
        }
        return got;
    }

    private static String tail(List<LogLine> got) {
        int from = Math.max(0, got.size() - 3);
        return got.subList(from, got.size()).toString();
    }
}
