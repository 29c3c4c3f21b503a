package org.jfail2ban.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration we ship in config/: it reads cleanly, gives the stream we mean, reads the
 * same in the Python fail2ban (but for what only our native backends need), and its filters
 * pass fail2ban's own sample-log tests.
 */
class ShippedConfigTest {

    static final Path SHIPPED = Path.of("config");

    @TempDir
    Path tmp;

    /** A copy of config/ with a jail.local, so that the jails find a log file. */
    private Path withLocal(String jailLocal) throws IOException {
        Path dir = ConfigDir.copyOf(SHIPPED, tmp.resolve("conf")).dir;
        Path log = Files.writeString(tmp.resolve("auth.log"), "");
        Files.writeString(dir.resolve("jail.local"), jailLocal.replace("LOG", log.toString()));
        return dir;
    }

    private static List<String> lines(List<List<Object>> cmds) {
        List<String> out = new ArrayList<>();
        for (List<Object> c : cmds) {
            out.add(PyRepr.repr(c));
        }
        return out;
    }

    @Test
    void readsCleanlyAndRunsSshdOnly() throws Exception {
        Configurator.Result r = Configurator.read(SHIPPED, Configurator.Request.dump());
        for (String w : r.warnings()) {
            assertTrue(w.equals("Have not found any log file for sshd jail"), w);
        }
        List<String> l = lines(r.commands());
        assertEquals(List.of("['set', 'syslogsocket', 'auto']", "['set', 'loglevel', 'INFO']",
                "['set', 'logtarget', '/var/log/fail2ban.log']", "['set', 'allowipv6', 'auto']",
                "['set', 'dbfile', '/var/lib/fail2ban/fail2ban.sqlite3']", "['set', 'dbmaxmatches', 10]",
                "['set', 'dbpurgeage', '1d']", "['add', 'sshd', 'auto']", "['set', 'sshd', 'usedns', 'warn']"),
                l.subList(0, 9));
        for (String want : List.of("['set', 'sshd', 'maxlines', 1]", "['set', 'sshd', 'datepattern', '{^LN-BEG}']",
                "['set', 'sshd', 'addjournalmatch', '_SYSTEMD_UNIT=ssh.service', '+', '_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd']",
                "['set', 'sshd', 'maxretry', 5]", "['set', 'sshd', 'maxmatches', 5]", "['set', 'sshd', 'findtime', '10m']",
                "['set', 'sshd', 'bantime', '10m']", "['set', 'sshd', 'ignoreself', True]",
                "['set', 'sshd', 'addignoreip', '127.0.0.1/8', '::1']", "['set', 'sshd', 'addaction', 'nftables']",
                "['start', 'sshd']")) {
            assertTrue(l.contains(want), want + " in\n" + String.join("\n", l));
        }
        assertTrue(l.stream().noneMatch(x -> x.contains("recidive")), "recidive stays off");
        String multi = l.stream().filter(x -> x.startsWith("['multi-set', 'sshd', 'action'")).findFirst().orElseThrow();
        for (String kv : List.of("['native', 'nftables']", "['type', 'multiport']", "['port', 'ssh']", "['table', 'f2b-sshd']",
                "['chain', 'input']", "['blocktype', 'reject']")) {
            assertTrue(multi.contains(kv), kv + " in " + multi);
        }
        String regexes = l.stream().filter(x -> x.startsWith("['multi-set', 'sshd', 'addfailregex'")).findFirst().orElseThrow();
        assertFalse(regexes.contains("<mode_") || regexes.contains("<closing_"), "modes resolve: " + regexes);
    }

