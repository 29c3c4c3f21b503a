package org.jfail2ban.filter;

import java.time.Instant;

/**
 * Where a line's timestamp stands and what instant it names. The filter matches its regexes
 * against the line with {@code [start, end)} cut out, as fail2ban does.
 *
 * @param time the instant, or null when the template matched but gave no time: the text is no
 *     valid date (30 February), or the match is empty ({@code {NONE}} or a pattern such as
 *     {@code ^WARNING:()**}); fail2ban then takes the last date it saw if that is under a minute
 *     old, else now (a date that failed to parse is still cut out of the line)
 * @param start start of the date text (group 1 of the template) in the line
 * @param end end of the date text
 * @param template the name of the template that matched, as fail2ban-regex reports it
 */
public record DateMatch(Instant time, int start, int end, String template) {
}
