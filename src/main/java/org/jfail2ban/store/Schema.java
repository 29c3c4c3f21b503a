package org.jfail2ban.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tables: fail2ban 1.0.2's (schema version 4), written statement for statement as fail2ban
 * creates them so that either program reads the other's file, and two tables of our own that
 * fail2ban never looks at.
 */
final class Schema {

    /** The schema version fail2ban 1.0.2 writes into {@code fail2banDb}. */
    static final int VERSION = 4;

    static final String FAIL2BANDB = "CREATE TABLE IF NOT EXISTS fail2banDb(version INTEGER);";

    static final String JAILS = "CREATE TABLE IF NOT EXISTS jails("
            + "name TEXT NOT NULL UNIQUE, "
            + "enabled INTEGER NOT NULL DEFAULT 1"
            + ");"
            + "CREATE INDEX IF NOT EXISTS jails_name ON jails(name);";

    static final String LOGS = "CREATE TABLE IF NOT EXISTS logs("
            + "jail TEXT NOT NULL, "
            + "path TEXT, "
            + "firstlinemd5 TEXT, "
            + "lastfilepos INTEGER DEFAULT 0, "
            + "FOREIGN KEY(jail) REFERENCES jails(name) ON DELETE CASCADE, "
            + "UNIQUE(jail, path),"
            + "UNIQUE(jail, path, firstlinemd5)"
            + ");"
            + "CREATE INDEX IF NOT EXISTS logs_path ON logs(path);"
            + "CREATE INDEX IF NOT EXISTS logs_jail_path ON logs(jail, path);";

    static final String BANS = "CREATE TABLE IF NOT EXISTS bans("
            + "jail TEXT NOT NULL, "
            + "ip TEXT, "
            + "timeofban INTEGER NOT NULL, "
            + "bantime INTEGER NOT NULL, "
            + "bancount INTEGER NOT NULL default 1, "
            + "data JSON, "
            + "FOREIGN KEY(jail) REFERENCES jails(name) "
            + ");"
            + "CREATE INDEX IF NOT EXISTS bans_jail_timeofban_ip ON bans(jail, timeofban);"
            + "CREATE INDEX IF NOT EXISTS bans_jail_ip ON bans(jail, ip);"
            + "CREATE INDEX IF NOT EXISTS bans_ip ON bans(ip);";

    static final String BIPS = "CREATE TABLE IF NOT EXISTS bips("
            + "ip TEXT NOT NULL, "
            + "jail TEXT NOT NULL, "
            + "timeofban INTEGER NOT NULL, "
            + "bantime INTEGER NOT NULL, "
            + "bancount INTEGER NOT NULL default 1, "
            + "data JSON, "
            + "PRIMARY KEY(ip, jail), "
            + "FOREIGN KEY(jail) REFERENCES jails(name) "
            + ");"
            + "CREATE INDEX IF NOT EXISTS bips_timeofban ON bips(timeofban);"
            + "CREATE INDEX IF NOT EXISTS bips_ip ON bips(ip);";

    /*
     * Our own tables. No foreign keys to jails: fail2ban's purge deletes disabled jails without
     * bans, and a reference from a table it does not know would make that delete fail.
     */
    static final String FAILURES = "CREATE TABLE IF NOT EXISTS jf2b_failures("
            + "jail TEXT NOT NULL, "
            + "ip TEXT NOT NULL, "
            + "firsttime REAL NOT NULL, "
            + "lasttime REAL NOT NULL, "
            + "retry INTEGER NOT NULL, "
            + "data JSON, "
            + "PRIMARY KEY(jail, ip));"
            + "CREATE INDEX IF NOT EXISTS jf2b_failures_lasttime ON jf2b_failures(lasttime);";

    static final String JOURNAL = "CREATE TABLE IF NOT EXISTS jf2b_journal("
            + "jail TEXT NOT NULL PRIMARY KEY, "
            + "cursor TEXT, "
            + "time REAL);";

    /** fail2ban's tables in the order it creates them. */
    static final List<String> FAIL2BAN_TABLES = List.of(FAIL2BANDB, JAILS, LOGS, BANS, BIPS);

    private Schema() {
    }

    static Set<String> tables(Connection c) throws SQLException {
        Set<String> names = new HashSet<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type='table'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** The version in {@code fail2banDb}, or -1 when the table is missing or empty. */
    static int version(Connection c) throws SQLException {
        if (!tables(c).contains("fail2banDb")) {
            return -1;
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM fail2banDb LIMIT 1")) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }

    /** Creates every missing table and index and records the version; returns the version. */
    static int create(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String script : FAIL2BAN_TABLES) {
                executeScript(s, script);
            }
            s.executeUpdate("INSERT INTO fail2banDb(version) SELECT " + VERSION
                    + " WHERE NOT EXISTS (SELECT 1 FROM fail2banDb LIMIT 1)");
        }
        createOwn(c);
        return version(c);
    }

    static void createOwn(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            executeScript(s, FAILURES);
            executeScript(s, JOURNAL);
        }
    }

    /**
     * Brings a version 1, 2 or 3 database to version 4 the way fail2ban does: the logs table
     * gains its second unique key (v2), bans gain bantime and bancount (v3; the lost ban time is
     * marked -2 and replaced by the jail's ban time at restore), and bips is made from bans (v4).
     * Runs in the caller's transaction.
     */
    static void upgrade(Connection c, int from) throws SQLException {
        Set<String> tables = tables(c);
        try (Statement s = c.createStatement()) {
            if (from < 2 && tables.contains("logs")) {
                s.executeUpdate("CREATE TEMPORARY TABLE logs_temp AS SELECT * FROM logs");
                s.executeUpdate("DROP TABLE logs");
                executeScript(s, LOGS);
                s.executeUpdate("INSERT INTO logs SELECT * from logs_temp");
                s.executeUpdate("DROP TABLE logs_temp");
                s.executeUpdate("UPDATE fail2banDb SET version = 2");
            }
            if (from < 3 && tables.contains("bans")) {
                s.executeUpdate("CREATE TEMPORARY TABLE bans_temp AS SELECT jail, ip, timeofban, "
                        + BanRecord.UNKNOWN_BANTIME + " as bantime, 1 as bancount, data FROM bans");
                s.executeUpdate("DROP TABLE bans");
                executeScript(s, BANS);
                s.executeUpdate("INSERT INTO bans SELECT * from bans_temp");
                s.executeUpdate("DROP TABLE bans_temp");
            }
            if (from < 4 && !tables.contains("bips")) {
                executeScript(s, BIPS);
                s.executeUpdate("UPDATE fail2banDb SET version = 4");
                if (tables.contains("bans")) {
                    s.executeUpdate("INSERT OR REPLACE INTO bips(ip, jail, timeofban, bantime, bancount, data)"
                            + " SELECT ip, jail, timeofban, bantime, bancount, data FROM bans order by timeofban");
                }
            }
        }
        // a database of any version may lack tables that later versions have; create them, and
        // record the version even where a step above had nothing to convert
        create(c);
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE fail2banDb SET version = " + VERSION);
        }
    }

    private static void executeScript(Statement s, String script) throws SQLException {
        for (String stmt : script.split(";")) {
            if (!stmt.isBlank()) {
                s.executeUpdate(stmt);
            }
        }
    }
}