    @Test
    void recidiveAndTheActionFamilies() throws Exception {
        Path dir = withLocal("[sshd]\nlogpath = LOG\naction = %(action_mwl)s\n[recidive]\nenabled = true\nlogpath = LOG\n");
        // the mail family resolves to the mail actions we ship
        List<String> mw = lines(Configurator.read(dir, Configurator.Request.start()).commands());
        assertTrue(mw.contains("['set', 'sshd', 'addaction', 'nftables']"), mw.toString());
        assertTrue(mw.contains("['set', 'sshd', 'addaction', 'sendmail-whois-lines']"), mw.toString());
        String mail = mw.stream().filter(x -> x.startsWith("['multi-set', 'sshd', 'action', 'sendmail-whois-lines'"))
                .findFirst().orElseThrow();
        assertTrue(mail.contains("['actionban', ") && mail.contains("sendmail"), mail);
        Files.writeString(dir.resolve("jail.local"), "[sshd]\nlogpath = " + tmp.resolve("auth.log")
                + "\n[recidive]\nenabled = true\nlogpath = " + tmp.resolve("auth.log") + "\n");
        List<String> l = lines(Configurator.read(dir, Configurator.Request.start()).commands());
        assertTrue(l.contains("['set', 'recidive', 'bantime', '1w']"));
        assertTrue(l.contains("['set', 'recidive', 'findtime', '1d']"));
        assertTrue(l.contains("['set', 'recidive', 'addaction', 'nftables']"));
        String multi = l.stream().filter(x -> x.startsWith("['multi-set', 'recidive', 'action'")).findFirst().orElseThrow();
        assertTrue(multi.contains("['type', 'allports']") && multi.contains("['table', 'f2b-recidive']"), multi);
        String fail = l.stream().filter(x -> x.startsWith("['set', 'recidive', 'addfailregex'")).findFirst().orElseThrow();
        assertTrue(fail.contains("\\\\[(?!recidive\\\\])"), "the jail's own bans are left out: " + fail);
        assertEquals(List.of("['start', 'sshd']", "['start', 'recidive']"), l.subList(l.size() - 2, l.size()));
    }

    @Test
    void pythonFail2banReadsItTheSameButForWhatNativeBackendsNeed() throws Exception {
        Path dir = withLocal("[sshd]\nlogpath = LOG\nmode = aggressive\n[recidive]\nenabled = true\nlogpath = LOG\n"
                + "banaction = iptables[type=allports]\n");
        Proc.Result py = Oracle.run("fail2ban-client", List.of("-c", dir.toString(), "-d"));
        assertEquals(0, py.exit(), py.err());
        List<Object> theirs = new ArrayList<>();
        for (String line : py.out().split("\n")) {
            theirs.add(PyLiteral.parse(line));
        }
        List<List<Object>> ours = Configurator.commands(dir);
        assertEquals(theirs.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            Object a = PyLiteral.normalize(ours.get(i));
            Object b = theirs.get(i);
            List<?> cmd = (List<?>) a;
            if (!(cmd.get(0).equals("multi-set") && cmd.get(2).equals("action"))) {
                assertEquals(b, a, "command " + i);
                continue;
            }
            // fail2ban leaves out our "native" key and sends option values unresolved
            List<?> mine = (List<?>) cmd.get(4);
            List<?> their = (List<?>) ((List<?>) b).get(4);
            int j = 0;
            for (Object o : mine) {
                List<?> kv = (List<?>) o;
                if (kv.get(0).equals("native")) {
                    continue;
                }
                List<?> tv = (List<?>) their.get(j++);
                assertEquals(tv.get(0), kv.get(0));
                if (!kv.get(1).equals(tv.get(1))) {
                    assertTrue(String.valueOf(tv.get(1)).contains("<"), kv + " vs " + tv);
                }
            }
            assertEquals(their.size(), j);
        }
    }

