package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our fail2ban-regex against the Python one, command line for command line (many of them
 * fail2ban's own test cases): same report, same {@code -o} output, same exit status. Logs are
 * chosen so that their dates (none, ISO or syslog stamps) do not depend on the date templates.
 */
class RegexMainTest {

    private static final String STR_00_NODT = "[sshd] error: PAM: Authentication failure for kevin from 192.0.2.0";
    private static final String RE_00 = "(?:(?:Authentication failure|Failed [-/\\w+]+) for(?: [iI](?:llegal|nvalid) user)?"
            + "|[Ii](?:llegal|nvalid) user|ROOT LOGIN REFUSED) .*(?: from|FROM) <HOST>";
    private static final String RE_00_ID = "Authentication failure for <F-ID>.*?</F-ID> from <ADDR>$";
    private static final String RE_00_USER = "Authentication failure for <F-USER>.*?</F-USER> from <ADDR>$";
    private static final String ML_SSHD = String.join("\n",
            "Nov 28 09:16:03 srv sshd[32307]: Failed publickey for git from 192.0.2.1 port 57904 ssh2: ECDSA 0e:ff:xx:xx:xx:xx:xx:xx:xx:xx:xx:...",
            "Nov 28 09:16:03 srv sshd[32307]: Failed publickey for git from 192.0.2.1 port 57904 ssh2: RSA 04:bc:xx:xx:xx:xx:xx:xx:xx:xx:xx:...",
            "Nov 28 09:16:03 srv sshd[32307]: Postponed publickey for git from 192.0.2.1 port 57904 ssh2 [preauth]",
            "Nov 28 09:16:05 srv sshd[32310]: Failed publickey for git from 192.0.2.2 port 57910 ssh2: ECDSA 1e:fe:xx:xx:xx:xx:xx:xx:xx:xx:xx:...",
            "Nov 28 09:16:05 srv sshd[32310]: Failed publickey for git from 192.0.2.2 port 57910 ssh2: RSA 14:ba:xx:xx:xx:xx:xx:xx:xx:xx:xx:...",
            "Nov 28 09:16:05 srv sshd[32310]: Disconnecting: Too many authentication failures for git [preauth]",
            "Nov 28 09:16:05 srv sshd[32310]: Connection closed by 192.0.2.2 [preauth]");
    private static final String ML_SSHD_OK = "Nov 28 09:16:06 srv sshd[32307]: Accepted publickey for git from 192.0.2.1 port 57904 ssh2: DSA 36:48:xx:xx:xx:xx:xx:xx:xx:xx:xx:...";
    private static final String ML_SSHD_FAIL = "Nov 28 09:16:06 srv sshd[32307]: Connection closed by 192.0.2.1 [preauth]";

    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {
    }

    private static Run ours(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = RegexMain.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(rc, out.toString(), err.toString());
    }

    private static Run python(String... args) {
        Proc.Result r = Oracle.run("fail2ban-regex", List.of(args), null,
                Map.of("TZ", java.util.TimeZone.getDefault().getID(), "PYTHONIOENCODING", "utf-8"), null, 300);
        return new Run(r.exit(), r.out(), r.err());
    }

    /** The report without what may differ: the time taken and (while dates are a stub) the date templates. */
    private static String normal(String report) {
        List<String> out = new ArrayList<>();
        boolean dates = false;
        for (String l : report.split("\n", -1)) {
            if (l.startsWith("[processed in ")) {
                continue;
            }
            if (l.equals("Date template hits:")) {
                dates = true;
                continue;
            }
            if (dates) {
                if (l.startsWith("|") || l.equals("`-")) {
                    continue;
                }
                dates = false;
            }
            out.add(l);
        }
        return String.join("\n", out);
    }

    /** Runs both tools; asserts the same exit status and output; returns ours. */
    private static Run both(String... args) {
        Run py = python(args);
        Run we = ours(args);
        assertEquals(normal(py.out), normal(we.out), "output of fail2ban-regex " + String.join(" ", args));
        assertEquals(py.exit, we.exit, "exit status of fail2ban-regex " + String.join(" ", args));
        return we;
    }

    private static String etc() {
        return Oracle.etc().toString();
    }

    @Test
    void singleLineFoundMissedIgnored() {
        both("--print-all-matched", STR_00_NODT, "Authentication failure for .*? from <HOST>$");
        both("--print-all-missed", STR_00_NODT, "XYZ from <HOST>$");
        both("--print-all-ignored", STR_00_NODT, "Authentication failure for .*? from <HOST>$", "kevin from 192.0.2.0$");
        both("-v", "2005-08-14 11:00:00 " + STR_00_NODT + "\n2005-08-14 11:00:01 foo bar", RE_00, "foo");
    }

    @Test
    void badRegexesAreReportedWithThePosition() {
        Run r = both("test", ".** from <HOST>$");
        assertTrue(r.out.contains("multiple repeat at position 2"), r.out);
        r = both("test", "^(?:(?P<type>A)|B)? (?(typo)...) from <ADDR>");
        assertTrue(r.out.contains("unknown group name 'typo' at position 23"), r.out);
        both("test", ".*? from <HOST>$", ".**");
        r = both(STR_00_NODT, "Authentication failure");
        assertTrue(r.out.contains("No failure-id group in 'Authentication failure'"), r.out);
        both("test", "[] authentication failed");
        both("test", "flt[a='x,y,z',b=z,y,x]");
    }

    @Test
    void outputFormats() {
        both("-o", "id", STR_00_NODT, RE_00_ID);
        both("-o", "row", STR_00_NODT, RE_00_ID);
        both("-o", "row", STR_00_NODT, RE_00_USER);
        both("-o", "msg", STR_00_NODT, RE_00_USER);
        both("-o", "user", STR_00_NODT, RE_00_USER);
        both("-o", "<ip>, <F-USER>, <family>, <ip-rev>, <failures>, <F-NONE>, <nothing>", STR_00_NODT, RE_00_USER);
        both("-o", "id", "192.0.2.1 192.0.2.2", "^\\s*<F-ID/> <F-TUPLE_ID>\\S+</F-TUPLE_ID>");
        both("-o", "id", "left 192.0.2.3 right", "^\\s*<F-TUPLE_ID_1>\\S+</F-TUPLE_ID_1> <F-ID/> <F-TUPLE_ID_2>\\S+</F-TUPLE_ID_2>");
        String idPort = "^\\s*<F-TUPLE_ID_1>\\S+</F-TUPLE_ID_1> <F-ID><ADDR>:<F-PORT/></F-ID> <F-TUPLE_ID_2>\\S+</F-TUPLE_ID_2>";
        both("-o", "id", "left [192.0.2.4]:12345 right", idPort);
        both("-o", "ip", "left [192.0.2.4]:12345 right", idPort);
        both("-o", "ID:<fid> | IP:<ip>", "left [192.0.2.4]:12345 right", idPort);
        both("-o", "row", "left [192.0.2.4]:12345 right", idPort);
    }

    @Test
    void noFailureHitsGiveTheAddressOfLaterFailures() {
        String log = "May 27 00:16:33 host sshd[2364]: User root not allowed because account is locked\n"
                + "May 27 00:16:33 host sshd[2364]: Received disconnect from 192.0.2.76 port 58846:11: Bye Bye [preauth]";
        both("-c", etc(), "-o", "IP:<ip>", log, "sshd");
        for (String[] v : new String[][] {{"sshd", ""}, {"common", "\\s*\\S+ sshd\\[<F-MLFID>\\d+</F-MLFID>\\]:\\s+"}}) {
            both("-c", etc(), "-o", "ID:\"<fid>\" | IP:<ip> | U:<F-USER>", log, v[0] + "[failregex=\"^" + v[1]
                    + "<F-ID>User <F-USER>\\S+</F-USER></F-ID> not allowed\n^" + v[1] + "Received disconnect from <ADDR>\"]");
            both("-c", etc(), "-o", "ID:\"<fid>\" | IP:<ip> | U:<F-USER>", log, v[0] + "[failregex=\"^" + v[1]
                    + "User <F-USER>\\S+</F-USER> not allowed\n^" + v[1] + "Received disconnect from <F-ID><ADDR> port \\d+</F-ID>\"]");
        }
    }

    @Test
    void gainedAccessResetsPendingFailures() {
        both("-c", etc(), "-o", "failure from == <ip> ==",
                "svc[1] connect started 192.0.2.3\nsvc[1] connect finished 192.0.2.3\nsvc[2] connect started 192.0.2.4\n"
                        + "svc[2] connect authorized 192.0.2.4\nsvc[2] connect finished 192.0.2.4\n",
                "common[prefregex=\"^svc\\[<F-MLFID>\\d+</F-MLFID>\\] connect <F-CONTENT>.+</F-CONTENT>$\", failregex=\""
                        + "^started\n^<F-NOFAIL><F-MLFFORGET>finished</F-MLFFORGET></F-NOFAIL> <ADDR>\n"
                        + "^<F-MLFGAINED>authorized</F-MLFGAINED> <ADDR>\", maxlines=1]");
    }

    @Test
    void multiLineSshdSessions() {
        both("-o", "<ip>, <F-USER>, <msg>", "-c", etc(), "--usedns", "no", ML_SSHD + "\n" + ML_SSHD_OK,
                "sshd[logtype=short, publickey=invalid]");
        both("-o", "<ip>, <F-USER>, <msg>", "-c", etc(), "--usedns", "no", ML_SSHD + "\n" + ML_SSHD_OK,
                "sshd[logtype=short, mode=aggressive]");
        both("-o", "<ip>, <F-USER>, <msg>", "-c", etc(), "--usedns", "no", ML_SSHD + "\n" + ML_SSHD_FAIL,
                "sshd[logtype=short, mode=aggressive]");
        both("-c", etc(), "--print-all-matched", "--print-all-ignored", ML_SSHD + "\n" + ML_SSHD_FAIL, "sshd[mode=aggressive]");
        Run vv = both("-vv", "-c", etc(), "2005-08-14 11:00:00 [sshd] error: PAM: Authentication failure for kevin from 192.0.2.1",
                "sshd[logtype=short]");
        assertTrue(vv.out.contains("Real  filter options : {'logtype': 'short', 'datepattern': '{^LN-BEG}'}"), vv.out);
    }

    @Test
    void multiLineWindow() {
        for (int pre : new int[] {0, 20}) {
            both("--usedns", "no", "--print-all-matched", "--maxlines", "5",
                    "TEST-NL\n".repeat(pre) + "FAIL\nTEST1\nTEST2\nHOST 192.0.2.34", "^\\s*FAIL\\s*$<SKIPLINES>^\\s*HOST <HOST>\\s*$");
        }
        both("--usedns", "no", "--print-all-matched", "-L", "2", "FAIL: failure\nhost: 192.0.2.35",
                "^\\s*FAIL:\\s*.*\\nhost:\\s+<HOST>$");
        both("-o", "id", "--maxlines", "5", "192.0.2.1 FAIL: failure\n192.0.2.1/24 FAIL: failure\n"
                + "2001:DB8:FF:FF::1 FAIL: failure\n2001:DB8:FF:FF::1/60 FAIL: failure\n", "^<SUBNET> FAIL\\b");
        both("-r", "--maxlines", "5", "192.0.2.1 FAIL: failure\nhost.example.com FAIL: failure", "^<HOST> FAIL\\b");
    }

    @Test
    void filesWithBadBytesNulsAndLongLines() throws IOException {
        Path log = tmp.resolve("bad.log");
        byte[] head = ("2005-08-14 11:00:00 bad \u00e9 byte \u0000 nul from 192.0.2.7\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder big = new StringBuilder("2005-08-14 11:00:01 ");
        big.append("x".repeat(1 << 20)).append(" from 192.0.2.8\n");
        try (var o = Files.newOutputStream(log)) {
            o.write(head);
            o.write(new byte[] {'2', '0', '0', '5', '-', '0', '8', '-', '1', '4', ' ', '1', '1', ':', '0', '0', ':', '0', '2',
                (byte) 0xff, (byte) 0xc3, ' ', 'f', 'r', 'o', 'm', ' ', '1', '9', '2', '.', '0', '.', '2', '.', '9', '\n'});
            o.write(big.toString().getBytes(StandardCharsets.UTF_8));
            o.write("2005-08-14 11:00:03 last line without newline from 192.0.2.10".getBytes(StandardCharsets.UTF_8));
        }
        both("-o", "<ip>", log.toString(), "from <HOST>$");
        both(log.toString(), "from <HOST>$");
    }

    @Test
    void sshdSampleReport() {
        Path wrongChar = Oracle.pythonPackage().resolve("tests/files/testcase-wrong-char.log");
        both("-c", etc(), "--print-all-missed", wrongChar.toString(), Oracle.etc().resolve("filter.d/sshd.conf").toString());
        both("-c", etc(), "--print-all-matched", wrongChar.toString(), "sshd", "llinco[^\\\\]");
    }

    @Test
    void usageAndVersion() {
        Run py = python();
        Run we = ours();
        assertEquals(py.exit, we.exit);
        assertTrue(we.err.contains("ERROR: provide both <LOG> and <REGEX>."), we.err);
        assertEquals(python("-V").out, ours("-V").out);
        assertEquals(0, ours("--version").exit);
        assertEquals(python("--no-such-option", "a", "b").exit, ours("--no-such-option", "a", "b").exit);
    }
}
