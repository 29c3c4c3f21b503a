package org.jfail2ban.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jfail2ban.filter.Filter;

/**
 * fail2ban-regex's reader: a thread of its own reads the lines, drops the end of line, and finds
 * each line's date (the first step of the filter, which depends on the lines before only),
 * handing them over in batches, in order, to the thread that matches the regexes. On two cores
 * reading, decoding and dating cost no time of the matching thread.
 */
final class RegexReader implements AutoCloseable {

    private static final int BATCH = 512;
    /** Batches read ahead at most: bounds the memory the reader may run ahead with. */
    private static final int AHEAD = 64;
    private static final Item[] END = new Item[0];

    /** A line as read: to be skipped (empty, comment) when it has neither a date step nor a time. */
    static final class Item {
        final String line;
        /** The time the source knows for the line (the journal), or null. */
        final Instant known;
        /** The line with its date found, for a line without a known time that is tested. */
        final Filter.DatedLine dated;
        /** How far the source was read after the line (progress). */
        final long position;

        Item(String line, Instant known, Filter.DatedLine dated, long position) {
            this.line = line;
            this.known = known;
            this.dated = dated;
            this.position = position;
        }
    }

    private final BlockingQueue<Item[]> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Thread thread;
    private volatile Throwable failure;
    private Item[] batch = END;
    private int next;
    private boolean ended;

    RegexReader(LogLines lines, Filter filter) {
        thread = new Thread(null, () -> read(lines, filter), "fail2ban-regex-reader", Filter.STACK_SIZE);
        thread.setDaemon(true);
        thread.start();
    }

    private void read(LogLines lines, Filter filter) {
        try {
            Item[] b = new Item[BATCH];
            int n = 0;
            for (String line; (line = lines.next()) != null; ) {
                Instant known = lines.time();
                Item it;
                if (known != null) {
                    it = new Item(line, known, null, lines.position());
                } else {
                    line = stripEol(line);
                    boolean skip = line.isEmpty() || line.charAt(0) == '#';
                    it = new Item(line, null, skip ? null : filter.dateLine(line), lines.position());
                }
                b[n++] = it;
                if (n == BATCH) {
                    queue.put(b);
                    b = new Item[BATCH];
                    n = 0;
                }
            }
            if (n > 0) {
                queue.put(java.util.Arrays.copyOf(b, n));
            }
        } catch (InterruptedException e) {
            return; // closed by the tester, which reads no more
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        }
        try {
            queue.put(END);
        } catch (InterruptedException e) {
            // closed meanwhile: nobody waits for the end
        }
    }

    /** The next line, or null at the end. @throws IOException when the source failed to read */
    Item next() throws IOException {
        if (next < batch.length) {
            return batch[next++];
        }
        if (ended) {
            return null;
        }
        try {
            batch = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (batch == END) {
            ended = true;
            Throwable f = failure;
            if (f instanceof IOException io) {
                throw io;
            } else if (f instanceof RuntimeException re) {
                throw re;
            } else if (f instanceof Error er) {
                throw er;
            }
            return null;
        }
        next = 1;
        return batch[0];
    }

    @Override
    public void close() {
        thread.interrupt();
    }

    static String stripEol(String s) {
        int e = s.length();
        while (e > 0 && (s.charAt(e - 1) == '\n' || s.charAt(e - 1) == '\r')) {
            e--;
        }
        return e == s.length() ? s : s.substring(0, e);
    }
}