    @Test
    void ourFiltersPassFail2bansSampleLogTests() {
        String script = String.join("\n",
                "import os, sys, unittest",
                "os.environ['FAIL2BAN_CONFIG_DIR'] = sys.argv[1]",
                "from fail2ban.tests import utils",
                "utils.initTests(None)",
                "from fail2ban.tests import samplestestcase as s",
                // One sample line is read otherwise on purpose: after a password sshd writes no
                // key info, so the last address is the client's; the copy of the sample logs
                // says so, every other line is as fail2ban wrote it.
                "import shutil, tempfile",
                "logs = tempfile.mkdtemp()",
                "shutil.copytree(os.path.join(s.TEST_FILES_DIR, 'logs'), os.path.join(logs, 'logs'))",
                "for f in ('sshd', 'sshd-journal'):",
                "    p = os.path.join(logs, 'logs', f)",
                "    t = open(p, encoding='utf-8').read()",
                "    old = '\"host\": \"127.0.0.1\", \"desc\": \"More complex injecting on auth-info'",
                "    assert t.count(old) == 1, f",
                "    open(p, 'w', encoding='utf-8').write(t.replace(old, old.replace('127.0.0.1', '10.10.1.2')))",
                "s.TEST_FILES_DIR = logs",
                "suite = unittest.TestSuite()",
                "for name in sys.argv[2:]:",
                "    suite.addTest(s.FilterSamplesRegex('testSampleRegexs' + name.upper()))",
                "r = unittest.TextTestRunner(verbosity=2).run(suite)",
                "sys.exit(0 if r.wasSuccessful() and r.testsRun == len(sys.argv) - 2 else 1)");
        Proc.Result r = Proc.run(List.of(Oracle.python(), "-c", script, SHIPPED.toAbsolutePath().toString(), "sshd", "recidive"),
                null, Map.of("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString()), null, 300);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("testSampleRegexsSSHD") && r.err().contains("testSampleRegexsRECIDIVE"), r.err());
    }

    /** fail2ban-regex (Python) with one of our filters on the given lines: the addresses it finds. */
    private List<String> found(String filter, String... logLines) throws IOException {
        Path log = Files.writeString(tmp.resolve("lines.log"), String.join("\n", logLines) + "\n");
        Proc.Result r = Oracle.run("fail2ban-regex", List.of("-o", "<ip>", log.toString(),
                SHIPPED.resolve("filter.d/" + filter).toAbsolutePath().toString()));
        assertEquals(0, r.exit(), r.err());
        List<String> out = new ArrayList<>();
        for (String s : r.out().split("\n")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    @Test
    void aStartWithoutAuthLogReadsSshdFromTheJournal() throws Exception {
        // Debian 12 without rsyslog: sshd logs to the journal only, and the shipped sshd jail
        // must still start
        Path dir = withLocal("[sshd]\nlogpath = " + tmp.resolve("no-such-auth.log") + "\n");
        List<String> l = lines(Configurator.read(dir, Configurator.Request.start()).commands());
        assertTrue(l.contains("['add', 'sshd', 'systemd']"), String.join("\n", l));
        assertTrue(l.stream().noneMatch(x -> x.contains("addlogpath")), String.join("\n", l));
        assertTrue(l.contains("['start', 'sshd']"));
    }

    @Test
    void recidiveCountsOurServersBansButNotItsOwnNorRestoredOnes() throws Exception {
        assertEquals(List.of("192.0.2.1", "2001:db8::5", "192.0.2.3"), found("recidive.conf",
                "2026-11-22 10:00:00,123 fail2ban.actions        [123]: NOTICE  [sshd] Ban 192.0.2.1",
                "2026-11-22 10:00:01,123 fail2ban.actions        [123]: NOTICE  [sshd] Unban 192.0.2.1",
                "2026-11-22 10:00:02,123 fail2ban.actions        [123]: NOTICE  [recidive] Ban 192.0.2.2",
                "2026-11-22 10:00:03,123 fail2ban.actions        [123]: NOTICE  [nginx-http-auth] Ban 2001:db8::5",
                "2026-11-22 10:00:04,123 fail2ban.actions        [123]: NOTICE  [sshd] Restore Ban 192.0.2.4",
                "2026-11-22 10:00:05,123 fail2ban.filter         [123]: INFO    [sshd] Found 192.0.2.6 - 2026-11-22 10:00:05",
                "Nov 22 10:00:06 host fail2ban-server[123]: fail2ban.actions        [123]: NOTICE  [sshd] Ban 192.0.2.3"));
    }

    @Test
    void sshdTakesTheAddressSshdWroteNotOneInTheUserName() throws Exception {
        // after a password sshd writes no key info: the last "from ADDRESS port N ssh2" is the
        // client's, whatever the user name holds
        assertEquals(List.of("198.51.100.7", "198.51.100.8", "198.51.100.9", "198.51.100.10"), found("sshd.conf",
                "Nov 22 10:00:00 host sshd[1]: Failed password for invalid user x from 192.0.2.1 port 22 ssh2: y from 198.51.100.7 port 4 ssh2",
                "Nov 22 10:00:01 host sshd[2]: Invalid user a from 192.0.2.1 port 1 from 198.51.100.8 port 5",
                "Nov 22 10:00:02 host sshd[3]: User b from 192.0.2.1 not allowed because listed in DenyUsers from 198.51.100.9"
                        + " not allowed because listed in DenyUsers",
                "Nov 22 10:00:03 host sshd[4]: Failed password for invalid user c from 192.0.2.1 from 198.51.100.10 port 6 ssh2"));
    }
}
