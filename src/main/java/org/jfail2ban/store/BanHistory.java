package org.jfail2ban.store;

import java.time.Instant;

/**
 * What the store knows of an id's past bans, for {@code bantime.increment}: the row of
 * fail2ban's {@code bips} table, or the sum over all jails with {@code bantime.overalljails}.
 *
 * @param banCount    how many times it was banned (summed over jails when asked for all)
 * @param timeOfBan   the start of its last ban
 * @param lastBanTime the length of its last ban in seconds (summed over jails when asked for all,
 *                    as fail2ban sums them)
 */
public record BanHistory(int banCount, Instant timeOfBan, long lastBanTime) {
}
