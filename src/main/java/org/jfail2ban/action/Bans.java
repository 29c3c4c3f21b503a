package org.jfail2ban.action;

import java.time.Clock;
import org.jfail2ban.filter.IpAddr;

/** Facts about one ban that several backends need: its address, its family, when it ends. */
final class Bans {

    private Bans() {
    }

    /** The ban's address, or null when its id is not an address (a host name, a failure id). */
    static IpAddr address(BanInfo ban) {
        if (ban.ip() != null) {
            return ban.ip();
        }
        String t = ban.tag("ip");
        return IpAddr.parseOrNull(t != null ? t : ban.id());
    }

    /** "inet4", "inet6", or "" for an id that is no address. */
    static String family(BanInfo ban) {
        String f = ban.tag("family");
        if (f != null && !f.isEmpty()) {
            return f;
        }
        IpAddr ip = address(ban);
        return ip == null ? "" : ip.family().tag();
    }

    /** When the ban ends, in epoch seconds, or {@link SharedTargets#FOREVER}. */
    static long until(BanInfo ban, Clock clock) {
        long bantime = number(ban.tag("bantime"), -1);
        if (bantime < 0) {
            return SharedTargets.FOREVER;
        }
        long start = number(ban.tag("time"), clock.instant().getEpochSecond());
        return start + bantime;
    }

    /** Seconds the ban has still to run (at least 1), or -1 when it never ends. */
    static long remaining(BanInfo ban, Clock clock) {
        long until = until(ban, clock);
        if (until == SharedTargets.FOREVER) {
            return -1;
        }
        return Math.max(1, until - clock.instant().getEpochSecond());
    }

    /** Seconds until an epoch-seconds end (at least 1), or -1 for FOREVER. */
    static long remainingUntil(long until, Clock clock) {
        return until == SharedTargets.FOREVER ? -1 : Math.max(1, until - clock.instant().getEpochSecond());
    }

    /** An integer from a tag that may be written as a float ("1691234567.25"); {@code def} when absent. */
    static long number(String text, long def) {
        if (text == null || text.isBlank()) {
            return def;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            try {
                return (long) Double.parseDouble(text.strip());
            } catch (NumberFormatException e2) {
                return def;
            }
        }
    }
}
