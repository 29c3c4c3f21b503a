package org.jfail2ban.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jfail2ban.source.FilePosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our store and the Python fail2ban's read each other's database files. */
class InterchangeTest {

    static final long NOW = 1_700_000_000L;

    @TempDir
    Path dir;
    TestClock clock = new TestClock(NOW);

    /** Bans, logs and a journal position in the spec format of f2bdb.py. */
    static final String SPEC = """
            {"jails": ["sshd", "apache-auth", "recidive"],
             "bans": [
               {"jail": "sshd", "ip": "192.0.2.1", "time": %1$d, "bantime": 600, "bancount": 1,
                "data": {"failures": 5, "matches": ["Nov 14 22:13:15 host sshd[1]: Failed password for root from 192.0.2.1", "second"]}},
               {"jail": "sshd", "ip": "192.0.2.2", "time": %2$d, "bantime": -1, "bancount": 4,
                "data": {"failures": 3, "matches": ["f\\u00fcr M\\u00fcller \\u2603"], "user-set": ["root", "admin"]}},
               {"jail": "sshd", "ip": "2001:db8::7", "time": %3$d, "bantime": 3600, "bancount": 2,
                "data": {"failures": 1, "matches": [], "ip": "2001:db8::7"}},
               {"jail": "sshd", "ip": "192.0.2.3", "time": %4$d, "bantime": 600, "bancount": 1,
                "data": {"failures": 2, "matches": ["expired"]}},
               {"jail": "apache-auth", "ip": "192.0.2.1", "time": %5$d, "bantime": 1200, "bancount": 2,
                "data": {"failures": 7, "matches": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"]}},
               {"jail": "recidive", "ip": "198.51.100.9", "time": %6$d, "bantime": 604800, "bancount": 1,
                "data": {"failures": 5}}
             ],
             "logs": [
               {"jail": "sshd", "path": "/var/log/auth.log", "pos": 46771, "md5": "6c187bc8cb287130973fd01e9a2433e7"},
               {"jail": "apache-auth", "path": "/var/log/apache2/error.log", "pos": 10, "md5": "d41d8cd98f00b204e9800998ecf8427e"}
             ],
             "journals": [{"jail": "recidive", "time": 1699999999.5, "iso": "2023-11-14T22:13:19.500000 "}]
            }
            """.formatted(NOW - 100, NOW - 86400, NOW - 50, NOW - 7200, NOW - 10, NOW - 3 * 86400);

    @Test
    void aDatabaseWrittenByThePythonFail2banIsReadWithEveryBan() {
        Path file = dir.resolve("fail2ban.sqlite3");
        PyDb.write(file, SPEC, dir);
        JsonObject py = PyDb.read(file, NOW, dir);

        try (Database db = Database.open(file, clock)) {
            for (String jail : List.of("sshd", "apache-auth", "recidive")) {
                List<BanRecord> ours = sorted(db.currentBans(jail, clock.instant(), 600, -1));
                JsonArray theirs = py.getAsJsonObject("current").getAsJsonArray(jail);
                assertEquals(theirs.size(), ours.size(), jail + ": " + theirs + " vs " + ours);
                for (int i = 0; i < ours.size(); i++) {
                    assertSameBan(theirs.get(i).getAsJsonObject(), ours.get(i));
                }
            }
            assertEquals(List.of("192.0.2.1", "192.0.2.2", "2001:db8::7"),
                    sorted(db.currentBans("sshd", clock.instant(), 600, -1)).stream().map(BanRecord::id).toList(),
                    "the expired ban is not restored");
            BanRecord unicode = sorted(db.currentBans("sshd", clock.instant(), 600, -1)).get(1);
            assertEquals(List.of("f\u00fcr M\u00fcller \u2603"), unicode.data().matches());
            assertTrue(unicode.permanent());
            assertEquals(10, sorted(db.currentBans("apache-auth", clock.instant(), 600, -1)).get(0).data().matches().size(),
                    "fail2ban kept the newest 10 matches");

            assertEquals(Optional.of(new FilePosition("/var/log/auth.log", "6c187bc8cb287130973fd01e9a2433e7", 46771)),
                    db.logPosition("sshd", "/var/log/auth.log"));
            assertEquals(Optional.of(new FilePosition("/var/log/apache2/error.log", "d41d8cd98f00b204e9800998ecf8427e", 10)),
                    db.logPosition("apache-auth", "/var/log/apache2/error.log"));
            assertEquals(Optional.of(new JournalPosition(null, Instant.ofEpochSecond(1699999999L, 500_000_000))),
                    db.journalPosition("recidive"));
            assertEquals(Optional.of(new BanHistory(4, Instant.ofEpochSecond(NOW - 86400), -1)),
                    db.banHistory("192.0.2.2", "sshd", false));
            assertEquals(Optional.of(new BanHistory(3, Instant.ofEpochSecond(NOW - 10), 1800)),
                    db.banHistory("192.0.2.1", "sshd", true));
        }
    }

