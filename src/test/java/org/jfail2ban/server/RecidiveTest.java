package org.jfail2ban.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeds 002 and 004: a recidive jail reads the server's own log, and three bans of one address
 * by sshd there bring a ban by recidive.
 */
class RecidiveTest {

    @TempDir
    Path tmp;

    @Test
    void threeBansBySshdInOurOwnLogBringARecidiveBan() throws Exception {
        Path auth = Files.createFile(tmp.resolve("auth.log"));
        Path rec = tmp.resolve("recidive.txt");
        try (Daemon d = Daemon.start(tmp)) {
            d.ok("add", "sshd", "auto");
            d.ok("set", "sshd", "addlogpath", auth.toString());
            d.ok("set", "sshd", "addfailregex", "Failed password for \\S+ from <HOST>");
            d.ok("set", "sshd", "maxretry", 1L);
            d.ok("start", "sshd");
            d.ok("add", "recidive", "auto");
            d.ok("set", "recidive", "addlogpath", d.log.toString());
            // a simple recidive filter: sshd's Ban lines in the server's log (the shipped one comes with the configuration)
            d.ok("set", "recidive", "addfailregex", "fail2ban\\.actions\\s+\\[\\d+\\]: NOTICE\\s+\\[sshd\\] Ban <HOST>$");
            d.ok("set", "recidive", "maxretry", 3L);
            d.ok("set", "recidive", "findtime", "1d");
            d.ok("set", "recidive", "bantime", "1w");
            d.ok("set", "recidive", "addaction", "rec");
            d.ok("set", "recidive", "action", "rec", "actionban", "echo recidive ban <ip> >> " + rec);
            d.ok("start", "recidive");
            for (int round = 1; round <= 3; round++) {
                DaemonProcessTest.appendFailures(auth, "192.0.2.77", 1);
                int expected = round;
                d.await("sshd ban " + round, () -> Daemon.read(d.log).split("\\[sshd\\] Ban 192\\.0\\.2\\.77\n", -1).length - 1 == expected);
                if (round < 3) {
                    assertEquals(List.of(), d.ok("get", "recidive", "banned"));
                    d.ok("set", "sshd", "unbanip", "192.0.2.77");
                }
            }
            d.await("the recidive ban", () -> Daemon.read(rec).contains("recidive ban 192.0.2.77"));
            Proc.Result r = d.client("status", "recidive").assertOk();
            assertTrue(r.out().contains("|  |- Total failed:\t3\n|  `- File list:\t" + d.log + "\n")
                    && r.out().endsWith("   `- Banned IP list:\t192.0.2.77\n"), r.out());
            assertEquals("[['sshd', 'recidive']]\n", d.client("banned", "192.0.2.77").assertOk().out());
            assertTrue(d.logText().contains("NOTICE  [recidive] Ban 192.0.2.77"));
        }
    }
}
