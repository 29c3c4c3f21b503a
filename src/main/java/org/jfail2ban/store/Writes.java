package org.jfail2ban.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jfail2ban.source.FilePosition;

/**
 * Applies {@link Changes} to the connection, with the statements fail2ban uses for the same
 * writes. Confined to the store's thread; statements are prepared once.
 */
final class Writes {

    /** The path fail2ban's systemd backend keeps its journal position under in {@code logs}. */
    static final String JOURNAL_PATH = "systemd-journal";

    private final Connection c;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /** Jails known to be in the jails table, so a burst of bans does not look each one up. */
    private final Set<String> knownJails = new HashSet<>();

    Writes(Connection c) {
        this.c = c;
    }

    void apply(Changes.Op op, int maxMatches) throws SQLException {
        if (op instanceof Changes.AddBan) {
            addBan(((Changes.AddBan) op).ban(), maxMatches);
        } else if (op instanceof Changes.PutFailure) {
            Changes.PutFailure p = (Changes.PutFailure) op;
            putFailure(p.jail(), p.failure(), maxMatches);
        } else if (op instanceof Changes.DropFailure) {
            Changes.DropFailure d = (Changes.DropFailure) op;
            update("DELETE FROM jf2b_failures WHERE jail=? AND ip=?", d.jail(), d.id());
        } else if (op instanceof Changes.UpdateLog) {
            Changes.UpdateLog u = (Changes.UpdateLog) op;
            FilePosition p = u.position();
            updateLog(u.jail(), p.path(), p.firstLineHash(), p.offset());
        } else if (op instanceof Changes.UpdateJournal) {
            Changes.UpdateJournal u = (Changes.UpdateJournal) op;
            updateJournal(u.jail(), u.position());
        } else if (op instanceof Changes.RemoveBan) {
            Changes.RemoveBan r = (Changes.RemoveBan) op;
            update("DELETE FROM bips WHERE jail = ? AND ip = ?", r.jail(), r.id());
            update("DELETE FROM bans WHERE jail = ? AND ip = ?", r.jail(), r.id());
        } else if (op instanceof Changes.RemoveAllBans) {
            String jail = ((Changes.RemoveAllBans) op).jail();
            update("DELETE FROM bips WHERE jail = ?", jail);
            update("DELETE FROM bans WHERE jail = ?", jail);
        } else {
            throw new IllegalArgumentException("unknown change " + op);
        }
    }

    private void addBan(BanRecord b, int maxMatches) throws SQLException {
        ensureJail(b.jail());
        long time = seconds(b.timeOfBan());
        byte[] data = b.data().withMaxMatches(maxMatches).json();
        update("INSERT INTO bans(jail, ip, timeofban, bantime, bancount, data) VALUES(?, ?, ?, ?, ?, ?)",
                b.jail(), b.id(), time, b.banTime(), b.banCount(), data);
        update("INSERT OR REPLACE INTO bips(ip, jail, timeofban, bantime, bancount, data) VALUES(?, ?, ?, ?, ?, ?)",
                b.id(), b.jail(), time, b.banTime(), b.banCount(), data);
        update("DELETE FROM jf2b_failures WHERE jail=? AND ip=?", b.jail(), b.id());
    }

    private void putFailure(String jail, FailureRecord f, int maxMatches) throws SQLException {
        update("INSERT OR REPLACE INTO jf2b_failures(jail, ip, firsttime, lasttime, retry, data) VALUES(?, ?, ?, ?, ?, ?)",
                jail, f.id(), epoch(f.firstTime()), epoch(f.lastTime()), f.retry(),
                f.data().withMaxMatches(maxMatches).json());
    }

    private void updateLog(String jail, String path, Object hash, Object pos) throws SQLException {
        ensureJail(jail);
        if (update("UPDATE logs SET firstlinemd5=?, lastfilepos=? WHERE jail=? AND path=?", hash, pos, jail, path) == 0) {
            update("INSERT OR REPLACE INTO logs(jail, path, firstlinemd5, lastfilepos) VALUES(?, ?, ?, ?)",
                    jail, path, hash, pos);
        }
    }

    /*
     * The time goes where fail2ban keeps it (so either program resumes the other's journal at
     * the right time), the cursor into our own table (exact, where a time is not).
     */
    private void updateJournal(String jail, JournalPosition p) throws SQLException {
        Double time = p.time() == null ? null : epoch(p.time());
        updateLog(jail, JOURNAL_PATH, p.time() == null ? null : p.time().toString(), time);
        update("INSERT OR REPLACE INTO jf2b_journal(jail, cursor, time) VALUES(?, ?, ?)", jail, p.cursor(), time);
    }

    void ensureJail(String jail) throws SQLException {
        if (knownJails.add(jail)) {
            update("INSERT OR IGNORE INTO jails(name, enabled) VALUES(?, 1)", jail);
        }
    }

    /** Forget which jails exist: after jails were deleted (purge) or a transaction rolled back. */
    void forgetJails() {
        knownJails.clear();
    }

    int update(String sql, Object... args) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = c.prepareStatement(sql);
            statements.put(sql, ps);
        }
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof byte[]) {
                ps.setBytes(i + 1, (byte[]) a);
            } else {
                ps.setObject(i + 1, a);
            }
        }
        return ps.executeUpdate();
    }

    void close() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
        statements.clear();
    }

    /** Whole seconds as fail2ban stores a ban's time: {@code int(round(t))}, half to even. */
    static long seconds(Instant t) {
        long s = t.getEpochSecond();
        int n = t.getNano();
        if (n > 500_000_000 || (n == 500_000_000 && (s & 1) == 1)) {
            s++;
        }
        return s;
    }

    static double epoch(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    static Instant instant(double epochSeconds) {
        long s = (long) Math.floor(epochSeconds);
        long n = Math.round((epochSeconds - s) * 1e9);
        return Instant.ofEpochSecond(s, n);
    }
}
