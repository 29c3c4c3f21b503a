package org.jfail2ban.ban;

import java.util.List;
import java.util.Map;
import org.jfail2ban.filter.IpAddr;

/**
 * An id that reached maxretry (or was banned by hand): what the ledger needs to ban it.
 *
 * @param id        the ban id (normalised address, or a failure id)
 * @param ip        the id as an address, or null
 * @param time      when the last failure happened (epoch milliseconds); the ban runs from here
 * @param evidence  the failures behind it: how many, their lines, the values the filter captured
 * @param banTime   seconds the ban lasts, -1 for ever, or {@link #JAIL_BANTIME} for the jail's
 * @param banCount  how many times the id was banned before (the store raises it)
 * @param restored  restored from the store at start rather than new
 */
public record Ticket(String id, IpAddr ip, long time, Evidence evidence, long banTime, int banCount, boolean restored) {

    /** The ban lasts what the jail's bantime says, now and after a {@code set JAIL bantime}. */
    public static final long JAIL_BANTIME = Long.MIN_VALUE;

    /**
     * A ticket whose evidence is known in full.
     *
     * @param attempts the failures counted for it inside findtime (fail2ban's retry count)
     * @param failures the failures seen in total for this ticket
     * @param matches  the log lines of those failures, oldest first, at most maxmatches
     * @param tags     named values the filter captured (user, F-... in lower case)
     */
    public Ticket(String id, IpAddr ip, long time, int attempts, int failures, List<String> matches,
            Map<String, String> tags, long banTime, int banCount, boolean restored) {
        this(id, ip, time, Evidence.of(attempts, failures, matches, tags), banTime, banCount, restored);
    }

    public int attempts() {
        return evidence.attempts();
    }

    public int failures() {
        return evidence.failures();
    }

    public List<String> matches() {
        return evidence.matches();
    }

    public Map<String, String> tags() {
        return evidence.tags();
    }

    /** A ticket for a ban by hand ({@code banip}): no failures, no lines. */
    public static Ticket manual(String id, IpAddr ip, long time) {
        return new Ticket(id, ip, time, 0, 0, List.of(), Map.of(), JAIL_BANTIME, 0, false);
    }

    public Ticket withBanTime(long seconds, int count) {
        return new Ticket(id, ip, time, evidence, seconds, count, restored);
    }
}
