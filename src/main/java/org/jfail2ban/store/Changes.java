package org.jfail2ban.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jfail2ban.source.FilePosition;

/**
 * Writes that must reach the disk together or not at all: the store applies them in order, in
 * one transaction, and after a crash the database holds either all of them or none.
 *
 * <p>This is what makes a restart count every log line exactly once: a jail puts into one
 * {@code Changes} everything a batch of lines produced (failure records, bans) together with the
 * log position after that batch, then commits it. The database then never holds a failure
 * without the position that follows its line, nor a position without the failures before it.
 * A ban found in the batch goes into the same {@code Changes}; its actions run once
 * {@link Database#commit} has returned (a ban is on disk before anything acts on it). Should
 * the batch be read again after a crash, none of it was kept, so nothing counts twice.
 *
 * <p>Not thread-safe: one jail thread fills it, then hands it to {@link Database#commit}.
 */
public final class Changes {

    /** One write; applied by {@link Writes}. */
    sealed interface Op permits PutFailure, DropFailure, UpdateLog, UpdateJournal, AddBan, RemoveBan, RemoveAllBans {
    }

    record PutFailure(String jail, FailureRecord failure) implements Op {
    }

    record DropFailure(String jail, String id) implements Op {
    }

    record UpdateLog(String jail, FilePosition position) implements Op {
    }

    record UpdateJournal(String jail, JournalPosition position) implements Op {
    }

    record AddBan(BanRecord ban) implements Op {
    }

    record RemoveBan(String jail, String id) implements Op {
    }

    record RemoveAllBans(String jail) implements Op {
    }

    private final List<Op> ops = new ArrayList<>();

    /** Keeps (or replaces) the failure record of {@code failure.id()} in a jail. */
    public Changes putFailure(String jail, FailureRecord failure) {
        return add(new PutFailure(jail(jail), Objects.requireNonNull(failure, "failure")));
    }

    /** Forgets the failures of an id in a jail (its count fell out of findtime, or was reset). */
    public Changes dropFailure(String jail, String id) {
        return add(new DropFailure(jail(jail), Objects.requireNonNull(id, "id")));
    }

    /** Keeps how far a log file has been read. */
    public Changes updateLog(String jail, FilePosition position) {
        return add(new UpdateLog(jail(jail), Objects.requireNonNull(position, "position")));
    }

    /** Keeps how far the systemd journal has been read. */
    public Changes updateJournal(String jail, JournalPosition position) {
        return add(new UpdateJournal(jail(jail), Objects.requireNonNull(position, "position")));
    }

    /**
     * Adds a ban to the history ({@code bans}) and makes it the id's current record in its jail
     * ({@code bips}); the id's failure record in that jail is dropped, since the ban used it up.
     * Its matches are cut to {@code dbmaxmatches}. The jail is added to the jails table if
     * missing.
     */
    public Changes addBan(BanRecord ban) {
        return add(new AddBan(Objects.requireNonNull(ban, "ban")));
    }

    /** {@link #addBan} for each. */
    public Changes addBans(Collection<BanRecord> bans) {
        for (BanRecord b : bans) {
            addBan(b);
        }
        return this;
    }

    /**
     * Removes an id's bans of a jail from the store, history included, as fail2ban does on
     * {@code unbanip}. (An expiring ban is not removed: it stays as history for
     * {@code bantime.increment} until purged.)
     */
    public Changes removeBan(String jail, String id) {
        return add(new RemoveBan(jail(jail), Objects.requireNonNull(id, "id")));
    }

    /** Removes all bans of a jail, history included (fail2ban's {@code unban --all}, flush). */
    public Changes removeAllBans(String jail) {
        return add(new RemoveAllBans(jail(jail)));
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    public int size() {
        return ops.size();
    }

    List<Op> ops() {
        return ops;
    }

    private Changes add(Op op) {
        ops.add(op);
        return this;
    }

    private static String jail(String jail) {
        return Objects.requireNonNull(jail, "jail");
    }
}
