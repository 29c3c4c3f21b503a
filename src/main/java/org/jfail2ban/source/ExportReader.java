package org.jfail2ban.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads the journal export format (what {@code journalctl --output=export} writes): entries of
 * {@code FIELD=value} lines, a field with binary content as its name, a newline, a 64-bit
 * little-endian length and the raw bytes, and an empty line after each entry. Only the fields
 * the formatting needs are kept; a last entry cut short (the process ended mid-write) is dropped.
 */
final class ExportReader {

    private final InputStream in;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private boolean eof;

    ExportReader(InputStream in) {
        this.in = in;
    }

    /** Whether bytes already read wait to be parsed (else the next call may block). */
    boolean buffered() throws IOException {
        return pos < lim || in.available() > 0;
    }

    /** The next complete entry, or null at the end of the stream. */
    JournalEntry next() throws IOException {
        JournalEntry e = new JournalEntry();
        boolean any = false;
        while (true) {
            int nl = find((byte) '\n');
            if (nl < 0) {
                return null;
            }
            if (nl == pos) {
                pos++;
                if (any) {
                    return e;
                }
                continue;
            }
            any = true;
            int eq = indexOf((byte) '=', pos, nl);
            if (eq >= 0) {
                e.set(buf, pos, eq - pos, buf, eq + 1, nl - eq - 1);
                pos = nl + 1;
            } else {
                // binary content: NAME \n LENGTH(8, little-endian) DATA \n; refills may move pos
                int nameLen = nl - pos;
                if (!ensure(nameLen + 1 + 8)) {
                    return null;
                }
                int lenAt = pos + nameLen + 1;
                long len = 0;
                for (int i = 7; i >= 0; i--) {
                    len = (len << 8) | (buf[lenAt + i] & 0xff);
                }
                if (len < 0 || len > Integer.MAX_VALUE - 64) {
                    throw new IOException("journal export field of " + len + " bytes");
                }
                int need = nameLen + 1 + 8 + (int) len + 1;
                if (!ensure(need)) {
                    return null;
                }
                e.set(buf, pos, nameLen, buf, pos + nameLen + 9, (int) len);
                pos += need;
            }
        }
    }

    /** Index of {@code b} at or after {@code pos}, reading more as needed; -1 at the end. */
    private int find(byte b) throws IOException {
        int from = pos;
        while (true) {
            int i = indexOf(b, from, lim);
            if (i >= 0) {
                return i;
            }
            from = lim - pos;
            if (!fill()) {
                return -1;
            }
            from += pos;
        }
    }

    private static int indexOf(byte[] a, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private int indexOf(byte b, int from, int to) {
        return indexOf(buf, b, from, to);
    }

    /** Makes {@code n} bytes from {@code pos} available; false when the stream ends first. */
    private boolean ensure(int n) throws IOException {
        while (lim - pos < n) {
            if (!fill()) {
                return false;
            }
        }
        return true;
    }

    /** Moves the unread bytes to the front, grows when full, reads more; false at the end. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            eof = true;
            return false;
        }
        lim += n;
        return true;
    }
}
