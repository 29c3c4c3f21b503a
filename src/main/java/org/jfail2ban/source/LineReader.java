package org.jfail2ban.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;

/**
 * Reads complete lines from a file from a byte offset on. A line is complete once its newline is
 * written; a partial last line is left in the file and read again, whole, on a later call, so no
 * state is carried between calls but the offset.
 *
 * <p>One reader serves one source thread: its buffer is reused from call to call. A line longer
 * than {@link #MAX_LINE} is delivered in pieces of that size, so a hostile writer cannot make the
 * daemon hold an unbounded line in memory.
 */
final class LineReader {

    static final int MAX_LINE = 8 << 20;
    private static final int INITIAL = 64 << 10;

    private final int maxLine;
    private byte[] buf = new byte[INITIAL];
    private LineCodec codec;

    LineReader(LineCodec codec) {
        this(codec, MAX_LINE);
    }

    LineReader(LineCodec codec, int maxLine) {
        this.codec = codec;
        this.maxLine = Math.max(maxLine, 16);
    }

    void setCodec(LineCodec codec) {
        this.codec = codec;
    }

    LineCodec codec() {
        return codec;
    }

    /**
     * Delivers the complete lines found from {@code pos} on, reading at least {@code budget}
     * bytes when there are that many (then it stops after the line that crosses the budget).
     *
     * @param flushPartial deliver a last line that has no newline too (a file that will not grow)
     * @return the offset after the last line delivered
     */
    long read(FileChannel ch, long pos, long budget, boolean flushPartial, Consumer<String> out) throws IOException {
        long start = pos;
        long base = pos;      // file offset of buf[0]
        int len = 0;          // bytes held in buf, all after the last line end
        int nl = codec.newlineLength();
        try {
            while (true) {
                if (len == buf.length) {
                    if (buf.length < maxLine) {
                        buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, maxLine));
                    } else {
                        out.accept(codec.decode(buf, 0, len));
                        base += len;
                        len = 0;
                    }
                }
                int n = ch.read(ByteBuffer.wrap(buf, len, buf.length - len), base + len);
                if (n <= 0) {
                    break;
                }
                int scan = Math.max(0, len - nl + 1);
                len += n;
                int lineStart = 0;
                int end;
                while ((end = codec.findNewline(buf, scan, len, base)) >= 0) {
                    out.accept(codec.decode(buf, lineStart, end - lineStart));
                    lineStart = end + nl;
                    scan = lineStart;
                }
                if (lineStart > 0) {
                    System.arraycopy(buf, lineStart, buf, 0, len - lineStart);
                    len -= lineStart;
                    base += lineStart;
                }
                if (base - start >= budget) {
                    break;
                }
            }
            if (flushPartial && len > 0) {
                out.accept(codec.decode(buf, 0, len));
                base += len;
            }
            return base;
        } finally {
            if (buf.length > INITIAL * 4) {
                buf = new byte[INITIAL];
            }
        }
    }

    /** The offset just after the last line end before {@code size}: where a tail start begins. */
    long lastLineEnd(FileChannel ch, long size) throws IOException {
        int nl = codec.newlineLength();
        long at = size;
        while (at > 0) {
            // chunks start on character boundaries, so a wide newline never straddles two
            long from = Math.max(0, at - buf.length);
            from -= from % nl;
            int n = (int) (at - from);
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) {
                if (ch.read(b, from + b.position()) <= 0) {
                    return size;
                }
            }
            int last = -1;
            int end;
            int scan = 0;
            while ((end = codec.findNewline(buf, scan, n, from)) >= 0) {
                last = end;
                scan = end + nl;
            }
            if (last >= 0) {
                return from + last + nl;
            }
            if (size - from >= maxLine) {
                return size;
            }
            at = from;
        }
        return 0;
    }
}
