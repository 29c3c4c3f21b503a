package org.jfail2ban.filter;

/**
 * A log line cut around its date, as fail2ban keeps it: regexes see {@code before + after}, the
 * failure's lines keep all three parts.
 */
record SplitLine(String before, String date, String after) {

    /** The line as it was read. */
    String text() {
        return before.isEmpty() && date.isEmpty() ? after : before + date + after;
    }

    /** The line with its date cut out: what the regexes are matched against. */
    String withoutDate() {
        return before.isEmpty() ? after : before + after;
    }
}
