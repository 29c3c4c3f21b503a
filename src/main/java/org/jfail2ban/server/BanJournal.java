package org.jfail2ban.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfail2ban.ban.Ban;
import org.jfail2ban.ban.Ticket;
import org.jfail2ban.source.FilePosition;

/**
 * Where the server writes what must survive a restart: bans and log positions. The store
 * (fail2ban's SQLite database) implements it; without a database ({@code dbfile = None}) the
 * server uses {@link #NONE}. Every method is called on the jail's own threads: a ban is written
 * before its actions run and before it is logged.
 */
public interface BanJournal extends AutoCloseable {

    /** Writes nothing and restores nothing. */
    BanJournal NONE = new BanJournal() {
    };

    /**
     * Opens the journal of a database file. Found through {@link java.util.ServiceLoader}, so the
     * store plugs in by listing its implementation in
     * {@code META-INF/services/org.jfail2ban.server.BanJournal$Opener}.
     */
    interface Opener {
        BanJournal open(Path file) throws IOException;
    }

    /** What is known of an address over past bans, for the ipmatches/ipfailures tags. */
    record History(int failures, List<String> matches) {
    }

    /** A jail was added (or re-added on reload). */
    default void addJail(String jail) {
    }

    /** A jail was stopped and removed. */
    default void delJail(String jail) {
    }

    /** A ban was made; called before its actions run. Restored bans are not written again. */
    default void addBan(String jail, Ban ban) {
    }

    /** A ban was lifted by hand; {@code id == null} means every ban of the jail. */
    default void delBan(String jail, String id) {
    }

    /**
     * The bans to restore when a jail starts, still due at {@code now} (epoch ms), with
     * {@link Ticket#restored()} set. {@code banTime} is the jail's bantime in seconds.
     */
    default List<Ticket> currentBans(String jail, long now, long banTime) {
        return List.of();
    }

    /**
     * Called before a new ban is made: the store may lengthen it (bantime.increment, from the
     * jail's {@code bantime.*} settings in {@code banTimeExtra}) and set its ban count.
     */
    default Ticket prepareBan(String jail, Ticket ticket, long banTime, Map<String, Object> banTimeExtra) {
        return ticket;
    }

    /** Past failures and lines of an id, over all jails ({@code jail == null}) or one. */
    default History history(String id, String jail) {
        return null;
    }

    /** Where a log file was left, or null to read it as fail2ban would without a database. */
    default FilePosition logPosition(String jail, Path file) {
        return null;
    }

    /** A log file's position after a batch of lines. */
    default void saveLogPosition(String jail, FilePosition position) {
    }

    default void setMaxMatches(int maxMatches) {
    }

    /** Seconds after which old bans are purged. */
    default void setPurgeAge(long seconds) {
    }

    @Override
    default void close() {
    }
}