    @Test
    void aDatabaseWrittenByUsIsReadByThePythonFail2ban() throws Exception {
        Path file = dir.resolve("fail2ban.sqlite3");
        List<BanRecord> written = new ArrayList<>();
        try (Database db = Database.open(file, clock)) {
            db.delAllJails();
            db.addJail("sshd");
            db.addJail("nginx");
            written.add(new BanRecord("sshd", "192.0.2.1", Instant.ofEpochSecond(NOW - 100), 600, 1,
                    BanData.of(5, List.of("Failed password for root from 192.0.2.1 port 22", "line 2"))));
            written.add(new BanRecord("sshd", "192.0.2.2", Instant.ofEpochSecond(NOW - 86400), -1, 3,
                    BanData.of(Map.of("failures", 2L, "matches", List.of("f\u00fcr \u2603"), "user", List.of("root")))));
            written.add(new BanRecord("sshd", "2001:db8::1", Instant.ofEpochSecond(NOW - 5), 86400, 2, BanData.of(1, List.of())));
            written.add(new BanRecord("nginx", "203.0.113.4", Instant.ofEpochSecond(NOW - 1), 1200, 1, BanData.of(9, List.of("GET /"))));
            db.addBans(written);
            db.commit(new Changes()
                    .updateLog("sshd", new FilePosition("/var/log/auth.log", "0cc175b9c0f1b6a831c399e269772661", 4242))
                    .updateJournal("nginx", new JournalPosition("s=1;i=2", Instant.ofEpochSecond(NOW - 3)))
                    .putFailure("sshd", new FailureRecord("192.0.2.50", Instant.ofEpochSecond(NOW - 30),
                            Instant.ofEpochSecond(NOW - 20), 2, BanData.of(2, List.of("x", "y")))));
        }
        JsonObject py = PyDb.read(file, NOW, dir);
        String log = py.get("_stderr").getAsString();
        assertFalse(log.contains("New database created"), log);
        assertFalse(log.toLowerCase().contains("repair"), log);
        assertFalse(log.contains("Upgrade"), log);
        assertEquals(4, py.get("version").getAsInt());
        assertEquals(List.of("nginx", "sshd"), strings(py.getAsJsonArray("enabled")));

        JsonArray sshd = py.getAsJsonObject("current").getAsJsonArray("sshd");
        assertEquals(3, sshd.size(), sshd.toString());
        assertSameBan(sshd.get(0).getAsJsonObject(), written.get(0));
        assertSameBan(sshd.get(1).getAsJsonObject(), written.get(1));
        assertSameBan(sshd.get(2).getAsJsonObject(), written.get(2));
        assertSameBan(py.getAsJsonObject("current").getAsJsonArray("nginx").get(0).getAsJsonObject(), written.get(3));

        JsonObject logs = py.getAsJsonObject("logs").getAsJsonObject("sshd").getAsJsonObject("/var/log/auth.log");
        assertEquals(4242, logs.get("pos").getAsLong());
        assertEquals(4242, logs.get("addLog").getAsLong(), "fail2ban resumes our position for the same first line");
        assertEquals(NOW - 3, py.getAsJsonObject("journals").get("nginx").getAsDouble(), 1e-6);
        assertEquals("[[3," + (NOW - 86400) + ",-1]]", py.getAsJsonObject("history").get("sshd|192.0.2.2").toString());
    }

    @Test
    void thePythonFail2banPurgesAndWritesOurFileAndWeReadItBack() {
        Path file = dir.resolve("fail2ban.sqlite3");
        try (Database db = Database.open(file, clock)) {
            db.addJail("sshd");
            db.addJail("gone");
            db.addBan(new BanRecord("sshd", "192.0.2.1", Instant.ofEpochSecond(NOW - 100), 600, 1, BanData.of(1, List.of("a"))));
            db.commit(new Changes().putFailure("gone", new FailureRecord("192.0.2.9", Instant.ofEpochSecond(NOW - 5),
                    Instant.ofEpochSecond(NOW - 5), 1, BanData.EMPTY)));
            db.delJail("gone");
        }
        // fail2ban's purge deletes the disabled jail although our failure table names it
        JsonObject py = PyDb.purge(file, NOW, 86400, dir);
        assertEquals(List.of("sshd"), strings(py.getAsJsonArray("jails")), py.get("_stderr").getAsString());
        PyDb.write(file, """
                {"jails": ["sshd"], "bans": [{"jail": "sshd", "ip": "192.0.2.77", "time": %d, "bantime": 900,
                 "bancount": 2, "data": {"failures": 4, "matches": ["py"]}}]}
                """.formatted(NOW - 1), dir);
        try (Database db = Database.open(file, clock)) {
            List<BanRecord> bans = sorted(db.currentBans("sshd", clock.instant(), 600, -1));
            assertEquals(List.of("192.0.2.1", "192.0.2.77"), bans.stream().map(BanRecord::id).toList());
            assertEquals(new BanRecord("sshd", "192.0.2.77", Instant.ofEpochSecond(NOW - 1), 900, 2,
                    BanData.of(4, List.of("py"))), bans.get(1));
            assertEquals(List.of("192.0.2.9"),
                    db.failures("gone", Instant.ofEpochSecond(NOW - 600)).stream().map(FailureRecord::id).toList(),
                    "fail2ban's purge leaves our failure records alone; ours drops them after dbpurgeage");
        }
    }

