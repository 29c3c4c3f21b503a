package org.jfail2ban.source;

/**
 * How far a log file has been read: kept in the store so a restart resumes where it stopped.
 *
 * @param path          the log file
 * @param firstLineHash the MD5 (hex) of the file's first line, as fail2ban keeps it: a different
 *                      first line means the file was replaced or rotated, and is read from its start
 * @param offset        the byte offset after the last complete line delivered
 */
public record FilePosition(String path, String firstLineHash, long offset) {
}
