package org.jfail2ban.source;

/**
 * How far a log file has been read: kept in the store so a restart resumes where it stopped.
 *
 * @param path          the log file
 * @param firstLineHash the hash (hex) of the file's first line with its line end, as fail2ban keeps
 *                      it (SHA-1 in fact, see {@code FirstLine}); "" while that line is incomplete:
 *                      a different first line means the file was replaced or rotated, and is read
 *                      from its start
 * @param offset        the byte offset after the last complete line delivered
 */
public record FilePosition(String path, String firstLineHash, long offset) {
}
