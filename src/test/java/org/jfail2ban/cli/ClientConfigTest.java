package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fail2ban-client -c DIR -d|--dp|-t}: what reaches stdout, the warnings on stderr and the
 * exit status are the Python client's for the same directory.
 */
class ClientConfigTest {

    @TempDir
    Path tmp;

    /** Output, stderr and status of one run of our client in this JVM. */
    private record Run(int exit, String out, String err) {
    }

    private static Run ours(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new ClientMain("fail2ban-client", new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The log lines without their time and pid: "fail2ban.jailreader     WARNING Have not found ...". */
    private static List<String> logLines(String err) {
        List<String> out = new ArrayList<>();
        for (String l : err.split("\n")) {
            if (l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} .*")) {
                out.add(l.substring(24).replaceFirst("\\[\\d+\\]: ", ""));
            }
        }
        return out;
    }

    /** Two jails on a log that does not exist, one without actions; fail2ban.conf without allowipv6. */
    private Path config() throws Exception {
        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Files.createDirectories(conf.resolve("filter.d"));
        Files.createDirectories(conf.resolve("action.d"));
        Files.writeString(conf.resolve("fail2ban.conf"), "[Definition]\nsocket = " + tmp.resolve("f.sock") + "\npidfile = "
                + tmp.resolve("f.pid") + "\nloglevel = INFO\nlogtarget = STDERR\nsyslogsocket = auto\ndbfile = :memory:\n"
                + "dbpurgeage = 1d\n");
        Files.writeString(conf.resolve("filter.d/test.conf"), "[Definition]\nfailregex = Failed password for \\S+ from <HOST>\n");
        Files.writeString(conf.resolve("action.d/rec.conf"), "[Definition]\nactionban = echo ban <ip>\n");
        Files.writeString(conf.resolve("jail.conf"), "[DEFAULT]\nbackend = auto\naction =\n[sshd]\nenabled = true\nfilter = test\n"
                + "action = rec\nlogpath = " + tmp.resolve("missing.log") + "\n[web]\nenabled = true\nfilter = test\nlogpath = "
                + tmp.resolve("missing.log") + "\n");
        return conf;
    }

    @Test
    void dumpAndPrettyDumpPrintTheStreamAndTheReadersWarningsAsFail2banDoes() throws Exception {
        Path conf = config();
        for (String opt : List.of("-d", "--dp")) {
            Run ours = ours("-c", conf.toString(), opt);
            Proc.Result py = Oracle.run("fail2ban-client", List.of("-c", conf.toString(), opt));
            assertEquals(py.exit(), ours.exit(), opt);
            assertEquals(0, ours.exit(), ours.err());
            assertEquals(py.out(), ours.out(), opt);
            assertEquals(logLines(py.err()), logLines(ours.err()), opt);
            assertTrue(ours.err().contains("fail2ban.configreader   [" + ProcessHandle.current().pid()
                    + "]: WARNING 'allowipv6' not defined in 'Definition'. Using default one: 'auto'"), ours.err());
            assertTrue(logLines(ours.err()).containsAll(List.of(
                    "fail2ban.jailreader     WARNING No actions were defined for web",
                    "fail2ban.jailreader     WARNING Have not found any log file for sshd jail")), ours.err());
        }
    }

    @Test
    void testOptionSaysOkOrFailsWithTheReason() throws Exception {
        Path conf = config();
        Run bad = ours("-c", conf.toString(), "-t");
        Proc.Result py = Oracle.run("fail2ban-client", List.of("-c", conf.toString(), "-t"));
        assertEquals(255, bad.exit());
        assertEquals(py.exit(), bad.exit());
        assertEquals(py.out(), bad.out());
        assertTrue(bad.err().contains("ERROR   Failed during configuration: ") && bad.err().contains(tmp.resolve("missing.log").toString()),
                bad.err());
        assertTrue(bad.err().contains("ERROR   ERROR: test configuration failed"), bad.err());
        Files.writeString(tmp.resolve("missing.log"), "");
        Run good = ours("-c", conf.toString(), "-t");
        py = Oracle.run("fail2ban-client", List.of("-c", conf.toString(), "-t"));
        assertEquals(0, good.exit(), good.err());
        assertEquals(py.exit(), good.exit());
        assertEquals("OK: configuration test is successful\n", good.out());
        assertEquals(py.out(), good.out());
    }
}
