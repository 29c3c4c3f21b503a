package org.jfail2ban.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python fail2ban server itself, with an action that only records what it is told: the
 * bans it wrote are all restored by us, and the bans we wrote are restored by it.
 */
class PythonServerInterchangeTest {

    @TempDir
    Path dir;

    private Path conf;

    private void configure(Path db) throws Exception {
        conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(conf.resolve("filter.d"));
        Files.createDirectories(conf.resolve("action.d"));
        Files.writeString(conf.resolve("fail2ban.conf"), String.join("\n",
                "[Definition]", "loglevel = INFO", "logtarget = " + dir.resolve("server.log"),
                "socket = " + dir.resolve("f2b.sock"), "pidfile = " + dir.resolve("f2b.pid"),
                "dbfile = " + db, "dbpurgeage = 1d", ""));
        Files.writeString(conf.resolve("jail.conf"), String.join("\n",
                "[test]", "enabled = true", "filter = test", "action = record", "logpath = " + dir.resolve("auth.log"),
                "backend = polling", "maxretry = 2", "findtime = 1h", "bantime = 1h", "datepattern = {NONE}", ""));
        Files.writeString(conf.resolve("filter.d/test.conf"), "[Definition]\nfailregex = ^Failed login for \\S+ from <HOST>$\n");
        Files.writeString(conf.resolve("action.d/record.conf"), "[Definition]\nactionban = echo ban <ip> >> "
                + dir.resolve("actions.txt") + "\nactionunban = echo unban <ip> >> " + dir.resolve("actions.txt") + "\n");
        Files.writeString(dir.resolve("auth.log"), "");
    }

    private Proc.Result client(String... args) {
        List<String> a = new ArrayList<>(List.of("-c", conf.toString()));
        a.addAll(List.of(args));
        return Oracle.run("fail2ban-client", a, dir, java.util.Map.of(), null, 60);
    }

    private String bannedList() {
        Proc.Result r = client("status", "test");
        for (String line : r.out().split("\n")) {
            if (line.contains("Banned IP list:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "";
    }

    private String waitForBanned(int count) throws InterruptedException {
        String banned = "";
        for (int i = 0; i < 150; i++) {
            banned = bannedList();
            if (!banned.isEmpty() && banned.split("\\s+").length >= count) {
                return banned;
            }
            Thread.sleep(200);
        }
        return banned;
    }

    private void stop() {
        Proc.Result r = client("stop");
        if (r.exit() != 0) {
            // the server we started did not answer: end it by its own pid
            try {
                long pid = Long.parseLong(Files.readString(dir.resolve("f2b.pid")).trim());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            } catch (Exception e) {
                // nothing started
            }
        }
    }

    @Test
    void bansOfThePythonServerAreAllRestoredByUs() throws Exception {
        Path db = dir.resolve("fail2ban.sqlite3");
        configure(db);
        client("start").assertOk();
        try {
            Thread.sleep(1500);
            StringBuilder lines = new StringBuilder();
            for (int i = 1; i <= 6; i++) {
                lines.append("Failed login for root from 198.51.100.").append(i).append('\n');
                lines.append("Failed login for admin from 198.51.100.").append(i).append('\n');
            }
            Files.writeString(dir.resolve("auth.log"), lines, StandardOpenOption.APPEND);
            assertEquals(6, waitForBanned(6).split("\\s+").length, Files.readString(dir.resolve("server.log")));
        } finally {
            stop();
        }
        try (Database ours = Database.open(db, Clock.systemUTC())) {
            List<BanRecord> bans = ours.currentBans("test", Instant.now(), 3600, 3600);
            assertEquals(6, bans.size(), bans.toString());
            for (BanRecord b : bans) {
                assertTrue(b.id().startsWith("198.51.100."), b.id());
                assertEquals(3600, b.banTime());
                assertEquals(1, b.banCount());
                assertEquals(2, b.data().failures());
                assertEquals(List.of("Failed login for root from " + b.id(), "Failed login for admin from " + b.id()),
                        b.data().matches());
            }
            assertTrue(ours.logPosition("test", dir.resolve("auth.log").toString()).isPresent(),
                    "the Python server kept its log position");
        }
    }

    @Test
    void bansWeWroteAreRestoredByThePythonServer() throws Exception {
        Path db = dir.resolve("fail2ban.sqlite3");
        configure(db);
        Instant now = Instant.now();
        try (Database ours = Database.open(db, Clock.systemUTC())) {
            ours.addJail("test");
            ours.addBans(List.of(
                    new BanRecord("test", "203.0.113.1", now.minusSeconds(60), 3600, 1, BanData.of(2, List.of("a", "b"))),
                    new BanRecord("test", "2001:db8::5", now.minusSeconds(10), 3600, 1, BanData.of(2, List.of("c", "d"))),
                    new BanRecord("test", "203.0.113.2", now.minusSeconds(120), -1, 3, BanData.of(5, List.of("e"))),
                    new BanRecord("test", "203.0.113.3", now.minusSeconds(7200), 3600, 1, BanData.of(2, List.of("ended")))));
        }
        client("start").assertOk();
        try {
            String banned = waitForBanned(3);
            assertEquals(List.of("2001:db8::5", "203.0.113.1", "203.0.113.2"),
                    java.util.Arrays.stream(banned.split("\\s+")).sorted().toList(), Files.readString(dir.resolve("server.log")));
            String log = Files.readString(dir.resolve("server.log"));
            assertTrue(log.contains("Restore Ban 203.0.113.1"), log);
            assertTrue(!log.contains("New database created") && !log.contains("epair"), log);
        } finally {
            stop();
        }
        List<String> actions = Files.readAllLines(dir.resolve("actions.txt"));
        assertTrue(actions.containsAll(List.of("ban 203.0.113.1", "ban 2001:db8::5", "ban 203.0.113.2")), actions.toString());
        assertTrue(!actions.contains("ban 203.0.113.3"), "the ended ban is not restored");
    }
}
