package org.jfail2ban.store;

import java.time.Instant;
import java.util.Objects;

/**
 * The failures of one id counted by a jail and not yet banned: kept in the store so that a
 * restart or a crash does not give an attacker a fresh count. One record per jail and id; a new
 * record for the same id replaces the old one.
 *
 * @param id        the id (normalised address or failure id)
 * @param firstTime the time of the first failure still counted
 * @param lastTime  the time of the last failure
 * @param retry     the count compared with {@code maxretry}
 * @param data      the failures count, matched lines and captured values, as a ban keeps them
 */
public record FailureRecord(String id, Instant firstTime, Instant lastTime, int retry, BanData data) {
    public FailureRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(firstTime, "firstTime");
        Objects.requireNonNull(lastTime, "lastTime");
        data = data == null ? BanData.EMPTY : data;
    }
}
