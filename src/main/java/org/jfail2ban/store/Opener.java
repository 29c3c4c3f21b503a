package org.jfail2ban.store;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Opens a database file: creates it, upgrades an old one, and sets a damaged one aside. What
 * can still be read from a damaged file (rows of tables whose pages survive) is copied into the
 * new one, so a torn page costs the bans on that page rather than all of them.
 */
final class Opener {

    private static final System.Logger LOG = System.getLogger("org.jfail2ban.store");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    /** The side files SQLite keeps next to a database; they belong to it and move with it. */
    private static final String[] SIDE_FILES = {"-wal", "-shm", "-journal"};

    private final Clock clock;

    Opener(Clock clock) {
        this.clock = clock;
    }

    /**
     * A connection to a file (or {@code :memory:}). The driver's retrieval of generated keys is
     * turned off: it runs an extra query after every insert, and the store never asks for keys.
     */
    static Connection connect(String target) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("jdbc.get_generated_keys", "false");
        return DriverManager.getConnection("jdbc:sqlite:" + target, p);
    }

    /** A database in memory, gone when closed. */
    Connection openMemory() throws SQLException {
        Connection c = connect(":memory:");
        try {
            pragmas(c, false);
            c.setAutoCommit(false);
            Schema.create(c);
            c.commit();
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** Opens the file, making it when missing, upgrading or replacing it when needed. */
    Connection open(Path file) {
        if (Files.isDirectory(file)) {
            throw new StoreException("Cannot open database " + file + ": it is a directory");
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new StoreException("Cannot create the directory of database " + file + ": " + e, e);
        }
        try {
            return openChecked(file);
        } catch (Damaged d) {
            Path aside = setAside(file, d.getMessage());
            salvage(aside, file);
            try {
                return openChecked(file);
            } catch (Damaged again) {
                // the salvaged copy is no good either: start empty
                Path second = setAside(file, again.getMessage());
                try {
                    return openChecked(file);
                } catch (Damaged third) {
                    throw new StoreException("Cannot make a new database " + file + " (the damaged ones are at "
                            + aside + " and " + second + "): " + third.getMessage(), third.getCause());
                }
            }
        }
    }

    /** The file could not be read as a database: it must be set aside. */
    private static final class Damaged extends Exception {
        Damaged(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Connection openChecked(Path file) throws Damaged {
        Connection c = null;
        try {
            c = connect(file.toString());
            pragmas(c, true);
            c.setAutoCommit(false);
            int version = Schema.version(c);
            if (version < 0) {
                Schema.create(c);
                c.commit();
                LOG.log(Level.INFO, "Created database " + file + " (version " + Schema.VERSION + ")");
            } else if (version > Schema.VERSION) {
                c.close();
                throw new StoreException("Database " + file + " has version " + version + ", newer than version "
                        + Schema.VERSION + " that this program reads; leave it to the program that wrote it,"
                        + " or set dbfile to another file");
            } else {
                check(c);
                if (version < Schema.VERSION) {
                    upgrade(c, file, version);
                }
                Schema.createOwn(c);
                c.commit();
            }
            return c;
        } catch (SQLException e) {
            close(c);
            if (isDamage(e)) {
                throw new Damaged(e.getMessage(), e);
            }
            throw new StoreException("Cannot open database " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(c);
            throw e;
        }
    }

    private void upgrade(Connection c, Path file, int from) throws SQLException {
        Path backup = free(file.resolveSibling(file.getFileName() + ".v" + from + "-" + STAMP.format(clock.instant())));
        // VACUUM INTO makes a consistent copy whatever sits in the write-ahead log
        c.commit();
        c.setAutoCommit(true);
        try (java.sql.PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
            ps.setString(1, backup.toString());
            ps.execute();
        } finally {
            c.setAutoCommit(false);
        }
        Schema.upgrade(c, from);
        c.commit();
        LOG.log(Level.WARNING, "Upgraded database " + file + " from version " + from + " to " + Schema.VERSION
                + "; the old file is kept as " + backup);
    }

    /*
     * Durability first: WAL with synchronous FULL makes a commit durable once the call returns
     * (one fsync of the log per transaction, shared by every write in it). fail2ban itself runs
     * with synchronous OFF and the journal in memory, and may lose its last bans on a crash.
     */
    private static void pragmas(Connection c, boolean file) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA foreign_keys = ON");
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute("PRAGMA temp_store = MEMORY");
            if (file) {
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                    rs.next();
                }
                s.execute("PRAGMA synchronous = FULL");
            }
        }
    }

    /** Reads every page of the database once; cheap next to a restore, and it finds torn files. */
    private static void check(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            StringBuilder problems = new StringBuilder();
            while (rs.next()) {
                String r = rs.getString(1);
                if (!"ok".equals(r)) {
                    if (problems.length() > 0) {
                        problems.append("; ");
                    }
                    problems.append(r);
                }
            }
            if (problems.length() > 0) {
                throw new SQLException("database disk image is malformed: " + problems, null, 11);
            }
        }
    }

    private static boolean isDamage(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                int code = ((SQLException) t).getErrorCode() & 0xff;
                // SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FORMAT, SQLITE_IOERR (a short read of a torn file)
                if (code == 11 || code == 26 || code == 24 || code == 10) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Moves the file and its side files to FILE.corrupt-STAMP; returns the new name. */
    private Path setAside(Path file, String reason) {
        Path aside = free(file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(clock.instant())));
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            for (String side : SIDE_FILES) {
                Path s = file.resolveSibling(file.getFileName() + side);
                if (Files.exists(s)) {
                    Files.move(s, aside.resolveSibling(aside.getFileName() + side), StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new StoreException("Database " + file + " is damaged (" + reason + ") and cannot be moved aside to "
                    + aside + ": " + e, e);
        }
        LOG.log(Level.ERROR, "Database " + file + " is damaged (" + reason + "); moved it to " + aside
                + " and starting a new database at " + file);
        return aside;
    }

    private void salvage(Path from, Path to) {
        Salvage.Result r = Salvage.copy(from, to);
        if (r.rows() > 0) {
            LOG.log(Level.WARNING, "Recovered from " + from + " into " + to + ": " + r.summary());
        } else {
            LOG.log(Level.WARNING, "Nothing could be recovered from " + from + (r.problem() == null ? "" : ": " + r.problem()));
        }
    }

    /** {@code p}, or {@code p-2}, {@code p-3} ... the first name not taken. */
    private static Path free(Path p) {
        Path q = p;
        for (int i = 2; Files.exists(q) || Files.exists(q.resolveSibling(q.getFileName() + "-wal")); i++) {
            q = p.resolveSibling(p.getFileName() + "-" + i);
        }
        return q;
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // already broken
            }
        }
    }
}
