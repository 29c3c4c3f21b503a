package org.jfail2ban.store;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jfail2ban.source.FilePosition;

/**
 * The ban database: fail2ban 1.0.2's SQLite file ({@code dbfile}), read and written so that
 * either program carries on from the other's file.
 *
 * <p>Every write is durable when its call returns: SQLite in WAL mode with synchronous FULL.
 * Writes that arrive together from several threads share one transaction and one fsync (group
 * commit), and {@link #commit(Changes)} with many bans writes them all in one, so thousands of
 * bans per second cost a few fsyncs. One thread owns the connection; every method may be called
 * from any thread.
 *
 * <p>What the store keeps beyond fail2ban (in tables of its own that fail2ban leaves alone):
 * each jail's counted failures not yet banned, and the journal cursor.
 */
public final class Database implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("org.jfail2ban.store");
    /** fail2ban's {@code dbpurgeage} default: one day. */
    public static final long DEFAULT_PURGE_AGE = 24 * 60 * 60;
    /** fail2ban's {@code dbmaxmatches} default. */
    public static final int DEFAULT_MAX_MATCHES = 10;
    /** fail2ban purges every hour. */
    private static final long PURGE_PERIOD_NANOS = TimeUnit.HOURS.toNanos(1);
    /** A current record in {@code bips} is purged only when its ban ended this many ban times ago. */
    private static final int OUTDATED_FACTOR = 3;

    private final String filename;
    private final Clock clock;
    private final Worker worker;
    private final Writes writes;
    private volatile long purgeAge = DEFAULT_PURGE_AGE;
    private volatile int maxMatches = DEFAULT_MAX_MATCHES;

    private Database(String filename, Clock clock, Connection c, long purgePeriodNanos) {
        this.filename = filename;
        this.clock = clock;
        this.writes = new Writes(c);
        this.worker = new Worker(c, "store", writes::forgetJails, this::purgeInBackground, purgePeriodNanos);
    }

    /**
     * Opens the {@code dbfile} of fail2ban's configuration: a path, or {@code :memory:} for a
     * database that lives until closed. Makes a missing file (and its directory), upgrades a
     * file of an older fail2ban, and sets a damaged file aside as {@code FILE.corrupt-STAMP}
     * (copying into the new file whatever rows could still be read), logging both names.
     *
     * @throws StoreException when the file cannot be opened or made (a directory, no
     *                        permission, a database of a newer version)
     */
    public static Database open(String dbfile, Clock clock) {
        return open(dbfile, clock, PURGE_PERIOD_NANOS);
    }

    /** {@link #open(String, Clock)} with another purge period (tests). */
    static Database open(String dbfile, Clock clock, long purgePeriodNanos) {
        Objects.requireNonNull(dbfile, "dbfile");
        Objects.requireNonNull(clock, "clock");
        if (isNone(dbfile)) {
            throw new IllegalArgumentException("dbfile None means no database; do not open one");
        }
        Opener opener = new Opener(clock);
        Connection c;
        if (dbfile.equals(":memory:")) {
            try {
                c = opener.openMemory();
            } catch (SQLException e) {
                throw new StoreException("Cannot make a database in memory: " + e.getMessage(), e);
            }
        } else {
            c = opener.open(Path.of(dbfile));
        }
        LOG.log(Level.INFO, "Connected to database " + dbfile);
        return new Database(dbfile, clock, c, purgePeriodNanos);
    }

    /** Opens a database file; see {@link #open(String, Clock)}. */
    public static Database open(Path file, Clock clock) {
        return open(file.toString(), clock);
    }

    /** Whether a {@code dbfile} value means "no database" ({@code None}, any case). */
    public static boolean isNone(String dbfile) {
        return dbfile.equalsIgnoreCase("none");
    }

    /** The {@code dbfile} this database was opened with, as given. */
    public String filename() {
        return filename;
    }

    /** {@code dbpurgeage} in seconds: how long the ban history is kept. */
    public long purgeAge() {
        return purgeAge;
    }

    public void setPurgeAge(long seconds) {
        this.purgeAge = seconds;
    }

    /** {@code dbmaxmatches}: the matched lines kept per ban (0 keeps none). */
    public int maxMatches() {
        return maxMatches;
    }

    public void setMaxMatches(int max) {
        this.maxMatches = max;
    }

    // ---- jails

    /** Adds a jail, or enables it again. */
    public void addJail(String name) {
        write(c -> {
            if (writes.update("INSERT OR IGNORE INTO jails(name, enabled) VALUES(?, 1)", name) <= 0) {
                writes.update("UPDATE jails SET enabled = 1 WHERE name = ? AND enabled != 1", name);
            }
            return null;
        });
    }

    /** Marks a jail disabled; the purge removes it once it has no bans left. */
    public void delJail(String name) {
        write(c -> writes.update("UPDATE jails SET enabled = 0 WHERE name = ?", name));
    }

    /** Marks every jail disabled: the server does this when it starts, before adding its jails. */
    public void delAllJails() {
        write(c -> writes.update("UPDATE jails SET enabled = 0"));
    }

    /** The names of all jails in the database. */
    public Set<String> jailNames() {
        return read(c -> strings(c, "SELECT name FROM jails"));
    }

    /** The names of the enabled (or disabled) jails. */
    public Set<String> jailNames(boolean enabled) {
        return read(c -> strings(c, "SELECT name FROM jails WHERE enabled = ?", enabled ? 1 : 0));
    }

    // ---- writes

    /**
     * Applies the changes in one transaction, durable when this returns.
     *
     * @throws StoreException when they could not be written; then none of them was
     */
    public void commit(Changes changes) {
        join(commitAsync(changes));
    }

    /**
     * Queues the changes and returns at once. They are applied in the order of the calls, each
     * {@code Changes} whole or not at all; the future completes when they are durable (or
     * failed). For writes that need no acknowledgement, such as a log position.
     */
    public CompletableFuture<Void> commitAsync(Changes changes) {
        List<Changes.Op> ops = List.copyOf(changes.ops());
        if (ops.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return worker.write(c -> {
            int max = maxMatches;
            for (Changes.Op op : ops) {
                writes.apply(op, max);
            }
            return null;
        });
    }

    /** Adds one ban; durable when this returns. See {@link Changes#addBan}. */
    public void addBan(BanRecord ban) {
        commit(new Changes().addBan(ban));
    }

    /** Adds many bans in one transaction; durable when this returns. */
    public void addBans(Collection<BanRecord> bans) {
        commit(new Changes().addBans(bans));
    }

    /** Removes an id's bans of a jail, history included ({@code unbanip}); durable on return. */
    public void removeBan(String jail, String id) {
        commit(new Changes().removeBan(jail, id));
    }

    /** Removes every ban of a jail, history included ({@code unban --all}); durable on return. */
    public void removeAllBans(String jail) {
        commit(new Changes().removeAllBans(jail));
    }

    // ---- bans

    /**
     * The bans of a jail still due at {@code now}, one per id (its latest), as a jail restores
     * them at start. fail2ban's corrections apply: a ban whose time was lost in an upgrade
     * (stored as -2) takes {@code defaultBanTime}; with {@code maxBanTime >= 0}, a longer or
     * permanent ban is cut to it (fail2ban passes the jail's {@code bantime}, or
     * {@code bantime.maxtime} when {@code bantime.increment} is on). Matches are cut to
     * {@code dbmaxmatches}. In no particular order (sorting a hundred thousand rows would cost
     * more than the restore needs).
     */
    public List<BanRecord> currentBans(String jail, Instant now, long defaultBanTime, long maxBanTime) {
        return currentBans(jail, now, defaultBanTime, maxBanTime, true);
    }

    /**
     * The bans of {@link #currentBans}, for a restore: without their data dictionaries (each
     * record's data is empty; {@link #banData} reads one when it is needed). A start with
     * 100,000 bans needs their addresses and times; their lines stay on disk until an action
     * asks for them, which saves reading and keeping some 40 MB.
     */
    public List<BanRecord> restorableBans(String jail, Instant now, long defaultBanTime, long maxBanTime) {
        return currentBans(jail, now, defaultBanTime, maxBanTime, false);
    }

    private List<BanRecord> currentBans(String jail, Instant now, long defaultBanTime, long maxBanTime, boolean withData) {
        long from = now.getEpochSecond();
        int max = maxMatches;
        return read(c -> {
            List<BanRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT ip, timeofban, bantime, bancount" + (withData ? ", data" : "") + " FROM bips WHERE jail = ?"
                            + " AND (timeofban + bantime > ? OR bantime <= -1)")) {
                ps.setString(1, jail);
                ps.setLong(2, from);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String ip = rs.getString(1);
                        if (ip == null || ip.isEmpty()) {
                            continue;
                        }
                        double tob = rs.getDouble(2);
                        long banTime = Math.round(rs.getDouble(3));
                        if (banTime == BanRecord.UNKNOWN_BANTIME) {
                            banTime = defaultBanTime;
                        } else if (maxBanTime >= 0 && (banTime == -1 || banTime > maxBanTime)) {
                            banTime = maxBanTime;
                        }
                        Instant time = Writes.instant(tob);
                        if (banTime != -1 && !time.plusSeconds(banTime).isAfter(now)) {
                            continue;
                        }
                        out.add(new BanRecord(jail, ip, time, banTime, rs.getInt(4),
                                withData ? BanData.parsedLater(rs.getBytes(5), max) : BanData.EMPTY));
                    }
                }
            }
            return out;
        });
    }

    /** The data dictionary of an id's current ban in a jail, if the database holds one. */
    public Optional<BanData> banData(String jail, String id) {
        int max = maxMatches;
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT data FROM bips WHERE ip = ? AND jail = ?")) {
                ps.setString(1, id);
                ps.setString(2, jail);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(BanData.parsedLater(rs.getBytes(1), max)) : Optional.<BanData>empty();
                }
            }
        });
    }

    /**
     * An id's ban history for {@code bantime.increment}: its record in the jail, or with
     * {@code overallJails} the sum over every jail (count and ban times summed, the latest
     * start), as fail2ban computes it. Empty when it was never banned (or the record was purged).
     */
    public Optional<BanHistory> banHistory(String id, String jail, boolean overallJails) {
        return read(c -> {
            String sql = overallJails
                    ? "SELECT sum(bancount), max(timeofban), sum(bantime) FROM bips WHERE ip = ? GROUP BY ip"
                    : "SELECT bancount, timeofban, bantime FROM bips WHERE ip = ? AND jail = ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, id);
                if (!overallJails) {
                    ps.setString(2, jail);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<BanHistory>empty();
                    }
                    return Optional.of(new BanHistory(rs.getInt(1), Writes.instant(rs.getDouble(2)),
                            Math.round(rs.getDouble(3))));
                }
            }
        });
    }

    /**
     * The history of an id's bans merged: failures summed, the newest {@code dbmaxmatches}
     * matches, for the action tags {@code <ipfailures>}/{@code <ipmatches>} ({@code jail} null:
     * all jails) and {@code <ipjailfailures>}/{@code <ipjailmatches>} (one jail).
     */
    public MergedBans mergedBans(String id, String jail) {
        int max = maxMatches;
        return read(c -> {
            String sql = "SELECT data FROM bans WHERE ip = ?" + (jail == null ? "" : " AND jail = ?")
                    + " ORDER BY timeofban DESC";
            List<String> matches = new ArrayList<>();
            int failures = 0;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, id);
                if (jail != null) {
                    ps.setString(2, jail);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        BanData d = BanData.parsedLater(rs.getBytes(1), -1);
                        Object f = d.map().get("failures");
                        failures += f instanceof Number ? ((Number) f).intValue() : 1;
                        int room = max - matches.size();
                        if (room > 0) {
                            List<String> m = d.matches();
                            matches.addAll(0, m.size() <= room ? m : m.subList(m.size() - room, m.size()));
                        }
                    }
                }
            }
            return new MergedBans(id, failures, matches);
        });
    }

    // ---- failures

    /**
     * The failure records of a jail whose last failure is after {@code since} (now minus the
     * jail's findtime), oldest first; older records of the jail are deleted on the way.
     */
    public List<FailureRecord> failures(String jail, Instant since) {
        double from = Writes.epoch(since);
        int max = maxMatches;
        return write(c -> {
            writes.update("DELETE FROM jf2b_failures WHERE jail = ? AND lasttime <= ?", jail, from);
            List<FailureRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT ip, firsttime, lasttime, retry, data FROM jf2b_failures WHERE jail = ? ORDER BY lasttime, ip")) {
                ps.setString(1, jail);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new FailureRecord(rs.getString(1), Writes.instant(rs.getDouble(2)),
                                Writes.instant(rs.getDouble(3)), rs.getInt(4), BanData.parsedLater(rs.getBytes(5), max)));
                    }
                }
            }
            return out;
        });
    }

    // ---- log positions

    /** Where a jail stopped reading a log file, if known. */
    public Optional<FilePosition> logPosition(String jail, String path) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT firstlinemd5, lastfilepos FROM logs WHERE jail = ? AND path = ?")) {
                ps.setString(1, jail);
                ps.setString(2, path);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<FilePosition>empty();
                    }
                    String hash = rs.getString(1);
                    return Optional.of(new FilePosition(path, hash == null ? "" : hash, rs.getLong(2)));
                }
            }
        });
    }

    /** Keeps how far a log file has been read; durable when this returns. */
    public void updateLog(String jail, FilePosition position) {
        commit(new Changes().updateLog(jail, position));
    }

    /**
     * Where a jail stopped reading the systemd journal: our cursor when we wrote it, else the
     * time the Python fail2ban kept (cursor null).
     */
    public Optional<JournalPosition> journalPosition(String jail) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT cursor, time FROM jf2b_journal WHERE jail = ?")) {
                ps.setString(1, jail);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        double t = rs.getDouble(2);
                        return Optional.of(new JournalPosition(rs.getString(1), rs.wasNull() ? null : Writes.instant(t)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT lastfilepos FROM logs WHERE jail = ? AND path = ?")) {
                ps.setString(1, jail);
                ps.setString(2, Writes.JOURNAL_PATH);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        double t = rs.getDouble(1);
                        if (!rs.wasNull()) {
                            return Optional.of(new JournalPosition(null, Writes.instant(t)));
                        }
                    }
                }
            }
            return Optional.<JournalPosition>empty();
        });
    }

    // ---- purge

    /**
     * Removes what is older than {@code dbpurgeage}: bans from the history, current records
     * whose ban ended long enough ago (never a permanent one), failure records, and disabled
     * jails that have no bans left (with their log positions). Runs by itself every hour.
     */
    public void purge() {
        join(purgeAsync());
    }

    private CompletableFuture<Void> purgeAsync() {
        return worker.write(c -> {
            long now = clock.instant().getEpochSecond();
            long cutoff = now - purgeAge;
            writes.update("DELETE FROM bans WHERE timeofban < ?", cutoff);
            writes.update("DELETE FROM bips WHERE timeofban < ? and bantime != -1 and (timeofban + (bantime * ?)) < ?",
                    cutoff, OUTDATED_FACTOR, cutoff);
            writes.update("DELETE FROM jails WHERE enabled = 0 "
                    + "AND NOT EXISTS(SELECT * FROM bans WHERE jail = jails.name) "
                    + "AND NOT EXISTS(SELECT * FROM bips WHERE jail = jails.name)");
            writes.update("DELETE FROM jf2b_failures WHERE lasttime < ?", cutoff);
            writes.update("DELETE FROM jf2b_journal WHERE jail NOT IN (SELECT name FROM jails)");
            writes.forgetJails();
            return null;
        });
    }

    private void purgeInBackground() {
        LOG.log(Level.DEBUG, "Purging the database");
        purgeAsync().whenComplete((v, e) -> {
            if (e != null) {
                LOG.log(Level.ERROR, "Purging database " + filename + " failed: " + e.getMessage(), e);
            }
        });
    }

    /** Finishes queued writes, checkpoints the log into the file and closes it. */
    @Override
    public void close() {
        CompletableFuture<Void> stopped = worker.stop();
        try {
            stopped.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Database " + filename + " did not finish its writes in time: " + e);
        }
        // the worker has stopped: the connection is ours now
        writes.close();
        worker.closeConnection();
        LOG.log(Level.INFO, "Closed database " + filename);
    }

    // ---- helpers

    private <T> T read(Worker.Task<T> task) {
        return join(worker.read(task));
    }

    private <T> T write(Worker.Task<T> task) {
        return join(worker.write(task));
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw Worker.wrap(e.getCause());
        }
    }

    private static Set<String> strings(Connection c, String sql, Object... args) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
