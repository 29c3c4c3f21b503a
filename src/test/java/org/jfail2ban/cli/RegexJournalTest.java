package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfail2ban.source.JournalFiles;
import org.jfail2ban.source.JournalFiles.Entry;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fail2ban-regex systemd-journal[journalfiles=...]}: a real journal file (written by
 * systemd-journal-remote) read through journalctl, entries formatted as the systemd backend
 * formats them, with their own times, the filter's journalmatch or {@code -m}, and the stock
 * sshd filter read with {@code logtype = journal}. (The Python tool needs python-systemd, which
 * the oracle does not have; the lines and times are fail2ban's by construction.)
 */
class RegexJournalTest {

    /** 2005-08-14 10:00:00 UTC, and a fraction of a second. */
    private static final long T0 = 1124013600L;

    @TempDir
    Path tmp;
    private Path journal;

    @BeforeEach
    void writeJournal() throws Exception {
        assumeTrue(JournalFiles.available(), "journalctl and systemd-journal-remote needed");
        journal = tmp.resolve("test.journal");
        JournalFiles.write(journal, List.of(
                entry(1, 0, 250_000, "ssh.service", "sshd", "Failed password for invalid user admin from 192.0.2.1 port 4242 ssh2"),
                entry(2, 1, 0, "cron.service", "CRON", "pam_unix(cron:session): session opened for user root"),
                entry(3, 2, 0, "ssh.service", "sshd", "Server listening on 0.0.0.0 port 22."),
                entry(4, 3, 500_000, "ssh.service", "sshd", "Failed password for root from 2001:db8::7 port 4244 ssh2")));
    }

    /** The {@code n}th entry, of PID 100 + n, logged {@code second} and {@code micros} after T0. */
    private static Entry entry(int n, int second, int micros, String unit, String ident, String message) {
        return Entry.at((T0 + second) * 1_000_000 + micros).set("_HOSTNAME", "srv").set("_SYSTEMD_UNIT", unit)
                .set("_COMM", ident.toLowerCase(Locale.ROOT)).set("SYSLOG_IDENTIFIER", ident)
                .set("_PID", Integer.toString(100 + n)).set("MESSAGE", message);
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = RegexMain.run(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, rc, "exit status; output: " + out + err);
        return out.toString();
    }

    /** Python's datetime.isoformat() of the local time, as fail2ban puts it before a journal line. */
    private static String iso(long second, int micros) {
        String s = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
                .format(LocalDateTime.ofInstant(Instant.ofEpochSecond(T0 + second), ZoneId.systemDefault()));
        return micros == 0 ? s : s + String.format(".%06d", micros);
    }

    @Test
    void theStockSshdFilterOnJournalEntries() {
        String log = "systemd-journal[journalfiles=" + journal + "]";
        String etc = Oracle.etc().toString();
        assertEquals(List.of(
                "192.0.2.1|" + (T0) + ".25|admin|192.0.2.1",
                "2001:db8::7|" + (T0 + 3) + ".5|root|2001:db8::7"),
                lines(run("-c", etc, "-o", "<fid>|<time>|<F-USER>|<ip>", log, "sshd")));
        assertEquals(List.of(iso(0, 250_000) + " srv sshd[101]: Failed password for invalid user admin from 192.0.2.1 port 4242 ssh2"),
                lines(run("-c", etc, "-o", "msg", log, "sshd")).subList(0, 1), "the lines of a failure carry the entry's time");

        String report = run("-c", etc, log, "sshd");
        assertTrue(report.contains("Use         systemd journal\nUse         encoding : UTF-8\n"
                + "Use    journal match : _SYSTEMD_UNIT=sshd.service + _COMM=sshd\n"), report);
        assertTrue(report.contains("Lines: 3 lines, 0 ignored, 2 matched, 1 missed"), "the filter's journalmatch leaves cron out: " + report);
        assertTrue(report.contains("|  " + iso(2, 0) + " srv sshd[103]: Server listening on 0.0.0.0 port 22."), report);

        String plain = run(log, "Failed password for .* from <HOST>");
        assertTrue(plain.contains("Lines: 4 lines, 0 ignored, 2 matched, 2 missed"), "no journal match: all entries; " + plain);
        assertTrue(!plain.contains("Date template hits:"), "entries come with their time: no date detector; " + plain);

        String inLog = run("systemd-journal[journalfiles=" + journal + ", journalmatch=\"_SYSTEMD_UNIT=cron.service + _PID=103\"]",
                "listening on <HOST>");
        assertTrue(inLog.contains("Lines: 2 lines, 0 ignored, 1 matched, 1 missed"), "matches given with the LOG: " + inLog);
        assertTrue(inLog.contains("|  " + iso(1, 0) + " srv CRON[102]: pam_unix(cron:session): session opened for user root"), inLog);

        String m = run("-c", etc, "-m", "_SYSTEMD_UNIT=cron.service", log, "sshd");
        assertTrue(m.contains("Use    journal match : _SYSTEMD_UNIT=cron.service\n"), m);
        assertTrue(m.contains("Lines: 1 lines, 0 ignored, 0 matched, 1 missed"), "-m replaces the filter's match: " + m);
        assertTrue(m.contains("|  " + iso(1, 0) + " srv CRON[102]: pam_unix(cron:session): session opened for user root"), m);
    }

    @Test
    void badBackendOptionsAreReported() throws IOException {
        StringWriter out = new StringWriter();
        int rc = RegexMain.run(new String[] {"systemd-journal[nosuchoption=1]", "from <HOST>"}, new PrintWriter(out),
                new PrintWriter(new StringWriter()));
        assertEquals(255, rc);
        assertTrue(out.toString().contains("ERROR: unknown option of backend systemd: nosuchoption"), out.toString());
    }

    private static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        for (String l : s.split("\n")) {
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }
}
