package org.jfail2ban.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jfail2ban.source.FilePosition;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Databases of older fail2ban versions are upgraded; damaged files are set aside. */
class UpgradeAndRecoveryTest {

    @TempDir
    Path dir;
    // 2024-03-05 06:07:08 UTC: names the backup and the set-aside files
    TestClock clock = new TestClock(1709618828L);

    Path oracleFile(String name) {
        return Oracle.pythonPackage().resolve("tests/files/" + name);
    }

    Path copy(String name, String as) throws Exception {
        return Files.copy(oracleFile(name), dir.resolve(as));
    }

    @Test
    void version1IsUpgradedWithItsLostBanTimeTakenFromTheJail() throws Exception {
        Path file = copy("database_v1.db", "fail2ban.sqlite3");
        try (LogCapture log = new LogCapture(); Database db = Database.open(file, clock)) {
            String jail = "DummyJail #29162448 with 0 tickets";
            assertEquals(Set.of(jail), db.jailNames());
            assertEquals(Optional.of(new FilePosition("/tmp/Fail2BanDb_pUlZJh.log", "d41d8cd98f00b204e9800998ecf8427e", 0)),
                    db.logPosition(jail, "/tmp/Fail2BanDb_pUlZJh.log"));
            List<BanRecord> bans = sorted(db.currentBans(jail, Instant.ofEpochSecond(1388009242L), 123456, -1));
            assertEquals(1, bans.size());
            assertEquals("127.0.0.1", bans.get(0).id());
            assertEquals(123456, bans.get(0).banTime(), "the ban time lost in the upgrade is the jail's");
            assertEquals(List.of("abc\n"), bans.get(0).data().matches());
            assertEquals(1388009242.259323, bans.get(0).timeOfBan().getEpochSecond() + bans.get(0).timeOfBan().getNano() / 1e9, 1e-6);
            Path backup = dir.resolve("fail2ban.sqlite3.v1-20240305-060708");
            assertTrue(Files.isRegularFile(backup), "the file before the upgrade is kept");
            assertTrue(log.all().contains("Upgraded database " + file + " from version 1 to 4; the old file is kept as " + backup),
                    log.all());
        }
        assertEquals(4, version(file));
    }

    @Test
    void version2IsUpgradedAsThePythonFail2banUpgradesIt() throws Exception {
        Path ours = copy("database_v2.db", "ours.sqlite3");
        Path theirs = copy("database_v2.db", "theirs.sqlite3");
        try (Database db = Database.open(ours, clock)) {
            assertEquals(Set.of("pam-generic"), db.jailNames());
            assertEquals(Set.of(), db.jailNames(true));
            assertEquals(Optional.of(new FilePosition("/var/log/auth.log", "6c187bc8cb287130973fd01e9a2433e7", 46771)),
                    db.logPosition("pam-generic", "/var/log/auth.log"));
            List<BanRecord> bans = sorted(db.currentBans("pam-generic", Instant.ofEpochSecond(1417595494L), 600, -1));
            assertEquals(List.of("1.2.3.7", "1.2.3.8"), bans.stream().map(BanRecord::id).toList());
            assertEquals(600, bans.get(0).banTime());
            assertEquals(3, bans.get(0).data().failures());
            assertEquals(3, bans.get(0).data().matches().size());
            assertTrue(bans.get(0).data().matches().get(0).startsWith("Dec  3 09:31:08 f2btest test:auth[27658]"));
        }
        JsonObject py = PyDb.read(theirs, 1417595494L, dir);
        assertTrue(py.get("_stderr").getAsString().contains("Database updated from '2' to '4'"), py.toString());
        for (String table : List.of("fail2banDb", "jails", "logs", "bans", "bips")) {
            assertEquals(rows(theirs, table), rows(ours, table), table);
        }
    }

