package org.jfail2ban.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of a log file's content: the hash of its first line, as fail2ban keeps it in its
 * database (column {@code firstlinemd5}). A different first line at the same path means another
 * file (rotated, replaced or truncated and written again), which is read from its start.
 *
 * <p>fail2ban 1.0.2 means MD5, but its probe of MD5 hashes a text string, which Python 3 refuses,
 * so it always falls back to SHA-1: the hex SHA-1 of the raw bytes of the first line including
 * its line end, once that line is complete; until then the empty string. Ours is the same, so
 * positions in a database written by fail2ban stay valid.
 *
 * @param hash   hex SHA-1 of the first line, or "" while the first line is incomplete
 * @param length bytes of the first line including its line end; 0 while incomplete
 */
record FirstLine(String hash, long length) {

    static final FirstLine INCOMPLETE = new FirstLine("", 0);

    boolean complete() {
        return length > 0;
    }

    /** Reads the first line of the file behind {@code ch} (its position is left alone). */
    static FirstLine of(FileChannel ch) throws IOException {
        MessageDigest digest = digest();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long at = 0;
        while (true) {
            buf.clear();
            int n = ch.read(buf, at);
            if (n <= 0) {
                return INCOMPLETE;
            }
            byte[] a = buf.array();
            for (int i = 0; i < n; i++) {
                if (a[i] == '\n') {
                    digest.update(a, 0, i + 1);
                    return new FirstLine(HexFormat.of().formatHex(digest.digest()), at + i + 1);
                }
            }
            digest.update(a, 0, n);
            at += n;
        }
    }

    /** Whether the file behind {@code ch} still starts with this line. */
    boolean stillFirstOf(FileChannel ch) throws IOException {
        if (!complete()) {
            return true;
        }
        MessageDigest digest = digest();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, 8192));
        long at = 0;
        while (at < length) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), length - at));
            int n = ch.read(buf, at);
            if (n <= 0) {
                return false;
            }
            digest.update(buf.array(), 0, n);
            at += n;
        }
        return HexFormat.of().formatHex(digest.digest()).equals(hash);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
    }
}
