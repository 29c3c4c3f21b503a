package org.jfail2ban.store;

import java.time.Instant;

/**
 * How far a jail has read the systemd journal.
 *
 * @param cursor the journal cursor of the last entry read, or null when only a time is known (a
 *               database written by the Python fail2ban keeps the time only)
 * @param time   the time of the last entry read
 */
public record JournalPosition(String cursor, Instant time) {
}
