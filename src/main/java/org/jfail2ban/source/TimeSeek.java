package org.jfail2ban.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Instant;
import java.util.function.Function;

/**
 * Finds, by halving, roughly where a log file reaches a given time, so that a first read skips
 * what is too old to count. Log lines are written in time order, so a line older than the time
 * means every line before it is older too. The search stops at 64 KiB of precision, or when it
 * meets lines without a time, and always errs towards reading more: it returns a line start at
 * or before the first line that is recent enough.
 */
final class TimeSeek {

    private static final int PRECISION = 64 << 10;
    private static final int PROBE_LINES = 5;
    private static final int PROBE_BYTES = 16 << 10;

    private TimeSeek() {
    }

    static long find(FileChannel ch, long from, long size, Instant notBefore, Function<String, Instant> timeOf,
            LineCodec codec) throws IOException {
        long lo = from;
        long hi = size;
        byte[] buf = new byte[PROBE_BYTES];
        while (hi - lo > PRECISION) {
            long mid = lo + (hi - lo) / 2;
            int n = read(ch, mid - 1, buf);
            int nl = codec.findNewline(buf, 0, n, mid - 1);
            if (nl < 0) {
                break;
            }
            long lineStart = mid + nl;
            Instant t = null;
            int at = nl + 1;
            for (int i = 0; i < PROBE_LINES && t == null; i++) {
                int end = codec.findNewline(buf, at, n, mid - 1);
                if (end < 0) {
                    break;
                }
                t = timeOf(timeOf, codec.decode(buf, at, end - at));
                at = end + 1;
            }
            if (t == null) {
                break;
            }
            if (t.isBefore(notBefore)) {
                lo = lineStart;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static Instant timeOf(Function<String, Instant> timeOf, String line) {
        try {
            return timeOf.apply(line);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int read(FileChannel ch, long at, byte[] buf) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf);
        while (b.hasRemaining()) {
            int r = ch.read(b, at + b.position());
            if (r <= 0) {
                break;
            }
        }
        return b.position();
    }
}
