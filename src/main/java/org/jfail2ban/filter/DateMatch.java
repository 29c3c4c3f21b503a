package org.jfail2ban.filter;

import java.time.Instant;

/**
 * Where a line's timestamp stands and what instant it names. The filter matches its regexes
 * against the line with {@code [start, end)} cut out, as fail2ban does.
 *
 * @param template the name of the template that matched, as fail2ban-regex reports it
 */
public record DateMatch(Instant time, int start, int end, String template) {
}
