package org.jfail2ban.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfail2ban.source.JournalFiles;
import org.jfail2ban.source.JournalFiles.Entry;
import org.jfail2ban.testing.Jvm;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon on the systemd journal, as a sysadmin runs it: {@code fail2ban-client start} on our
 * shipped configuration, the shipped sshd jail and filter with
 * {@code backend = systemd[journalpath=DIR]} and an action that records to a file; the entries
 * are written to a real journal file in DIR by systemd-journal-remote, as sshd's would be (unit
 * ssh.service) or as anyone can forge them ({@code logger -t sshd} from a login session).
 */
class JournalDaemonTest {

    private static final String MATCHES = "_SYSTEMD_UNIT=ssh.service + _SYSTEMD_UNIT=sshd.service + _COMM=sshd";

    @TempDir
    Path tmp;

    private TestConf c;
    private Path journal;
    private long lastMicros;
    private int pid = 2000;

    @BeforeEach
    void needsTheJournalTools() {
        assumeTrue(JournalFiles.available(), "journalctl and systemd-journal-remote needed (scripts/install-deps)");
    }

    @AfterEach
    void stop() {
        if (c != null && Files.exists(c.socket)) {
            c.client("stop");
        }
    }

    /** The shipped sshd jail on the journal files of one directory, maxretry 3. */
    private void configure() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("journal"));
        journal = dir.resolve("remote.journal");
        c = TestConf.shipped(tmp, "[sshd]", "enabled = true", "backend = systemd[journalpath=" + dir + "]",
                "action = rec", "maxretry = 3", "findtime = 1h", "bantime = 1h");
    }

    private void start() {
        Proc.Result start = c.client("start");
        assertEquals(0, start.exit(), start.toString());
        assertEquals("Server ready\n", start.out());
    }

    private void await(String what, java.util.function.BooleanSupplier cond) {
        assertTrue(Jvm.waitFor(Duration.ofSeconds(90), cond), "timed out waiting for " + what + "\n" + c.log() + "\n"
                + c.actions() + "\n" + status());
    }

    private String status() {
        return c.client("status", "sshd").assertOk().out();
    }

    /** An entry logged now (each a microsecond after the one before). */
    private Entry now() {
        lastMicros = Math.max(lastMicros + 1, System.currentTimeMillis() * 1000);
        return Entry.at(lastMicros);
    }

    /** {@code n} failed logins of {@code ip} as sshd of ssh.service logs them. */
    private List<Entry> sshd(String ip, int n) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(sshd(now(), ip));
        }
        return out;
    }

    private Entry sshd(Entry e, String ip) {
        return e.set("_HOSTNAME", "srv").set("_SYSTEMD_UNIT", "ssh.service").set("_COMM", "sshd").set("SYSLOG_IDENTIFIER", "sshd")
                .set("_PID", Integer.toString(pid++)).set("MESSAGE", "Failed password for root from " + ip + " port 22 ssh2");
    }

    /** The same lines, forged by {@code logger -t sshd} in a login session: outside the journalmatch. */
    private List<Entry> forged(String ip, int n) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(now().set("_HOSTNAME", "srv").set("_SYSTEMD_UNIT", "session-7.scope").set("_COMM", "logger").set("SYSLOG_IDENTIFIER", "sshd")
                    .set("SYSLOG_PID", "4242").set("_PID", Integer.toString(pid++))
                    .set("MESSAGE", "Failed password for root from " + ip + " port 22 ssh2"));
        }
        return out;
    }

    @SafeVarargs
    private void log(List<Entry>... batches) throws Exception {
        List<Entry> all = new ArrayList<>();
        for (List<Entry> b : batches) {
            all.addAll(b);
        }
        JournalFiles.write(journal, all);
    }

    private static int count(String haystack, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(haystack);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void bansAfterMaxretryAndSeesNothingOutsideTheJournalmatch() throws Exception {
        configure();
        // failures of two hours ago, before the start: outside findtime (1h), never read
        long twoHoursAgo = (System.currentTimeMillis() - 7_200_000) * 1000;
        List<Entry> old = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            old.add(sshd(Entry.at(twoHoursAgo + i), "192.0.2.50"));
        }
        log(old);
        start();
        // forged lines first: were they read, 192.0.2.66 would be banned and the total be 6
        log(forged("192.0.2.66", 4), sshd("192.0.2.10", 2));
        await("two failures of .10", () -> status().contains("Total failed:\t2\n"));
        assertEquals("start\n", c.actions(), "no ban below maxretry");
        log(sshd("192.0.2.10", 1));
        await("the ban of .10", () -> c.actions().contains("ban 192.0.2.10\n"));
        assertEquals("Status for the jail: sshd\n"
                + "|- Filter\n"
                + "|  |- Currently failed:\t0\n"
                + "|  |- Total failed:\t3\n"
                + "|  `- Journal matches:\t" + MATCHES + "\n"
                + "`- Actions\n"
                + "   |- Currently banned:\t1\n"
                + "   |- Total banned:\t1\n"
                + "   `- Banned IP list:\t192.0.2.10\n", status());
        assertTrue(c.log().contains("[sshd] Found 192.0.2.10"), c.log());
        assertFalse(c.log().contains("192.0.2.66"), "the forged entries never reached the jail:\n" + c.log());
        assertFalse(c.log().contains("192.0.2.50"), "entries older than findtime are not read at the start:\n" + c.log());

        // a match added at run time lets the forged ones in: the filter would have taken them
        c.client("set", "sshd", "addjournalmatch", "SYSLOG_IDENTIFIER=sshd").assertOk();
        assertTrue(c.client("get", "sshd", "journalmatch").assertOk().out().contains("SYSLOG_IDENTIFIER=sshd"));
        assertTrue(status().contains("Journal matches:\t" + MATCHES + " + SYSLOG_IDENTIFIER=sshd\n"), status());
        log(forged("192.0.2.67", 3));
        await("the ban of .67", () -> c.actions().contains("ban 192.0.2.67\n"));

        // and removed again, it keeps them out; entries read before are not read again
        c.client("set", "sshd", "deljournalmatch", "SYSLOG_IDENTIFIER=sshd").assertOk();
        assertTrue(status().contains("Journal matches:\t" + MATCHES + "\n"), status());
        log(forged("192.0.2.68", 3), sshd("192.0.2.11", 3));
        await("the ban of .11", () -> c.actions().contains("ban 192.0.2.11\n"));
        assertEquals("start\nban 192.0.2.10\nban 192.0.2.67\nban 192.0.2.11\n", c.actions());
        assertTrue(status().contains("Total failed:\t9\n"), status());
    }

    @Test
    void aRestartReadsNoEntryTwice() throws Exception {
        configure();
        start();
        log(sshd("192.0.2.20", 2), sshd("192.0.2.30", 2), sshd("192.0.2.40", 3));
        await("the ban of .40", () -> c.actions().contains("ban 192.0.2.40\n"));
        await("seven failures", () -> status().contains("Total failed:\t7\n"));

        assertEquals("Shutdown successful\n", c.client("stop").assertOk().out());
        start();
        // .20: two before the restart and two after; .30: two before and none after; .99 marks the
        // point up to which the journal has been read
        log(sshd("192.0.2.20", 2), sshd("192.0.2.99", 1));
        await("the ban of .20", () -> c.actions().contains("ban 192.0.2.20\n"));
        await("the marker", () -> c.log().contains("[sshd] Found 192.0.2.99"));
        String st = status();
        assertTrue(st.contains("Total failed:\t3\n"), "only the three entries written after the restart were read: " + st);
        // .30 (its two failures kept in the database), .99, and .20 once more after its ban
        assertTrue(st.contains("Currently failed:\t3\n"), st);
        assertEquals(List.of("192.0.2.20", "192.0.2.40"), TestConf.bannedIn(st).stream().sorted().toList(), st);
        String log = c.log();
        assertEquals(1, count(log, "[sshd] Ban 192.0.2.40\n"), log);
        assertEquals(1, count(log, "[sshd] Restore Ban 192.0.2.40\n"), log);
        assertEquals(0, count(log, "Ban 192.0.2.30"), log);
        assertEquals(2, count(log, "[sshd] Found 192.0.2.30"), "the two failures of .30 were read once: " + log);
    }

    @Test
    void backendAutoWithoutALogFileReadsTheJournalWithTheFiltersMatches() throws Exception {
        // Debian 12 without rsyslog: no auth.log; the shipped jail (backend auto) reads the system
        // journal instead. Read only: the test writes nothing to this machine's journal.
        Path missing = tmp.resolve("no-such-dir/auth.log");
        c = TestConf.shipped(tmp, "[sshd]", "enabled = true", "logpath = " + missing, "action = rec");
        Proc.Result start = c.client("start");
        assertEquals(0, start.exit(), start.toString());
        assertTrue(status().contains("`- Journal matches:\t" + MATCHES + "\n"), status());
        assertTrue(c.log().contains("Initiated 'systemd' backend"), c.log());
    }
}