    @Test
    void aFileThatIsNoDatabaseIsSetAsideAndANewOneMade() throws Exception {
        Path file = dir.resolve("fail2ban.sqlite3");
        byte[] garbage = "this is not an SQLite database at all\n".repeat(200).getBytes();
        Files.write(file, garbage);
        try (LogCapture log = new LogCapture(); Database db = Database.open(file, clock)) {
            Path aside = dir.resolve("fail2ban.sqlite3.corrupt-20240305-060708");
            assertTrue(Files.isRegularFile(aside));
            assertTrue(java.util.Arrays.equals(garbage, Files.readAllBytes(aside)), "moved, not changed");
            assertTrue(log.all().contains("Database " + file + " is damaged (")
                    && log.all().contains("moved it to " + aside + " and starting a new database at " + file), log.all());
            db.addBan(new BanRecord("sshd", "192.0.2.1", clock.instant(), 600, 1, BanData.EMPTY));
            assertEquals(1, sorted(db.currentBans("sshd", clock.instant(), 600, -1)).size());
        }
        assertEquals(4, version(file));
    }

    @Test
    void aTornFileKeepsTheBansThatCanStillBeRead() throws Exception {
        Path file = dir.resolve("fail2ban.sqlite3");
        List<BanRecord> bans = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            bans.add(new BanRecord("sshd", "10.0." + (i / 256) + "." + (i % 256), clock.instant(), -1, 1,
                    BanData.of(1, List.of("Failed password for invalid user admin from 10.0.0." + i))));
        }
        try (Database db = Database.open(file, clock)) {
            db.addBans(bans);
            db.updateLog("sshd", new FilePosition("/var/log/auth.log", "abc", 99));
        }
        long size = Files.size(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size * 2 / 3);
        }
        try (LogCapture log = new LogCapture(); Database db = Database.open(file, clock)) {
            assertTrue(Files.exists(dir.resolve("fail2ban.sqlite3.corrupt-20240305-060708")), log.all());
            assertTrue(log.all().contains("Recovered from " + dir.resolve("fail2ban.sqlite3.corrupt-20240305-060708")), log.all());
            int restored = sorted(db.currentBans("sshd", clock.instant(), 600, -1)).size();
            assertTrue(restored > 0 && restored < 3000, "some bans recovered: " + restored);
            db.addBan(bans.get(2999));
            assertTrue(sorted(db.currentBans("sshd", clock.instant(), 600, -1)).size() > restored, "and the database works");
        }
        assertTrue(quickCheck(file));
    }

    @Test
    void aTruncatedVersion1FileIsRecoveredOrMadeAnew() throws Exception {
        for (int size : new int[] {14000, 4000}) {
            Path d = Files.createDirectory(dir.resolve("t" + size));
            Path file = Files.copy(oracleFile("database_v1.db"), d.resolve("fail2ban.sqlite3"));
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(size);
            }
            try (LogCapture log = new LogCapture(); Database db = Database.open(file, clock)) {
                assertTrue(Files.exists(d.resolve("fail2ban.sqlite3.corrupt-20240305-060708")), size + ": " + log.all());
                if (size == 14000) {
                    assertEquals(1, db.jailNames().size(), log.all());
                    assertTrue(db.logPosition("DummyJail #29162448 with 0 tickets", "/tmp/Fail2BanDb_pUlZJh.log").isPresent());
                } else {
                    assertEquals(Set.of(), db.jailNames(), log.all());
                }
                db.addJail("works");
            }
            assertEquals(4, version(file));
            assertTrue(quickCheck(file));
        }
    }

    @Test
    void anEmptyFileIsANewDatabase() throws Exception {
        Path file = Files.createFile(dir.resolve("fail2ban.sqlite3"));
        try (Database db = Database.open(file, clock)) {
            db.addJail("sshd");
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("fail2ban.sqlite3"), s.map(p -> p.getFileName().toString()).toList(), "nothing set aside");
        }
    }

    /** Current bans sorted by id: the store gives them in no particular order. */
    static List<BanRecord> sorted(List<BanRecord> bans) {
        List<BanRecord> s = new java.util.ArrayList<>(bans);
        s.sort(java.util.Comparator.comparing(BanRecord::id));
        return s;
    }

    static int version(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM fail2banDb")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    static boolean quickCheck(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            return rs.next() && "ok".equals(rs.getString(1));
        }
    }

    static List<String> rows(Path file, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    Object o = rs.getObject(i);
                    sb.append(o instanceof byte[] ? new String((byte[]) o) : String.valueOf(o)).append('|');
                }
                out.add(sb.toString());
            }
        }
        java.util.Collections.sort(out);
        return out;
    }
}
