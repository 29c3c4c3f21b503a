package org.jfail2ban.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * One configuration, one database file, two servers one after the other: the Python fail2ban
 * 1.0.2 of the oracle and ours. Each gives back every ban the other wrote (its action is told
 * them again) and goes on reading the log where the other stopped.
 */
class ServerInterchangeTest {

    private static final List<String> ADDRESSES = List.of("198.51.100.11", "198.51.100.12", "2001:db8::13", "203.0.113.14");

    @TempDir
    Path tmp;

    private TestConf c;

    @AfterEach
    void stopWhateverRuns() {
        if (c != null && Files.exists(c.socket)) {
            if (c.client("stop").exit() != 0) {
                c.pythonClient("stop");
            }
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier cond, TestConf c) {
        assertTrue(Jvm.waitFor(Duration.ofSeconds(90), cond), "timed out waiting for " + what + "\n" + c.log() + "\n" + c.actions());
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }

    private void failAll() throws Exception {
        for (String ip : ADDRESSES) {
            c.fail(ip, 3);
        }
        c.fail("198.51.100.99", 1);
    }

    @Test
    void bansOfThePythonServerAreRestoredByOursWhichReadsOnWhereItStopped() throws Exception {
        c = TestConf.create(tmp, "backend = polling");
        c.pythonClient("start").assertOk();
        failAll();
        await("the Python server's bans", () -> TestConf.bannedIn(c.pythonClient("status", "test").out()).size() == ADDRESSES.size(), c);
        c.pythonClient("stop").assertOk();
        assertTrue(Jvm.waitFor(Duration.ofSeconds(60), () -> !Files.exists(c.socket)));
        Files.writeString(c.rec, "");

        Proc.Result start = c.client("start");
        assertEquals(0, start.exit(), start.toString());
        await("our restored bans", () -> c.actions().split("\nban ", -1).length - 1 == ADDRESSES.size(), c);
        String status = c.client("status", "test").assertOk().out();
        assertEquals(sorted(ADDRESSES), sorted(TestConf.bannedIn(status)), status);
        assertTrue(status.contains("Total failed:\t0\n"), "the lines the Python server read are not read again: " + status);
        for (String ip : ADDRESSES) {
            assertTrue(c.log().contains("NOTICE  [test] Restore Ban " + ip), c.log());
        }
        c.fail("198.51.100.98", 3);
        await("a new ban by ours", () -> c.actions().contains("ban 198.51.100.98\n"), c);
        assertTrue(c.client("status", "test").out().contains("Total failed:\t3\n"));
    }

    @Test
    void bansOfOurServerAreRestoredByThePythonServer() throws Exception {
        c = TestConf.create(tmp, "backend = polling");
        c.client("start").assertOk();
        failAll();
        await("our bans", () -> TestConf.bannedIn(c.client("status", "test").out()).size() == ADDRESSES.size(), c);
        c.client("stop").assertOk();
        Files.writeString(c.rec, "");

        c.pythonClient("start").assertOk();
        await("the Python server's restored bans",
                () -> TestConf.bannedIn(c.pythonClient("status", "test").out()).size() == ADDRESSES.size(), c);
        String status = c.pythonClient("status", "test").assertOk().out();
        assertEquals(sorted(ADDRESSES), sorted(TestConf.bannedIn(status)), status);
        assertTrue(status.contains("Total failed:\t0\n"), "the Python server goes on where ours stopped: " + status);
        for (String ip : ADDRESSES) {
            assertTrue(c.actions().contains("ban " + ip + "\n"), c.actions());
        }
        c.pythonClient("stop").assertOk();
    }
}
