package org.jfail2ban.filter;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * Converts between UTC seconds and wall-clock seconds of one zone, remembering the span around
 * the last answer so that the lines of a log, which mostly share one offset, cost no lookup.
 *
 * <p>A wall-clock time that does not exist (the hour skipped in spring) is read with the offset
 * in force before the change: 02:30 is 03:30 summer time. One that exists twice (the hour
 * repeated in autumn) is read as the C library's {@code mktime} reads it for fail2ban: with the
 * offset of the previous conversion when that is one of the two, so a log that was in summer
 * time stays in it until its clock passes the repeated hour.
 */
final class TimeZoneLocal {

    private final ZoneRules rules;
    private final boolean fixed;
    private final int fixedOffset;

    /** Wall-clock seconds in [wallLow, wallHigh) have exactly one offset: wallOffset. */
    private long wallLow = 1;
    private long wallHigh = 0;
    private int wallOffset;

    /** The offset of the last wall-clock conversion: mktime's guess for the next one. */
    private int guess;

    /** UTC seconds in [utcLow, utcHigh) have the offset utcOffset. */
    private long utcLow = 1;
    private long utcHigh = 0;
    private int utcOffset;

    TimeZoneLocal(ZoneId zone) {
        this.rules = zone.getRules();
        this.fixed = rules.isFixedOffset();
        this.fixedOffset = fixed ? rules.getOffset(Instant.EPOCH).getTotalSeconds() : 0;
    }

    /** The offset (seconds east of UTC) that applies to a wall-clock time. */
    int offsetOfWall(long wallSeconds) {
        if (fixed) {
            return fixedOffset;
        }
        if (wallSeconds >= wallLow && wallSeconds < wallHigh) {
            return wallOffset;
        }
        LocalDateTime ldt = LocalDateTime.ofEpochSecond(wallSeconds, 0, ZoneOffset.UTC);
        ZoneOffsetTransition change = rules.getTransition(ldt);
        if (change != null) {
            int before = change.getOffsetBefore().getTotalSeconds();
            if (change.isGap()) {
                return before;
            }
            int after = change.getOffsetAfter().getTotalSeconds();
            if (guess == before || guess == after) {
                return guess;
            }
            // mktime starts from its guess and takes the offset found there
            int there = rules.getOffset(Instant.ofEpochSecond(wallSeconds - guess)).getTotalSeconds();
            return there == after ? after : before;
        }
        int off = rules.getOffset(ldt).getTotalSeconds();
        long utc = wallSeconds - off;
        ZoneOffsetTransition prev = rules.previousTransition(Instant.ofEpochSecond(utc + 1));
        ZoneOffsetTransition next = rules.nextTransition(Instant.ofEpochSecond(utc));
        long low = prev == null ? Long.MIN_VALUE : prev.toEpochSecond()
                + Math.max(prev.getOffsetBefore().getTotalSeconds(), prev.getOffsetAfter().getTotalSeconds());
        long high = next == null ? Long.MAX_VALUE : next.toEpochSecond()
                + Math.min(next.getOffsetBefore().getTotalSeconds(), next.getOffsetAfter().getTotalSeconds());
        if (wallSeconds >= low && wallSeconds < high) {
            wallLow = low;
            wallHigh = high;
            wallOffset = off;
        }
        return off;
    }

    /** UTC seconds of a wall-clock time in this zone. */
    long toUtc(long wallSeconds) {
        guess = offsetOfWall(wallSeconds);
        return wallSeconds - guess;
    }

    /** The offset (seconds east of UTC) at an instant. */
    int offsetAt(long utcSeconds) {
        if (fixed) {
            return fixedOffset;
        }
        if (utcSeconds >= utcLow && utcSeconds < utcHigh) {
            return utcOffset;
        }
        Instant at = Instant.ofEpochSecond(utcSeconds);
        int off = rules.getOffset(at).getTotalSeconds();
        ZoneOffsetTransition prev = rules.previousTransition(Instant.ofEpochSecond(utcSeconds + 1));
        ZoneOffsetTransition next = rules.nextTransition(at);
        utcLow = prev == null ? Long.MIN_VALUE : prev.toEpochSecond();
        utcHigh = next == null ? Long.MAX_VALUE : next.toEpochSecond();
        utcOffset = off;
        return off;
    }
}
