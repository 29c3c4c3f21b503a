package org.jfail2ban.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfail2ban.testing.Jvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the daemon at random moments while a writer appends failure lines of many
 * addresses, some reaching maxretry and some staying below; the daemon is started again each
 * time. In the end every ban that was logged is in force again (in the action's view: its
 * {@code actionstart} empties the file, so the file holds what the last run banned), the
 * addresses that reached maxretry across the crashes are banned and none below it, and every
 * line was counted exactly once (the database's failure counts equal the lines written).
 */
class DaemonCrashTest {

    private static final int MAXRETRY = 5;
    private static final int KILLS = 22;
    private static final Pattern BAN = Pattern.compile("NOTICE  \\[test\\] (?:Restore )?Ban (\\S+)");

    @TempDir
    Path tmp;

    private TestConf c;

    @Test
    void everyLoggedBanIsBackAndEveryLineCountsOnce() throws Exception {
        c = TestConf.create(tmp, "maxretry = " + MAXRETRY, "findtime = 1d", "bantime = 1d", "action = fresh");
        Path rec = c.rec;
        c.write("action.d/fresh.conf", "[Definition]", "actionstart = : > " + rec, "actionban = echo ban <ip> >> " + rec,
                "actionunban = echo unban <ip> >> " + rec);
        Random random = new Random(20261123);
        Map<String, Integer> lines = new TreeMap<>();
        List<String> stream = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            String ip = (i < 65 ? "198.51.100." : "203.0.113.") + (1 + i % 65 * 3);
            int n = 1 + random.nextInt(2 * MAXRETRY - 1);
            lines.put(ip, n);
            for (int k = 0; k < n; k++) {
                stream.add(ip);
            }
        }
        Collections.shuffle(stream, random);
        Thread writer = new Thread(() -> write(stream, random.nextLong()), "writer");
        writer.start();

        int kills = 0;
        int killedWhileServing = 0;
        while (kills < KILLS || writer.isAlive()) {
            Process p = start();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(2500));
            boolean served = false;
            while (System.nanoTime() < until && p.isAlive()) {
                served |= answers();
                Thread.sleep(25);
            }
            assertTrue(p.isAlive(), "the server died by itself:\n" + TestConf.read(tmp.resolve("server.err")));
            p.toHandle().destroyForcibly();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            kills++;
            killedWhileServing += served ? 1 : 0;
        }
        writer.join();
        assertTrue(killedWhileServing >= KILLS / 2, "most kills hit a running server: " + killedWhileServing);

        // what the last run gives its action, from nothing
        Files.deleteIfExists(rec);
        Process last = start();
        try {
            long size = Files.size(c.auth);
            assertTrue(Jvm.waitFor(Duration.ofMinutes(3), () -> position() == size), "the log is read to its end");
            Set<String> expected = new TreeSet<>();
            lines.forEach((ip, n) -> {
                if (n >= MAXRETRY) {
                    expected.add(ip);
                }
            });
            assertTrue(Jvm.waitFor(Duration.ofMinutes(1), () -> inForce().equals(expected)
                    && c.client("status", "test").out().contains("Currently banned:\t" + expected.size() + "\n")),
                    "in force " + inForce() + " expected " + expected);
            Set<String> logged = new TreeSet<>();
            Matcher m = BAN.matcher(c.log());
            while (m.find()) {
                logged.add(m.group(1));
            }
            assertEquals(expected, logged, "every ban logged is one that should be, and each is in force again:\n"
                    + c.log().substring(Math.max(0, c.log().length() - 3000)));
            String status = c.client("status", "test").assertOk().out();
            assertEquals(expected, new TreeSet<>(TestConf.bannedIn(status)), status);
            // exactly once: the counts kept equal the lines written (after the ban, what came after it)
            Map<String, Integer> counted = failureCounts();
            for (Map.Entry<String, Integer> e : lines.entrySet()) {
                int left = e.getValue() >= MAXRETRY ? e.getValue() - MAXRETRY : e.getValue();
                assertEquals(left, counted.getOrDefault(e.getKey(), 0), "failures of " + e.getKey() + " written "
                        + e.getValue());
            }
            assertEquals(expected.size(), count("SELECT count(*) FROM bans WHERE jail = 'test'"), "one ban per address");
        } finally {
            c.client("stop");
            last.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** fail2ban-server in the foreground, as the service runs it; -x takes over the socket a kill left. */
    private Process start() throws IOException {
        return new ProcessBuilder(Jvm.command("org.jfail2ban.cli.ServerMain", "-f", "-x", "-c", c.conf.toString(), "start"))
                .directory(tmp.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("server.out").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("server.err").toFile()))
                .start();
    }

    private boolean answers() {
        try (org.jfail2ban.protocol.Connection conn = org.jfail2ban.protocol.Connection.open(c.socket, 200)) {
            return conn.send(List.of("ping")).isOk();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** One line at a time, 20 to 60 ms apart, each flushed whole. */
    private void write(List<String> stream, long seed) {
        Random r = new Random(seed);
        try (OutputStream out = new FileOutputStream(c.auth.toFile(), true)) {
            for (String ip : stream) {
                out.write(TestConf.line(ip).getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(20 + r.nextInt(40));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The addresses the action holds: banned since its last start and not unbanned. */
    private Set<String> inForce() {
        Set<String> held = new TreeSet<>();
        for (String l : c.actions().split("\n")) {
            if (l.startsWith("ban ")) {
                held.add(l.substring(4));
            } else if (l.startsWith("unban ")) {
                held.remove(l.substring(6));
            }
        }
        return held;
    }

    private Connection db() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + c.db);
    }

    private long position() {
        return count("SELECT coalesce(max(lastfilepos), -1) FROM logs WHERE jail = 'test'");
    }

    private long count(String sql) {
        try (Connection conn = db(); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            return -1;
        }
    }

    private Map<String, Integer> failureCounts() throws SQLException {
        Map<String, Integer> out = new TreeMap<>();
        try (Connection conn = db(); Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT ip, retry FROM jf2b_failures WHERE jail = 'test'")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
        }
        return out;
    }
}
