package org.jfail2ban.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jfail2ban.source.FilePosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of commits: every step acknowledged before the kill is in the file, and
 * every step is there whole or not at all (its failure record, its ban, its log position).
 */
class CrashTest {

    @TempDir
    Path dir;

    @Test
    void killedWritersLoseNothingAcknowledgedAndLeaveNoHalfStep() throws Exception {
        Path file = dir.resolve("fail2ban.sqlite3");
        Random random = new Random(6);
        long acknowledged = 0;
        for (int round = 0; round < 6; round++) {
            Process p = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), file.toString()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertEquals("start " + acknowledged, first, "resumes at the last acknowledged step or later");
            long stopAfter = acknowledged + 20 + random.nextInt(400);
            String line;
            long last = acknowledged;
            while ((line = out.readLine()) != null) {
                last = Long.parseLong(line);
                if (last >= stopAfter) {
                    break;
                }
            }
            // SIGKILL: no close, no checkpoint (through the handle: Process.destroy would close our pipe)
            p.toHandle().destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            // lines printed after the one we stopped reading at were acknowledged too
            while ((line = out.readLine()) != null) {
                last = Long.parseLong(line);
            }
            acknowledged = check(file, last);
        }
        assertTrue(acknowledged > 100);
    }

    /** Checks the file holds whole steps 1..K with K >= last acknowledged; returns K. */
    private static long check(Path file, long lastAcknowledged) {
        try (Database db = Database.open(file, Clock.systemUTC())) {
            long k = db.logPosition("sshd", "/var/log/auth.log").map(FilePosition::offset).orElse(0L);
            assertTrue(k >= lastAcknowledged, "position " + k + " < acknowledged " + lastAcknowledged);
            List<FailureRecord> failures = db.failures("sshd", Instant.EPOCH);
            long newest = failures.stream().mapToLong(FailureRecord::retry).max().orElse(0);
            assertEquals(k, newest, "the newest failure record is the position's step");
            for (FailureRecord f : failures) {
                long step = f.retry();
                assertEquals("192.0.2." + (step % 50), f.id());
                assertTrue(step > k - 50, "each id holds its latest step");
            }
            List<BanRecord> bans = db.currentBans("sshd", Instant.now(), 600, -1);
            assertEquals(k / 7, bans.size(), "one ban per seventh step up to the position, no more");
            return k;
        }
    }
}
