package org.jfail2ban.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.jfail2ban.protocol.LevelNames;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerLogTest {

    @TempDir
    Path tmp;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00.123Z"), ZoneId.of("UTC"));

    @Test
    void linesHaveFail2bansLayout() throws Exception {
        ServerLog log = new ServerLog(clock, 4242);
        Path f = tmp.resolve("f2b.log");
        assertTrue(log.setTarget(f.toString()));
        log.logger("fail2ban.actions").notice("[%s] Ban %s", "sshd", "192.0.2.1");
        log.logger("fail2ban.filter").info("[sshd] Found 192.0.2.1 - 2026-11-22 10:00:00");
        log.logger("fail2ban.a.very.long.logger.name.indeed").error("x");
        log.logger("fail2ban.filter").debug("not shown at INFO");
        assertEquals("2026-11-22 10:00:00,123 fail2ban.actions        [4242]: NOTICE  [sshd] Ban 192.0.2.1\n"
                + "2026-11-22 10:00:00,123 fail2ban.filter         [4242]: INFO    [sshd] Found 192.0.2.1 - 2026-11-22 10:00:00\n"
                + "2026-11-22 10:00:00,123 fail2ban.a.very.long.logger.name.indeed[4242]: ERROR   x\n", Files.readString(f));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void aRecordIsOneLineWhateverItsTextHolds() throws Exception {
        ServerLog log = new ServerLog(clock, 4242);
        Path f = tmp.resolve("f2b.log");
        assertTrue(log.setTarget(f.toString()));
        // an action's error output that tries to forge a record recidive would count
        log.logger("fail2ban.actions").error("command failed: %s",
                "oops\n2026-11-22 10:00:00,123 fail2ban.actions        [1]: NOTICE  [sshd] Ban 203.0.113.66\r\nend");
        String text = Files.readString(f);
        assertEquals(1, text.lines().count(), text);
        assertEquals("2026-11-22 10:00:00,123 fail2ban.actions        [4242]: ERROR   command failed: oops\\n2026-11-22"
                + " 10:00:00,123 fail2ban.actions        [1]: NOTICE  [sshd] Ban 203.0.113.66\\r\\nend\n", text);
    }

    @Test
    void levelsByNameOrNumber() {
        ServerLog log = new ServerLog(clock, 1);
        log.setLevel("debug");
        assertEquals("DEBUG", log.levelName());
        assertEquals(LevelNames.DEBUG, log.level());
        log.setLevel("3");
        assertEquals(3, log.level());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.setLevel("bogus"));
        assertEquals("Invalid log level 'BOGUS'", e.getMessage());
        assertEquals("#04-Lev.", LevelNames.name(4));
        assertEquals("HEAVY", LevelNames.name(5));
        assertEquals("MSG", LevelNames.name(18));
    }

    @Test
    void flushReopensAMovedFileAndTargetsSwitchCleanly() throws Exception {
        ServerLog log = new ServerLog(clock, 1);
        Path f = tmp.resolve("f2b.log");
        assertTrue(log.setTarget(f.toString()));
        log.logger("fail2ban.server").info("before");
        Files.move(f, tmp.resolve("f2b.log.1"));
        assertEquals("rolled over", log.flush());
        log.logger("fail2ban.server").info("after");
        assertTrue(Files.readString(f).contains("after"));
        assertFalse(Files.readString(tmp.resolve("f2b.log.1")).contains("after"));

        Path g = tmp.resolve("other.log");
        assertTrue(log.setTarget(g.toString()));
        assertTrue(Files.readString(g).contains("INFO    Changed logging target to " + g));
        assertFalse(log.setTarget(tmp.resolve("no/such/dir.log").toString()));
        assertEquals(g.toString(), log.target());
        assertTrue(Files.readString(g).contains("ERROR   Unable to log to '" + tmp.resolve("no/such/dir.log") + "'"));
        assertFalse(log.setTarget("SYSLOG"), "no /dev/log socket here is a failure, not a crash");
    }

    @Test
    void syslogMessagesCarryFail2bansTagFacilityAndPriority() throws Exception {
        Path sock = tmp.resolve("log.sock");
        Path got = tmp.resolve("received");
        // a syslog daemon of our own: a datagram socket that writes down what arrives
        String py = "import socket\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(" + PyRepr.repr(sock.toString())
                + ")\nf=open(" + PyRepr.repr(got.toString()) + ",'ab',0)\nwhile True:\n    f.write(s.recv(65536)+b'\\n')\n";
        Process daemon = new ProcessBuilder(Oracle.python(), "-c", py).redirectErrorStream(true).start();
        try {
            assertTrue(Daemon.waitFor(java.time.Duration.ofSeconds(30), () -> Files.exists(sock)));
            ServerLog log = new ServerLog(clock, 4242);
            assertTrue(log.setSyslogSocket(sock.toString()));
            assertTrue(log.setTarget("SYSLOG[facility=AUTH]"));
            log.logger("fail2ban.actions").notice("[sshd] Ban 192.0.2.1");
            log.logger("fail2ban.jail").error("broken");
            log.close();
            assertTrue(Daemon.waitFor(java.time.Duration.ofSeconds(30), () -> Daemon.read(got).contains("broken")
                    && Daemon.read(got).contains("Ban 192.0.2.1")), Daemon.read(got));
            String text = Daemon.read(got);
            // AUTH (4) * 8 + notice (5) = 37; error (3) = 35. Each logger name has its own logger
            // process (its tag), so records of two names may arrive in either order
            assertTrue(text.matches("(?s)(.*\n)?<37>[^\n]*fail2ban\\.actions\\[4242\\]: NOTICE \\[sshd\\] Ban 192\\.0\\.2\\.1\n.*"), text);
            assertTrue(text.matches("(?s)(.*\n)?<35>[^\n]*fail2ban\\.jail\\[4242\\]: ERROR broken\n.*"), text);
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void aFormatOptionLaysLinesOutItsOwnWay() throws Exception {
        ServerLog log = new ServerLog(clock, 7);
        Path f = tmp.resolve("f.log");
        assertTrue(log.setTarget(f + "[format=%(levelname)s|%(name)s|%(message)s]"));
        log.logger("fail2ban.jail").warning("w");
        assertEquals("WARNING|fail2ban.jail|w\n", Files.readString(f));
    }

    @Test
    void optionSpecsParseAsFail2ban() {
        OptionSpec o = OptionSpec.parse("SYSLOG[facility=AUTH, format=\"%(message)s, x\", padding='0']");
        assertEquals("SYSLOG", o.name());
        assertEquals("AUTH", o.options().get("facility"));
        assertEquals("%(message)s, x", o.options().get("format"));
        assertEquals("0", o.options().get("padding"));
        assertEquals("polling", OptionSpec.parse("polling").name());
    }
}
