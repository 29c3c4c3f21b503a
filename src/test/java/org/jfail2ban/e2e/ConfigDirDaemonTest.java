package org.jfail2ban.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jfail2ban.testing.Jvm;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a sysadmin runs it: {@code fail2ban-client -c DIR start}, failures in the log,
 * a ban, the status trees, changes at run time, a reload, a restart of the daemon that gives the
 * bans (and the failures counted so far) back from the database, and a stop.
 */
class ConfigDirDaemonTest {

    @TempDir
    Path tmp;

    private TestConf c;

    @AfterEach
    void stop() {
        if (c != null && Files.exists(c.socket)) {
            c.client("stop");
        }
    }

    private void await(String what, java.util.function.BooleanSupplier cond) {
        assertTrue(Jvm.waitFor(Duration.ofSeconds(90), cond), "timed out waiting for " + what + "\n" + c.log() + "\n" + c.actions());
    }

    private String status() {
        return c.client("status", "test").assertOk().out();
    }

    @Test
    void startBanStatusChangesReloadRestartAndStop() throws Exception {
        c = TestConf.create(tmp);
        Proc.Result start = c.client("start");
        assertEquals(0, start.exit(), start.toString());
        assertEquals("Server ready\n", start.out());
        assertTrue(c.client("start").err().contains("Server already running"));

        c.fail("203.0.113.1", 3);
        await("the ban", () -> c.actions().contains("ban 203.0.113.1\n"));
        assertEquals("Status\n|- Number of jail:\t1\n`- Jail list:\ttest\n", c.client("status").assertOk().out());
        assertEquals("Status for the jail: test\n"
                + "|- Filter\n"
                + "|  |- Currently failed:\t0\n"
                + "|  |- Total failed:\t3\n"
                + "|  `- File list:\t" + c.auth + "\n"
                + "`- Actions\n"
                + "   |- Currently banned:\t1\n"
                + "   |- Total banned:\t1\n"
                + "   `- Banned IP list:\t203.0.113.1\n", status());

        // maxretry changes at once: two failures are below 3, the third of 2 counts
        c.fail("203.0.113.2", 2);
        await("two failures of .2", () -> status().contains("Currently failed:\t1"));
        assertEquals("2\n", c.client("set", "test", "maxretry", "2").assertOk().out());
        c.fail("203.0.113.2", 1);
        await("the ban of .2", () -> c.actions().contains("ban 203.0.113.2\n"));

        assertEquals("1\n", c.client("set", "test", "unbanip", "203.0.113.1").assertOk().out());
        assertTrue(c.actions().contains("unban 203.0.113.1\n"), c.actions());

        // reload keeps the bans, and the configuration's maxretry again
        assertEquals("OK\n", c.client("reload").assertOk().out());
        assertEquals(List.of("203.0.113.2"), TestConf.bannedIn(status()));
        assertFalse(c.actions().contains("unban 203.0.113.2"), c.actions());
        assertEquals("3\n", c.client("get", "test", "maxretry").assertOk().out());

        // two failures of .3 before a restart of the daemon, one after: counted across it
        c.fail("203.0.113.3", 2);
        await("two failures of .3", () -> status().contains("Currently failed:\t1"));
        Proc.Result restart = c.client("restart");
        assertEquals(0, restart.exit(), restart.toString());
        assertTrue(c.actions().contains("unban 203.0.113.2\nstop\nstart\n"), "the stop lifts the ban in the action:\n"
                + c.actions());
        await("the restored ban", () -> c.actions().endsWith("start\nban 203.0.113.2\n"));
        assertTrue(c.log().contains("NOTICE  [test] Restore Ban 203.0.113.2"), c.log());
        assertEquals(List.of("203.0.113.2"), TestConf.bannedIn(status()));
        assertTrue(status().contains("Currently failed:\t1\n"), "the failures of .3 came back: " + status());
        assertFalse(c.actions().contains("ban 203.0.113.3"));
        c.fail("203.0.113.3", 1);
        await("the ban of .3 after the restart", () -> c.actions().contains("ban 203.0.113.3\n"));
        assertTrue(status().contains("Total failed:\t1\n"), "the lines read before the restart are not read again: " + status());
        // what the store and the log sources say goes to the server's own log
        assertTrue(c.log().contains("fail2ban.database       [") && c.log().contains("Connected to database " + c.db), c.log());

        Proc.Result stop = c.client("stop");
        assertEquals("Shutdown successful\n", stop.out());
        assertFalse(Files.exists(c.socket));
        assertFalse(Files.exists(c.pidfile));
        assertTrue(c.actions().endsWith("stop\n"), c.actions());
    }
}
