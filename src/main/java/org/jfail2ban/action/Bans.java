package org.jfail2ban.action;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jfail2ban.filter.IpAddr;

/** Facts about one ban that several backends need, and the loops they all run over bans. */
final class Bans {

    /** What an action does with one ban. */
    interface Step {
        void accept(BanInfo ban) throws ActionException;
    }

    /** What a backend does with one ban's address. */
    interface AddressStep {
        void accept(IpAddr ip, BanInfo ban) throws ActionException;
    }

    private Bans() {
    }

    /** Runs the step for every ban, even after one fails; then throws the first failure, the others attached. */
    static void each(List<BanInfo> bans, Step step) throws ActionException {
        ActionException first = null;
        for (BanInfo b : bans) {
            try {
                step.accept(b);
            } catch (ActionException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Runs the step for every ban whose id is an address (with {@code single}, a single address,
     * not a network) and returns the ids of the others, for {@link #reject} once the batch is sent.
     */
    static List<String> addresses(List<BanInfo> bans, boolean single, AddressStep step) throws ActionException {
        List<String> bad = new ArrayList<>();
        for (BanInfo ban : bans) {
            IpAddr ip = address(ban);
            if (ip == null || (single && !ip.isSingle())) {
                bad.add(ban.id());
            } else {
                step.accept(ip, ban);
            }
        }
        return bad;
    }

    /** Fails naming the ids a backend could not take, if any. */
    static void reject(BackendContext ctx, String op, List<String> bad, String why) throws ActionException {
        if (!bad.isEmpty()) {
            throw new ActionException(ctx.what() + ": cannot " + op + " " + bad + ": " + why);
        }
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

    /** {@link BanInfo#until} as the {@code time} and {@code bantime} tags give it. */
    static long untilFromTags(BanInfo ban, Clock clock) {
        long bantime = number(ban.tag("bantime"), -1);
        if (bantime < 0) {
            return SharedTargets.FOREVER;
        }
        long start = number(ban.tag("time"), clock.instant().getEpochSecond());
        return start + bantime;
    }

    /** Seconds the ban has still to run (at least 1), or -1 when it never ends. */
    static long remaining(BanInfo ban, Clock clock) {
        long until = ban.until(clock);
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
        String t = text.strip();
        try {
            // a float ("time" is one) goes straight to the float parser: a failed integer parse
            // costs an exception, 5 microseconds, for each of 100,000 bans restored at once
            return t.indexOf('.') < 0 ? Long.parseLong(t) : (long) Double.parseDouble(t);
        } catch (NumberFormatException e) {
            try {
                return (long) Double.parseDouble(t);
            } catch (NumberFormatException e2) {
                return def;
            }
        }
    }
}
