package org.jfail2ban.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies what can still be read from a damaged database into a new file with the same tables:
 * the schema from {@code sqlite_master}, then each table row by row until its first unreadable
 * page. The result is an ordinary database of the old file's version, opened (and upgraded)
 * the usual way afterwards.
 */
final class Salvage {

    record Result(Map<String, Integer> rowsPerTable, String problem) {
        int rows() {
            return rowsPerTable.values().stream().mapToInt(Integer::intValue).sum();
        }

        String summary() {
            StringBuilder sb = new StringBuilder();
            rowsPerTable.forEach((t, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n).append(" rows of ").append(t));
            if (problem != null) {
                sb.append(" (stopped at: ").append(problem).append(')');
            }
            return sb.toString();
        }
    }

    private record Entry(String type, String name, String sql) {
    }

    private Salvage() {
    }

    static Result copy(Path damaged, Path target) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        String problem = null;
        try (Connection from = Opener.connect(damaged.toString())) {
            try (Statement s = from.createStatement()) {
                // lets SQLite read a schema with a damaged entry instead of refusing every query
                s.execute("PRAGMA writable_schema = ON");
            }
            List<Entry> schema = schema(from);
            if (schema.isEmpty()) {
                return new Result(counts, "no readable tables");
            }
            try (Connection to = Opener.connect(target.toString())) {
                to.setAutoCommit(false);
                try (Statement s = to.createStatement()) {
                    for (Entry e : schema) {
                        if (e.type.equals("table")) {
                            s.executeUpdate(e.sql);
                        }
                    }
                }
                for (Entry e : schema) {
                    if (e.type.equals("table")) {
                        String p = copyRows(from, to, e.name, counts);
                        problem = problem == null ? p : problem;
                    }
                }
                try (Statement s = to.createStatement()) {
                    for (Entry e : schema) {
                        if (e.type.equals("index")) {
                            try {
                                s.executeUpdate(e.sql);
                            } catch (SQLException ex) {
                                // a unique index the surviving rows break: the open recreates what it needs
                            }
                        }
                    }
                }
                to.commit();
            }
        } catch (SQLException e) {
            try {
                Files.deleteIfExists(target);
            } catch (java.io.IOException io) {
                // the open below replaces it anyway
            }
            return new Result(Map.of(), e.getMessage());
        }
        return new Result(counts, problem);
    }

    private static List<Entry> schema(Connection from) {
        List<Entry> out = new ArrayList<>();
        try (Statement s = from.createStatement();
             ResultSet rs = s.executeQuery("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")) {
            while (rs.next()) {
                String name = rs.getString(2);
                if (!name.startsWith("sqlite_")) {
                    out.add(new Entry(rs.getString(1), name, rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            // whatever was read before the damage is kept
        }
        return out;
    }

    /** Copies rows until the first error; returns that error, or null when the table was whole. */
    private static String copyRows(Connection from, Connection to, String table, Map<String, Integer> counts) {
        String quoted = '"' + table.replace("\"", "\"\"") + '"';
        int n = 0;
        String problem = null;
        try (Statement s = from.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + quoted)) {
            int cols = rs.getMetaData().getColumnCount();
            StringBuilder q = new StringBuilder("INSERT OR IGNORE INTO ").append(quoted).append(" VALUES(");
            for (int i = 0; i < cols; i++) {
                q.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement ins = to.prepareStatement(q.append(')').toString())) {
                while (rs.next()) {
                    for (int i = 1; i <= cols; i++) {
                        ins.setObject(i, rs.getObject(i));
                    }
                    ins.executeUpdate();
                    n++;
                }
            }
        } catch (SQLException e) {
            problem = table + ": " + e.getMessage();
        }
        if (n > 0) {
            counts.put(table, n);
        }
        return problem;
    }
}
