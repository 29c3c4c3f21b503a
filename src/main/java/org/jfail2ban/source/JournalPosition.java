package org.jfail2ban.source;

import java.time.Instant;

/**
 * How far the journal has been read: kept in the store so that a restart resumes after the last
 * entry delivered, and no entry is counted twice.
 *
 * @param cursor the journal's cursor of the last entry delivered (resume with
 *               {@link JournalSource#resumeAfter})
 * @param time   that entry's time: what fail2ban 1.0.2 itself keeps in its database (it resumes
 *               by time, not by cursor)
 */
public record JournalPosition(String cursor, Instant time) {
}
