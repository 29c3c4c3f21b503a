package org.jfail2ban.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jfail2ban.source.FilePosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    static final long T0 = 1_700_000_000L;

    @TempDir
    Path dir;
    TestClock clock = new TestClock(T0);
    Database db;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("fail2ban.sqlite3"), clock);
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    static BanRecord ban(String jail, String ip, long time, long banTime, int count, String... matches) {
        return new BanRecord(jail, ip, Instant.ofEpochSecond(time), banTime, count, BanData.of(matches.length, List.of(matches)));
    }

    /** Current bans sorted by id: the store gives them in no particular order. */
    static List<BanRecord> sorted(List<BanRecord> bans) {
        List<BanRecord> s = new java.util.ArrayList<>(bans);
        s.sort(java.util.Comparator.comparing(BanRecord::id));
        return s;
    }

    static List<String> ids(List<BanRecord> bans) {
        List<String> out = new ArrayList<>();
        for (BanRecord b : bans) {
            out.add(b.id());
        }
        return out;
    }

    @Test
    void newFileHasFail2bansVersionAndOurTables() throws Exception {
        db.close();
        db = null;
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("fail2ban.sqlite3"));
             var s = c.createStatement()) {
            var rs = s.executeQuery("SELECT version FROM fail2banDb");
            assertTrue(rs.next());
            assertEquals(4, rs.getInt(1));
            assertEquals(Set.of("fail2banDb", "jails", "logs", "bans", "bips", "jf2b_failures", "jf2b_journal"),
                    Schema.tables(c));
        }
    }

    @Test
    void jailsAreAddedDisabledAndEnabledAgain() {
        db.addJail("sshd");
        assertEquals(Set.of("sshd"), db.jailNames(true));
        db.delJail("sshd");
        assertEquals(Set.of("sshd"), db.jailNames());
        assertEquals(Set.of("sshd"), db.jailNames(false));
        assertEquals(Set.of(), db.jailNames(true));
        db.addJail("sshd");
        assertEquals(Set.of("sshd"), db.jailNames(true));
        db.addJail("apache");
        db.delAllJails();
        assertEquals(Set.of("sshd", "apache"), db.jailNames(false));
    }

    @Test
    void bansSurviveReopeningTheFile() {
        db.addJail("sshd");
        db.addBan(ban("sshd", "192.0.2.1", T0 - 10, 600, 1, "line one", "line two"));
        db.addBan(ban("sshd", "2001:db8::1", T0 - 20, -1, 3, "v6 line"));
        db.close();
        db = Database.open(dir.resolve("fail2ban.sqlite3"), clock);
        List<BanRecord> bans = sorted(db.currentBans("sshd", clock.instant(), 600, -1));
        assertEquals(List.of("192.0.2.1", "2001:db8::1"), ids(bans));
        BanRecord b = bans.get(0);
        assertEquals(Instant.ofEpochSecond(T0 - 10), b.timeOfBan());
        assertEquals(600, b.banTime());
        assertEquals(1, b.banCount());
        assertEquals(2, b.data().failures());
        assertEquals(List.of("line one", "line two"), b.data().matches());
        assertTrue(bans.get(1).permanent());
        assertEquals(3, bans.get(1).banCount());
    }

    @Test
    void restorableBansLeaveTheDataOnDiskUntilAskedFor() {
        db.addBan(ban("sshd", "192.0.2.1", T0 - 10, 600, 1, "line one", "line two"));
        db.addBan(ban("sshd", "192.0.2.2", T0 - 7200, 600, 1, "ended"));
        List<BanRecord> bans = db.restorableBans("sshd", clock.instant(), 600, -1);
        assertEquals(ids(sorted(db.currentBans("sshd", clock.instant(), 600, -1))), ids(sorted(bans)));
        assertEquals(BanData.EMPTY, bans.get(0).data());
        BanData d = db.banData("sshd", "192.0.2.1").orElseThrow();
        assertEquals(List.of("line one", "line two"), d.matches());
        assertEquals(2, d.failures());
        assertEquals(Optional.empty(), db.banData("other", "192.0.2.1"));
        assertEquals(Optional.empty(), db.banData("sshd", "192.0.2.9"));
    }

    @Test
    void currentBansLeaveOutEndedOnesAndKeepTheLatestPerId() {
        long stime = T0;
        db.addBan(ban("sshd", "192.0.2.1", stime, 10, 1));
        db.addBan(ban("sshd", "192.0.2.1", stime + 15, 20, 2));
        // from yesterday: one ended, one still due, one forever
        db.addBan(ban("sshd", "192.0.2.12", stime - 86400, 12 * 3600, 1));
        db.addBan(ban("sshd", "192.0.2.11", stime - 86400, 36 * 3600, 1));
        db.addBan(ban("sshd", "192.0.2.13", stime - 36 * 3600, -1, 1));

        List<BanRecord> now = sorted(db.currentBans("sshd", Instant.ofEpochSecond(stime), 600, -1));
        assertEquals(List.of("192.0.2.1", "192.0.2.11", "192.0.2.13"), ids(now));
        assertEquals(Instant.ofEpochSecond(stime + 15), now.get(0).timeOfBan());
        assertEquals(20, now.get(0).banTime());
        assertEquals(2, now.get(0).banCount());

        List<BanRecord> earlier = sorted(db.currentBans("sshd", Instant.ofEpochSecond(stime - 18 * 3600), 600, -1));
        assertEquals(List.of("192.0.2.1", "192.0.2.11", "192.0.2.12", "192.0.2.13"), ids(earlier));

        assertEquals(List.of(), sorted(db.currentBans("sshd", Instant.ofEpochSecond(stime + 86400 * 2), 600, 600))
                .stream().filter(b -> !b.id().equals("192.0.2.13")).toList());
        assertEquals(List.of(), sorted(db.currentBans("other", Instant.ofEpochSecond(stime), 600, -1)));
    }

    @Test
    void maxBanTimeCutsLongerAndPermanentBansAtRestore() {
        db.addBan(ban("sshd", "192.0.2.1", T0, 6000, 1));
        db.addBan(ban("sshd", "192.0.2.2", T0 - 3600, -1, 1));
        db.addBan(ban("sshd", "192.0.2.3", T0 - 100, 300, 1));
        List<BanRecord> cut = sorted(db.currentBans("sshd", Instant.ofEpochSecond(T0 + 10), 600, 600));
        // .2 became a 600 s ban that ended long ago; .1 is cut to 600 s
        assertEquals(List.of("192.0.2.1", "192.0.2.3"), ids(cut));
        assertEquals(600, cut.get(0).banTime());
        assertEquals(300, cut.get(1).banTime());
        List<BanRecord> uncut = sorted(db.currentBans("sshd", Instant.ofEpochSecond(T0 + 10), 600, -1));
        assertEquals(List.of("192.0.2.1", "192.0.2.2", "192.0.2.3"), ids(uncut));
        assertEquals(-1, uncut.get(1).banTime());
    }

    @Test
    void banHistoryPerJailAndOverAllJails() {
        long stime = T0;
        assertEquals(Optional.empty(), db.banHistory("192.0.2.1", "jail1", false));
        db.addBan(ban("jail1", "192.0.2.1", stime, 6000, 1));
        db.addBan(ban("jail2", "192.0.2.1", stime - 6000, 12000, 2));
        assertEquals(Optional.of(new BanHistory(1, Instant.ofEpochSecond(stime), 6000)),
                db.banHistory("192.0.2.1", "jail1", false));
        assertEquals(Optional.of(new BanHistory(2, Instant.ofEpochSecond(stime - 6000), 12000)),
                db.banHistory("192.0.2.1", "jail2", false));
        assertEquals(Optional.of(new BanHistory(3, Instant.ofEpochSecond(stime), 18000)),
                db.banHistory("192.0.2.1", "jail1", true));
        assertEquals(Optional.empty(), db.banHistory("192.0.2.1", "jail3", false));
    }

    @Test
    void matchesAreCutToDbMaxMatches() {
        db.setMaxMatches(2);
        db.addBan(ban("sshd", "192.0.2.1", T0, 600, 1, "a", "b", "c", "d"));
        BanRecord b = sorted(db.currentBans("sshd", clock.instant(), 600, -1)).get(0);
        assertEquals(List.of("c", "d"), b.data().matches());
        assertEquals(4, b.data().failures());
        db.setMaxMatches(0);
        db.addBan(ban("sshd", "192.0.2.2", T0, 600, 1, "a", "b"));
        BanRecord none = sorted(db.currentBans("sshd", clock.instant(), 600, -1)).get(1);
        assertEquals(List.of(), none.data().matches());
        assertFalse(none.data().map().containsKey("matches"));
        assertEquals(2, none.data().failures());
    }

    @Test
    void removeBanForgetsTheIdInItsJailOnly() {
        db.addBan(ban("sshd", "192.0.2.1", T0, 600, 1));
        db.addBan(ban("sshd", "192.0.2.2", T0, 600, 1));
        db.addBan(ban("sshd", "192.0.2.3", T0, 600, 1));
        db.addBan(ban("apache", "192.0.2.1", T0, 600, 1));
        db.commit(new Changes().removeBan("sshd", "192.0.2.1"));
        assertEquals(List.of("192.0.2.2", "192.0.2.3"), ids(sorted(db.currentBans("sshd", clock.instant(), 600, -1))));
        assertEquals(Optional.empty(), db.banHistory("192.0.2.1", "sshd", false));
        assertEquals(List.of("192.0.2.1"), ids(sorted(db.currentBans("apache", clock.instant(), 600, -1))));
        db.commit(new Changes().removeAllBans("sshd"));
        assertEquals(List.of(), sorted(db.currentBans("sshd", clock.instant(), 600, -1)));
        assertEquals(1, sorted(db.currentBans("apache", clock.instant(), 600, -1)).size());
    }

    @Test
    void mergedBansSumFailuresAndKeepTheNewestMatches() {
        BanRecord a = new BanRecord("jail1", "127.0.0.1", Instant.ofEpochSecond(T0 - 40), 600, 1, BanData.of(10, List.of("abc")));
        BanRecord b = new BanRecord("jail1", "127.0.0.1", Instant.ofEpochSecond(T0 - 30), 600, 1, BanData.of(20, List.of("123")));
        BanRecord c = new BanRecord("jail1", "127.0.0.2", Instant.ofEpochSecond(T0 - 20), 600, 1, BanData.of(30, List.of("ABC")));
        BanRecord d = new BanRecord("jail2", "127.0.0.1", Instant.ofEpochSecond(T0 - 10), 600, 1, BanData.of(40, List.of("ABC")));
        db.addBans(List.of(a, b, c, d));
        assertEquals(new MergedBans("127.0.0.1", 70, List.of("abc", "123", "ABC")), db.mergedBans("127.0.0.1", null));
        assertEquals(new MergedBans("127.0.0.1", 30, List.of("abc", "123")), db.mergedBans("127.0.0.1", "jail1"));
        db.setMaxMatches(2);
        assertEquals(new MergedBans("127.0.0.1", 70, List.of("123", "ABC")), db.mergedBans("127.0.0.1", null));
        assertEquals(new MergedBans("192.0.2.9", 0, List.of()), db.mergedBans("192.0.2.9", null));
    }

    @Test
    void logPositionsAreKeptPerJailAndPath() {
        assertEquals(Optional.empty(), db.logPosition("sshd", "/var/log/auth.log"));
        db.updateLog("sshd", new FilePosition("/var/log/auth.log", "6c187bc8cb287130973fd01e9a2433e7", 46771));
        db.updateLog("sshd", new FilePosition("/var/log/auth.log", "6c187bc8cb287130973fd01e9a2433e7", 50000));
        db.updateLog("apache", new FilePosition("/var/log/auth.log", "0123", 7));
        assertEquals(Optional.of(new FilePosition("/var/log/auth.log", "6c187bc8cb287130973fd01e9a2433e7", 50000)),
                db.logPosition("sshd", "/var/log/auth.log"));
        assertEquals(Optional.of(new FilePosition("/var/log/auth.log", "0123", 7)), db.logPosition("apache", "/var/log/auth.log"));
        assertTrue(db.jailNames().contains("apache"), "a log position makes its jail known");
    }

    @Test
    void journalPositionKeepsCursorAndTime() {
        assertEquals(Optional.empty(), db.journalPosition("sshd"));
        for (long t : new long[] {1500000000L, 1500000001L, 1500000002L}) {
            JournalPosition p = new JournalPosition("s=abc;i=" + t, Instant.ofEpochSecond(t, 250_000_000));
            db.commit(new Changes().updateJournal("sshd", p));
            assertEquals(Optional.of(p), db.journalPosition("sshd"));
        }
    }

    @Test
    void purgeRemovesOldHistoryAndDisabledJailsWithoutBans() {
        db.addJail("sshd");
        db.purge();
        assertEquals(Set.of("sshd"), db.jailNames(), "an enabled jail stays");
        db.delJail("sshd");
        db.purge();
        assertEquals(Set.of(), db.jailNames(), "a disabled jail without bans goes");

        db.addJail("sshd");
        db.updateLog("sshd", new FilePosition("/var/log/auth.log", "x", 1));
        db.addBan(ban("sshd", "192.0.2.1", T0, 600, 1));
        db.delJail("sshd");
        db.purge();
        assertEquals(Set.of("sshd"), db.jailNames(), "a disabled jail with bans stays");
        assertEquals(1, sorted(db.currentBans("sshd", clock.instant(), 600, -1)).size());

        // a day and a bit later: the history goes, but the current record stays until its
        // ban is three ban times older than the purge age
        clock.set(T0 + 86400 + 1);
        db.purge();
        assertEquals(0, db.mergedBans("192.0.2.1", "sshd").failures(), "bans history purged");
        assertTrue(db.banHistory("192.0.2.1", "sshd", false).isPresent(), "bips kept: T0 + 3 * 600 >= now - 1 day");
        assertEquals(Set.of("sshd"), db.jailNames());
        clock.set(T0 + 86400 + 3 * 600 + 1);
        db.purge();
        assertTrue(db.banHistory("192.0.2.1", "sshd", false).isEmpty(), "bips purged: T0 + 3 * 600 < now - 1 day");
        assertEquals(Set.of(), db.jailNames(), "the disabled jail left without bans goes with its logs");
        assertEquals(Optional.empty(), db.logPosition("sshd", "/var/log/auth.log"));
    }

    @Test
    void purgeKeepsPermanentAndRecentBips() {
        db.addJail("sshd");
        db.addBan(ban("sshd", "192.0.2.1", T0, -1, 1));
        db.addBan(ban("sshd", "192.0.2.2", T0, 86400, 1));
        db.addBan(ban("sshd", "192.0.2.3", T0, 600, 1));
        clock.set(T0 + 2 * 86400);
        db.purge();
        assertTrue(db.banHistory("192.0.2.1", "sshd", false).isPresent(), "permanent: never purged");
        assertTrue(db.banHistory("192.0.2.2", "sshd", false).isPresent(), "T0 + 3 days is not yet before T0 + 1 day");
        assertTrue(db.banHistory("192.0.2.3", "sshd", false).isEmpty());
        db.setPurgeAge(-240 * 3600);
        db.purge();
        assertTrue(db.banHistory("192.0.2.2", "sshd", false).isEmpty());
        assertTrue(db.banHistory("192.0.2.1", "sshd", false).isPresent(), "permanent: never purged");
    }

    @Test
    void thePurgeRunsByItselfEveryPeriod() throws Exception {
        db.close();
        db = Database.open(dir.resolve("fail2ban.sqlite3").toString(), clock, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        db.addBan(ban("sshd", "192.0.2.1", T0, 600, 1));
        clock.set(T0 + 10 * 86400);
        // no purge() call: the store's own timer does it
        for (int i = 0; i < 500 && db.banHistory("192.0.2.1", "sshd", false).isPresent(); i++) {
            Thread.sleep(20);
        }
        assertTrue(db.banHistory("192.0.2.1", "sshd", false).isEmpty());
    }

    @Test
    void memoryDatabaseWorksAndLeavesNoFile() {
        try (Database mem = Database.open(":memory:", clock)) {
            mem.addBan(ban("sshd", "192.0.2.1", T0, 600, 1));
            assertEquals(1, mem.currentBans("sshd", clock.instant(), 600, -1).size());
            assertEquals(":memory:", mem.filename());
        }
        assertFalse(Files.exists(Path.of(":memory:")));
    }

    @Test
    void noneMeansNoDatabase() {
        assertTrue(Database.isNone("None"));
        assertTrue(Database.isNone("none"));
        assertFalse(Database.isNone("/var/lib/fail2ban/fail2ban.sqlite3"));
        assertThrows(IllegalArgumentException.class, () -> Database.open("None", clock));
    }

    @Test
    void parentDirectoriesAreMade() {
        Path deep = dir.resolve("a/b/c/fail2ban.sqlite3");
        try (Database d = Database.open(deep, clock)) {
            d.addJail("x");
        }
        assertTrue(Files.isRegularFile(deep));
    }

    @Test
    void aDirectoryIsNoDatabase() throws Exception {
        Path d = Files.createDirectory(dir.resolve("isadir"));
        StoreException e = assertThrows(StoreException.class, () -> Database.open(d, clock));
        assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
        assertTrue(Files.isDirectory(d), "left where it was");
    }

    @Test
    void newerVersionIsRefusedAndLeftAlone() throws Exception {
        db.close();
        db = null;
        Path f = dir.resolve("fail2ban.sqlite3");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + f); var s = c.createStatement()) {
            s.executeUpdate("UPDATE fail2banDb SET version = 5");
        }
        StoreException e = assertThrows(StoreException.class, () -> Database.open(f, clock));
        assertTrue(e.getMessage().contains("version 5"), e.getMessage());
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + f); var s = c.createStatement()) {
            var rs = s.executeQuery("SELECT version FROM fail2banDb");
            rs.next();
            assertEquals(5, rs.getInt(1));
        }
    }

    @Test
    void dataKeepsCapturedValuesAndWholeNumbers() {
        BanData data = BanData.of(Map.of("failures", 3, "matches", List.of("x"), "user", Set.of("root"),
                "ratio", 0.5, "ok", true));
        db.addBan(new BanRecord("sshd", "192.0.2.1", clock.instant(), 600, 1, data));
        BanData back = sorted(db.currentBans("sshd", clock.instant(), 600, -1)).get(0).data();
        assertEquals(3L, back.map().get("failures"));
        assertEquals(List.of("root"), back.map().get("user"));
        assertEquals(0.5, back.map().get("ratio"));
        assertEquals(true, back.map().get("ok"));
        assertEquals(data, back);
    }

    /**
     * The data column holds the UTF-8 bytes Python's json.dumps(ensure_ascii=False) writes; NaN,
     * 600 and 600.0 come back as they went; a row whose data is no JSON object still restores.
     */
    @Test
    void dataColumnHoldsWhatPythonWritesAndDamagedDataDoesNotStopARestore() throws Exception {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("matches", List.of("j\u00fcrgen \u2603 \"q\"\t"));
        m.put("failures", 3);
        m.put("bantime", 600);
        m.put("factor", 600.0);
        m.put("score", Double.NaN);
        m.put("limit", Double.NEGATIVE_INFINITY);
        db.addBan(new BanRecord("sshd", "192.0.2.1", clock.instant(), 600, 1, BanData.of(m)));
        db.addBan(ban("sshd", "192.0.2.2", T0, 600, 1, "y"));
        db.close();
        db = null;
        String url = "jdbc:sqlite:" + dir.resolve("fail2ban.sqlite3");
        try (var c = java.sql.DriverManager.getConnection(url); var s = c.createStatement()) {
            var rs = s.executeQuery("SELECT data FROM bans WHERE ip = '192.0.2.1'");
            rs.next();
            assertEquals("{\"matches\": [\"j\u00fcrgen \u2603 \\\"q\\\"\\t\"], \"failures\": 3, \"bantime\": 600, "
                    + "\"factor\": 600.0, \"score\": NaN, \"limit\": -Infinity}",
                    new String(rs.getBytes(1), java.nio.charset.StandardCharsets.UTF_8));
            for (String table : List.of("bans", "bips")) {
                s.executeUpdate("UPDATE " + table + " SET data = '{\"failures\": 2, \"matches\": [\"y\"' WHERE ip = '192.0.2.2'");
            }
        }
        db = Database.open(dir.resolve("fail2ban.sqlite3"), clock);
        List<BanRecord> back = sorted(db.currentBans("sshd", clock.instant(), 600, -1));
        Map<String, Object> data = back.get(0).data().map();
        assertEquals(3L, data.get("failures"));
        assertEquals(600L, data.get("bantime"));
        assertEquals(600.0, data.get("factor"));
        assertTrue(((Double) data.get("score")).isNaN());
        assertEquals(Double.NEGATIVE_INFINITY, data.get("limit"));
        assertEquals(List.of("j\u00fcrgen \u2603 \"q\"\t"), back.get(0).data().matches());
        assertEquals("192.0.2.2", back.get(1).id());
        assertEquals(Map.of(), back.get(1).data().map());
    }

    @Test
    void closedDatabaseRefusesWork() {
        db.close();
        StoreException e = assertThrows(StoreException.class, () -> db.addJail("x"));
        assertTrue(e.getMessage().contains("closed"));
        db = null;
    }
}
