package org.jfail2ban.server;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jfail2ban.ban.Ban;
import org.jfail2ban.ban.FailCounter;
import org.jfail2ban.ban.Ticket;
import org.jfail2ban.filter.IpAddr;
import org.jfail2ban.source.FilePosition;
import org.jfail2ban.store.BanData;
import org.jfail2ban.store.BanHistory;
import org.jfail2ban.store.BanRecord;
import org.jfail2ban.store.Changes;
import org.jfail2ban.store.Database;
import org.jfail2ban.store.FailureRecord;
import org.jfail2ban.store.JournalPosition;
import org.jfail2ban.store.MergedBans;

/**
 * The server's ban database ({@code dbfile}), or none ({@code dbfile = None}): what a jail
 * keeps across restarts and crashes, in the store's terms. A jail writes each batch of its
 * work as one {@link Changes} (failures, bans, log position) and acts on a ban only once that
 * batch is durable.
 *
 * <p>A failing database never stops a jail: reads answer as if nothing were kept, and the error
 * is logged. Thread-safe: the store serialises its work on its own thread.
 */
final class BanJournal implements AutoCloseable {

    private final Database db;
    private final Logger log;

    private BanJournal(Database db, Logger log) {
        this.db = db;
        this.log = log;
    }

    /** No database: nothing is written, nothing restored. */
    static BanJournal none(Logger log) {
        return new BanJournal(null, log);
    }

    /** Opens {@code dbfile} (a path or {@code :memory:}); see {@link Database#open(String, Clock)}. */
    static BanJournal open(String dbfile, Clock clock, Logger log) {
        return new BanJournal(Database.open(dbfile, clock), log);
    }

    boolean enabled() {
        return db != null;
    }

    // ---- writes

    /** Queues the changes; the future completes once they are on disk (or failed, logged). */
    CompletableFuture<Void> commit(String jail, Changes changes) {
        if (db == null || changes.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return db.commitAsync(changes).whenComplete((v, e) -> {
                if (e != null) {
                    log.error("[%s] Writing to the database failed: %s", jail, message(e));
                }
            });
        } catch (RuntimeException e) {
            log.error("[%s] Writing to the database failed: %s", jail, message(e));
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Writes the changes and waits until they are on disk; a failure is logged. */
    void commitNow(String jail, Changes changes) {
        try {
            commit(jail, changes).join();
        } catch (RuntimeException e) {
            // logged by commit
        }
    }

    void addJail(String jail) {
        run(() -> db.addJail(jail));
    }

    void delJail(String jail) {
        run(() -> db.delJail(jail));
    }

    /** fail2ban marks every jail disabled when it opens the file; the jails it starts enable theirs. */
    void delAllJails() {
        run(() -> db.delAllJails());
    }

    void setMaxMatches(int max) {
        if (db != null) {
            db.setMaxMatches(max);
        }
    }

    void setPurgeAge(long seconds) {
        if (db != null) {
            db.setPurgeAge(seconds);
        }
    }

    // ---- reads

    /** The bans of a jail still due at {@code now} (epoch ms), as restored tickets. */
    List<Ticket> currentBans(String jail, long now, long banTime, long maxBanTime) {
        List<BanRecord> records = read(() -> db.restorableBans(jail, Instant.ofEpochMilli(now), banTime, maxBanTime), List.of());
        List<Ticket> out = new ArrayList<>(records.size());
        for (BanRecord r : records) {
            String id = r.id();
            out.add(new Ticket(id, IpAddr.parseOrNull(id), r.timeOfBan().toEpochMilli(),
                    new StoredEvidence(() -> banData(jail, id)), r.banTime(), Math.max(0, r.banCount() - 1), true));
        }
        return out;
    }

    /** The data of an id's ban in a jail as the store keeps it; empty when there is none (or no store). */
    BanData banData(String jail, String id) {
        return read(() -> db.banData(jail, id), Optional.<BanData>empty()).orElse(BanData.EMPTY);
    }

    /** The failure counts of a jail whose last failure is after {@code since} (epoch ms). */
    List<FailCounter.Count> failures(String jail, long since) {
        List<FailureRecord> records = read(() -> db.failures(jail, Instant.ofEpochMilli(since)), List.of());
        List<FailCounter.Count> out = new ArrayList<>(records.size());
        for (FailureRecord f : records) {
            BanData d = f.data();
            out.add(new FailCounter.Count(f.id(), IpAddr.parseOrNull(f.id()), f.firstTime().toEpochMilli(),
                    f.lastTime().toEpochMilli(), f.retry(), Math.max(1, d.failures()), d.matches(), tags(d)));
        }
        return out;
    }

    /** An id's past bans in one jail, or in all with {@code overall}: for bantime.increment. */
    Optional<BanHistory> banHistory(String id, String jail, boolean overall) {
        return read(() -> db.banHistory(id, jail, overall), Optional.empty());
    }

    /** An id's bans merged, for the ipmatches/ipfailures tags; null without a database. */
    MergedBans mergedBans(String id, String jail) {
        return read(() -> db.mergedBans(id, jail), null);
    }

    Optional<FilePosition> logPosition(String jail, String path) {
        return read(() -> db.logPosition(jail, path), Optional.empty());
    }

    Optional<JournalPosition> journalPosition(String jail) {
        return read(() -> db.journalPosition(jail), Optional.empty());
    }

    // ---- conversions

    /** A ban as the store keeps it: its time, length, count and data (failures, lines, captured values). */
    static BanRecord record(String jail, Ban ban) {
        return record(jail, ban.ticket(), ban.banTime(), ban.banCount());
    }

    static BanRecord record(String jail, Ticket t, long banTime, int banCount) {
        return new BanRecord(jail, t.id(), Instant.ofEpochMilli(t.time()), banTime, banCount, data(t.failures(), t.matches(), t.tags()));
    }

    /** A failure count as the store keeps it. */
    static FailureRecord record(FailCounter.Count c) {
        return new FailureRecord(c.id(), Instant.ofEpochMilli(c.first()), Instant.ofEpochMilli(c.last()), c.retry(),
                data(c.failures(), c.matches(), c.tags()));
    }

    private static BanData data(int failures, List<String> matches, Map<String, String> tags) {
        Map<String, Object> m = new LinkedHashMap<>(tags);
        m.put("matches", matches);
        m.put("failures", (long) failures);
        return BanData.of(m);
    }

    /** The captured values of a ban's data (every text value but the lines). */
    static Map<String, String> tags(BanData d) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : d.map().entrySet()) {
            if (e.getValue() instanceof String s && !e.getKey().equals("matches")) {
                out.put(e.getKey(), s);
            }
        }
        return out;
    }

    // ---- helpers

    private void run(Runnable r) {
        if (db == null) {
            return;
        }
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("Database operation failed: %s", message(e));
        }
    }

    private <T> T read(Supplier<T> r, T none) {
        if (db == null) {
            return none;
        }
        try {
            return r.get();
        } catch (RuntimeException e) {
            log.error("Reading the database failed: %s", message(e));
            return none;
        }
    }

    private static String message(Throwable e) {
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }

    @Override
    public void close() {
        run(() -> db.close());
    }
}
