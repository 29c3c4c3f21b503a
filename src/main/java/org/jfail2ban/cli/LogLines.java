package org.jfail2ban.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The lines fail2ban-regex tests: those of a log file (split at {@code \n} in the raw bytes,
 * decoded with malformed bytes replaced, a last line without {@code \n} left out as fail2ban
 * leaves it) or those given on the command line.
 */
abstract class LogLines implements AutoCloseable {

    /** The next line, or null at the end. */
    abstract String next() throws IOException;

    /** How far the reading is, in the unit of {@link #size()}. */
    abstract long position();

    abstract long size();

    @Override
    public void close() throws IOException {
    }

    static LogLines of(List<String> lines) {
        Iterator<String> it = lines.iterator();
        int[] n = {0};
        return new LogLines() {
            @Override
            String next() {
                if (!it.hasNext()) {
                    return null;
                }
                n[0]++;
                return it.next();
            }

            @Override
            long position() {
                return n[0];
            }

            @Override
            long size() {
                return lines.size();
            }
        };
    }

    /** @throws IllegalArgumentException for an encoding Java does not know */
    static LogLines file(Path path, String encoding) throws IOException {
        Charset cs;
        try {
            cs = Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown encoding: " + encoding, e);
        }
        return new FileLines(Files.newInputStream(path), Files.size(path), cs);
    }

    private static final class FileLines extends LogLines {
        private final InputStream in;
        private final long size;
        private final Charset cs;
        private final boolean utf8;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int end;
        private long consumed;
        private byte[] carry = new byte[256];
        private boolean eof;

        FileLines(InputStream in, long size, Charset cs) {
            this.in = in;
            this.size = size;
            this.cs = cs;
            this.utf8 = cs.equals(StandardCharsets.UTF_8);
        }

        @Override
        String next() throws IOException {
            int carried = 0;
            while (true) {
                if (pos >= end) {
                    if (eof) {
                        return null; // a last line without \n is not complete: left out
                    }
                    int n = in.read(buf);
                    if (n < 0) {
                        eof = true;
                        continue;
                    }
                    pos = 0;
                    end = n;
                }
                int nl = -1;
                for (int i = pos; i < end; i++) {
                    if (buf[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                if (nl >= 0) {
                    int len = nl - pos;
                    consumed += len + 1;
                    String s;
                    if (carried == 0) {
                        s = decode(buf, pos, len);
                    } else {
                        ensure(carried + len);
                        System.arraycopy(buf, pos, carry, carried, len);
                        s = decode(carry, 0, carried + len);
                    }
                    pos = nl + 1;
                    return s;
                }
                int len = end - pos;
                ensure(carried + len);
                System.arraycopy(buf, pos, carry, carried, len);
                carried += len;
                consumed += len;
                pos = end;
            }
        }

        private void ensure(int n) {
            if (carry.length < n) {
                carry = Arrays.copyOf(carry, Math.max(n, carry.length * 2));
            }
        }

        private String decode(byte[] b, int off, int len) {
            return utf8 ? new String(b, off, len, StandardCharsets.UTF_8) : new String(b, off, len, cs);
        }

        @Override
        long position() {
            return consumed;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
