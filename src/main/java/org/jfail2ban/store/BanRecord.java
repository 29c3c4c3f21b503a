package org.jfail2ban.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One ban as the store keeps it (a row of fail2ban's {@code bans} and {@code bips} tables).
 *
 * @param jail      the jail that banned
 * @param id        the banned id: the normalised address, or the failure id
 * @param timeOfBan the ban's start: fail2ban takes the time of the last failure; stored in whole
 *                  seconds (rounded half to even, as fail2ban rounds)
 * @param banTime   the ban's length in seconds; -1 is forever
 * @param banCount  how many times this id has been banned in this jail, this ban included
 *                  (1 for a first ban; grows with {@code bantime.increment})
 * @param data      failures, matched lines and captured values
 */
public record BanRecord(String jail, String id, Instant timeOfBan, long banTime, int banCount, BanData data) {

    /** fail2ban's mark for a ban time lost in an upgrade from a version 1 or 2 database. */
    static final long UNKNOWN_BANTIME = -2;

    public BanRecord {
        Objects.requireNonNull(jail, "jail");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(timeOfBan, "timeOfBan");
        data = data == null ? BanData.EMPTY : data;
    }

    /** Whether the ban is forever. */
    public boolean permanent() {
        return banTime == -1;
    }

    /** When the ban ends; {@link Instant#MAX} for a permanent ban. */
    public Instant endOfBan() {
        return permanent() ? Instant.MAX : timeOfBan.plusSeconds(banTime);
    }

    /** Whether the ban is still due at {@code now}. */
    public boolean dueAt(Instant now) {
        return permanent() || endOfBan().isAfter(now);
    }
}
