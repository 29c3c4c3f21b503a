package org.jfail2ban.filter;

import java.time.Instant;

/**
 * Where a line's timestamp stands and what instant it names. The filter matches its regexes
 * against the line with {@code [start, end)} cut out, as fail2ban does: the date text only
 * (group 1 of the template), so brackets around it stay ({@code [2005-01-23 21:59:59] x}
 * leaves {@code [] x}).
 *
 * @param time the instant, or null when the template matched but gave no time. Then, as in
 *     fail2ban's filter: an empty match ({@code {NONE}}, a pattern such as {@code ^WARNING:()**})
 *     takes the last date seen if it is under a minute old, else now; a text that is no valid
 *     date (30 February) takes the last date seen, if under a minute old, with the whole line,
 *     else the line is matched with the text cut out and has no date
 * @param start start of the date text in the line
 * @param end end of the date text
 * @param template the name of the template that matched, as fail2ban-regex reports it
 * @param integral fail2ban holds this time as a Python int (a date whose zone was known, from
 *     the line or the logtimezone, and TAI64N) rather than a float (a local date, Unix time):
 *     {@code fail2ban-regex -o '<time>'} prints {@code 1124013600} or {@code 1124013600.0}
 */
public record DateMatch(Instant time, int start, int end, String template, boolean integral) {

    /** A match whose time fail2ban holds as a float. */
    public DateMatch(Instant time, int start, int end, String template) {
        this(time, start, end, template, false);
    }
}
