package org.jfail2ban.filter;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the timestamp of a log line.
 *
 * <p>STUB of the foundation commit: knows only ISO and syslog stamps. The filter work replaces
 * the body with fail2ban's template library; the public methods stay.
 */
public final class DateDetector {

    private static final Pattern ISO = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}");
    private static final Pattern SYSLOG = Pattern.compile("[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}");

    private final Clock clock;
    private ZoneId zone;
    private String pattern;

    public DateDetector(Clock clock) {
        this.clock = clock;
        this.zone = clock.getZone();
    }

    /** Sets a {@code datepattern} ({@code {^LN-BEG}}, {@code %Y-%m-%d}, ...); null for the default library. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    public String pattern() {
        return pattern;
    }

    public void setTimeZone(ZoneId zone) {
        this.zone = zone == null ? clock.getZone() : zone;
    }

    /**
     * Sets {@code logtimezone} in fail2ban's syntax; null for local time.
     *
     * @throws IllegalArgumentException when the zone cannot be read
     */
    public void setTimeZone(String logtimezone) {
        try {
            setTimeZone(logtimezone == null ? null : ZoneId.of(logtimezone));
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("Unknown time zone '" + logtimezone + "'", e);
        }
    }

    /** The templates in their current order with their hits, for fail2ban-regex. */
    public java.util.List<DateTemplateHits> stats() {
        return java.util.List.of();
    }

    public ZoneId timeZone() {
        return zone;
    }

    /** The timestamp in {@code line}, or null when there is none. */
    public DateMatch match(CharSequence line) {
        Matcher m = ISO.matcher(line);
        if (m.find()) {
            LocalDateTime t = LocalDateTime.parse(m.group().replace(' ', 'T'));
            return new DateMatch(t.atZone(zone).toInstant(), m.start(), m.end(), "ISO");
        }
        m = SYSLOG.matcher(line);
        if (m.find()) {
            int year = LocalDateTime.now(clock.withZone(zone)).getYear();
            LocalDateTime t = LocalDateTime.parse(year + " " + m.group().replace("  ", " 0"),
                    DateTimeFormatter.ofPattern("yyyy MMM dd HH:mm:ss", Locale.ROOT));
            return new DateMatch(t.atZone(zone).toInstant(), m.start(), m.end(), "syslog");
        }
        return null;
    }
}