    @Test
    void afterACrashThePythonFail2banReadsTheFileWithItsWriteAheadLog() throws Exception {
        Path file = dir.resolve("fail2ban.sqlite3");
        Path crashed = dir.resolve("crashed");
        Files.createDirectory(crashed);
        try (Database db = Database.open(file, clock)) {
            db.addJail("sshd");
            db.addBan(new BanRecord("sshd", "192.0.2.1", Instant.ofEpochSecond(NOW - 100), 600, 1, BanData.of(1, List.of("a"))));
            // while open, the bans sit in the write-ahead log: copy both files as a crash leaves them
            assertTrue(Files.size(dir.resolve("fail2ban.sqlite3-wal")) > 0);
            Files.copy(file, crashed.resolve("fail2ban.sqlite3"));
            Files.copy(dir.resolve("fail2ban.sqlite3-wal"), crashed.resolve("fail2ban.sqlite3-wal"));
        }
        assertFalse(Files.exists(dir.resolve("fail2ban.sqlite3-wal")), "a clean close folds the log into the file");
        JsonObject py = PyDb.read(crashed.resolve("fail2ban.sqlite3"), NOW, dir);
        assertEquals(1, py.getAsJsonObject("current").getAsJsonArray("sshd").size(), py.toString());
    }

    @Test
    void ourSchemaIsFail2bansStatementForStatement() throws Exception {
        Path theirs = dir.resolve("theirs.sqlite3");
        PyDb.write(theirs, "{}", dir);
        Path ours = dir.resolve("ours.sqlite3");
        Database.open(ours, clock).close();
        Map<String, String> t = schema(theirs);
        Map<String, String> o = schema(ours);
        assertTrue(o.keySet().removeIf(k -> k.contains("jf2b_")));
        assertEquals(t, o);
    }

    /** Current bans sorted by id: the store gives them in no particular order. */
    static List<BanRecord> sorted(List<BanRecord> bans) {
        List<BanRecord> s = new java.util.ArrayList<>(bans);
        s.sort(java.util.Comparator.comparing(BanRecord::id));
        return s;
    }

    private static Map<String, String> schema(Path file) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, sql FROM sqlite_master")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getString(2));
            }
        }
        return m;
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : a) {
            out.add(e.getAsString());
        }
        return out;
    }

    /** A ban as the Python fail2ban read it equals ours: ip, time, bantime, bancount, data. */
    static void assertSameBan(JsonObject py, BanRecord ours) {
        String what = py + " vs " + ours;
        assertEquals(py.get("ip").getAsString(), ours.id(), what);
        assertEquals(py.get("time").getAsDouble(), ours.timeOfBan().getEpochSecond(), 1e-9, what);
        assertEquals(py.get("bantime").getAsLong(), ours.banTime(), what);
        assertEquals(py.get("bancount").getAsInt(), ours.banCount(), what);
        JsonObject data = py.getAsJsonObject("data");
        assertEquals(data.get("failures").getAsInt(), ours.data().failures(), what);
        List<String> matches = data.has("matches") ? strings(data.getAsJsonArray("matches")) : List.of();
        assertEquals(matches, ours.data().matches(), what);
        for (String key : data.keySet()) {
            if (!key.equals("failures") && !key.equals("matches")) {
                Object mine = ours.data().map().get(key);
                JsonElement v = data.get(key);
                if (v.isJsonArray()) {
                    assertEquals(new java.util.TreeSet<>(strings(v.getAsJsonArray())),
                            new java.util.TreeSet<>((List<?>) mine), what);
                } else {
                    assertEquals(v.getAsString(), String.valueOf(mine), what);
                }
            }
        }
        assertEquals(data.keySet(), ours.data().map().keySet(), what);
    }
}
