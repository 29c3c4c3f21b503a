package org.jfail2ban.source;

import java.time.Instant;

/**
 * One line read from a log source.
 *
 * @param text   the line without its line terminator
 * @param origin the file path, or "systemd-journal" ({@link JournalSource#ORIGIN}) / "-" for other sources
 * @param time   the time the source itself knows for the line (journal entries), or null when
 *               the filter must find the date in the text
 */
public record LogLine(String text, String origin, Instant time) {
}
