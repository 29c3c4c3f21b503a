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
 * @param attempts  the failures counted for it inside findtime (fail2ban's retry count)
 * @param failures  the failures seen in total for this ticket
 * @param matches   the log lines of those failures, oldest first, at most maxmatches
 * @param tags      named values the filter captured (user, F-... in lower case)
 * @param banTime   seconds the ban lasts, -1 for ever, or {@link #JAIL_BANTIME} for the jail's
 * @param banCount  how many times the id was banned before (the store raises it)
 * @param restored  restored from the store at start rather than new
 */
public record Ticket(String id, IpAddr ip, long time, int attempts, int failures, List<String> matches,
        Map<String, String> tags, long banTime, int banCount, boolean restored) {

    /** The ban lasts what the jail's bantime says, now and after a {@code set JAIL bantime}. */
    public static final long JAIL_BANTIME = Long.MIN_VALUE;

    public Ticket {
        matches = List.copyOf(matches);
        tags = Map.copyOf(tags);
    }

    /** A ticket for a ban by hand ({@code banip}): no failures, no lines. */
    public static Ticket manual(String id, IpAddr ip, long time) {
        return new Ticket(id, ip, time, 0, 0, List.of(), Map.of(), JAIL_BANTIME, 0, false);
    }

    public Ticket withBanTime(long seconds, int count) {
        return new Ticket(id, ip, time, attempts, failures, matches, tags, seconds, count, restored);
    }
}
