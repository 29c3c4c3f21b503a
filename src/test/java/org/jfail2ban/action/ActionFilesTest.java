package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The action files we ship: read by the Python client (same dialect), resolved by our command
 * action, valid shell; the mail actions run against a fake mailer that, like mailx, obeys tilde
 * escapes, and a fake whois whose answer is hostile.
 */
class ActionFilesTest {

    static final Path OURS = Path.of("config/action.d");

    @TempDir
    Path tmp;
    Path fake;
    Path log;

    @BeforeEach
    void setUp() throws Exception {
        fake = Files.createDirectories(tmp.resolve("bin"));
        script("mail", """
                #!/bin/sh
                n=$(date +%s%N)
                printf '%s\\n' "$@" > "FAKE/mail.$n.args"
                while IFS= read -r line || [ -n "$line" ]; do
                  case "$line" in
                    "~!"*) sh -c "${line#~!}" ;;
                  esac
                  printf '%s\\n' "$line"
                done > "FAKE/mail.$n.body"
                """);
        script("sendmail", """
                #!/bin/sh
                n=$(date +%s%N)
                printf '%s\\n' "$@" > "FAKE/sendmail.$n.args"
                cat > "FAKE/sendmail.$n.body"
                """);
        script("whois", """
                #!/bin/sh
                cat <<'END'
                % the registry's answer, written by the address's owner
                ~!touch FAKE/PWNED-whois
                .
                Subject: injected
                $(touch FAKE/PWNED-whois2) `touch FAKE/PWNED-whois3`
                END
                """);
        log = tmp.resolve("auth.log");
        Files.writeString(log, "Aug 14 11:58:59 host sshd[1]: Invalid user ~!touch " + fake
                + "/PWNED-log from 192.0.2.9 port 22\nAug 14 11:59:00 host sshd[1]: Accepted key for bob from 10.0.0.1\n");
    }

    private void script(String name, String text) throws Exception {
        Path p = fake.resolve(name);
        Files.writeString(p, text.replace("FAKE", fake.toString()));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Our action files plus whatever files of the configuration part are there. */
    private Path actionDir() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("action.d"));
        try (Stream<Path> s = Files.list(OURS)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, d.resolve(p.getFileName()));
            }
        }
        return d;
    }

    private Map<String, List<String[]>> stream(String actions) throws Exception {
        Path conf = OracleStreams.configDir(tmp.resolve("conf"), actionDir(),
                "[DEFAULT]\nbackend = polling\n[sshd]\nenabled = true\nfilter = sshd\nlogpath = " + log
                        + "\naction = " + actions + "\n");
        return OracleStreams.actions(OracleStreams.stream(conf), "sshd");
    }

    @Test
    void everyFileResolvesToValidShell() throws Exception {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(OURS)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf") && !n.contains("common"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().forEach(names::add);
        }
        // these build on nftables.conf and iptables.conf, which the configuration part writes
        names.removeIf(n -> n.matches("(nf|ip)tables-(multiport|allports)")
                && !Files.exists(OURS.resolve(n.replaceAll("-(multiport|allports)$", "") + ".conf")));
        Map<String, List<String[]>> acts = stream(String.join("\n         ", names.stream()
                .map(n -> n.equals("abuseipdb") ? n + "[abuseipdb_apikey=k]" : n).toList()));
        assertEquals(names, acts.keySet().stream().sorted().toList());
        int checked = 0;
        for (var e : acts.entrySet()) {
            CommandAction a = OracleStreams.action("sshd", e.getKey(), e.getValue());
            for (String fam : List.of("", "inet4", "inet6")) {
                for (String op : List.of("actionstart", "actionstop", "actioncheck", "actionban", "actionunban",
                        "actionflush")) {
                    String cmd = a.resolvedOperation(op, fam);
                    if (cmd.isBlank()) {
                        continue;
                    }
                    // with sample ban values in place, the shell must accept the script
                    DynamicTags.ShellScript sh = DynamicTags.forShell(cmd, t -> switch (t) {
                        case "ip" -> fam.equals("inet6") ? "2001:db8::1" : "192.0.2.1";
                        case "failures", "bantime", "ipfailures", "ipjailfailures" -> "3";
                        case "matches", "ipmatches", "ipjailmatches" -> "line 1\nline 2 $(x) `y` 'z'";
                        default -> null;
                    }, null);
                    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-n", "-c", sh.script()));
                    argv.addAll(sh.args());
                    Proc.Result r = Proc.run(argv);
                    assertEquals(0, r.exit(), e.getKey() + " " + op + " '" + fam + "': " + r.err() + "\n" + sh.script());
                    assertFalse(Pattern.compile("<[a-z_][a-z0-9_-]*>").matcher(sh.script()).find(),
                            e.getKey() + " " + op + " leaves a tag: " + sh.script());
                    checked++;
                }
            }
        }
        assertTrue(checked > 100, "checked " + checked);
    }

    @Test
    void nativeBackendsAreNamedInTheirFiles() throws Exception {
        Pattern nat = Pattern.compile("(?m)^native = (\\S+)$");
        Map<String, String> expected = Map.of("hostsdeny", "hostsdeny", "route", "route", "ipset", "ipset",
                "smtp", "smtp", "abuseipdb", "abuseipdb");
        for (var e : expected.entrySet()) {
            Matcher m = nat.matcher(Files.readString(OURS.resolve(e.getKey() + ".conf")));
            assertTrue(m.find(), e.getKey());
            assertEquals(e.getValue(), m.group(1));
        }
    }

    private CommandAction action(Map<String, List<String[]>> acts, String name) throws Exception {
        CommandAction a = OracleStreams.action("sshd", name, acts.get(name));
        a.environment(Map.of("PATH", fake + ":" + System.getenv("PATH")));
        a.start();
        return a;
    }

    private static final String HOSTILE_USER = "~!touch FAKE/PWNED-user\n$(touch FAKE/PWNED-user2)'\"`;";

    private TestBan ban() {
        String user = HOSTILE_USER.replace("FAKE", fake.toString());
        String matches = "Aug 14 11:58:59 host sshd[1]: Invalid user " + user + " from 192.0.2.9\n~!touch " + fake
                + "/PWNED-matches\n.\nBcc: victim@example.org";
        return TestBan.of("192.0.2.9", Map.of("failures", "3", "F-USER", user, "matches", matches,
                "ipmatches", matches, "ipjailmatches", matches, "ipfailures", "5", "ipjailfailures", "4"));
    }

    private List<Path> outputs(String prefix) throws Exception {
        try (Stream<Path> s = Files.list(fake)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    private void assertNothingRan() throws Exception {
        assertEquals(List.of(), outputs("PWNED"), "a hostile value ran as a command");
    }

    @Test
    void mailActionsTameWhatStrangersWrote() throws Exception {
        String host = InetAddress.getLocalHost().getCanonicalHostName();
        Map<String, List<String[]>> acts = stream("mail[dest=\"admin@example.org\"]\n"
                + "         mail-whois[dest=\"admin@example.org\"]\n"
                + "         mail-whois-lines[dest=\"admin@example.org\", logpath=\"" + log + "\"]");
        for (String name : List.of("mail", "mail-whois", "mail-whois-lines")) {
            action(acts, name).ban(ban());
        }
        assertNothingRan();
        List<Path> args = new ArrayList<>();
        for (Path p : outputs("mail.")) {
            if (p.toString().endsWith(".args") && Files.readString(p).contains(": banned ")) {
                args.add(p);
            }
        }
        List<Path> bodies = args.stream().map(p -> Path.of(p.toString().replace(".args", ".body"))).toList();
        assertEquals(3, args.size());
        for (Path a : args) {
            assertEquals(List.of("-s", "[Fail2Ban] sshd: banned 192.0.2.9 from " + host, "admin@example.org"),
                    Files.readAllLines(a));
        }
        String all = "";
        for (Path b : bodies) {
            String body = Files.readString(b);
            assertTrue(body.startsWith("Hi,\n\nThe IP 192.0.2.9 has just been banned by Fail2Ban after 3 attempts "
                    + "against sshd.\n"), body);
            assertFalse(Pattern.compile("(?m)^~").matcher(body).find(), "a line begins with ~: " + body);
            all += body;
        }
        assertTrue(all.contains("\n ~!touch " + fake + "/PWNED-whois\n"), all); // the whois answer, tamed
        assertTrue(all.contains("\n\nAug 14 11:58:59 host sshd[1]: Invalid user ~!touch " + fake
                + "/PWNED-log from 192.0.2.9 port 22\n\nRegards,"), all);
        assertFalse(all.contains("bob"), "a line of another address");
    }

    @Test
    void sendmailActionsWriteTheirOwnHeaderAndKeepLinesAsText() throws Exception {
        List<String> names = List.of("sendmail", "sendmail-whois", "sendmail-whois-lines", "sendmail-whois-matches",
                "sendmail-whois-ipmatches", "sendmail-whois-ipjailmatches");
        Map<String, List<String[]>> acts = stream(String.join("\n         ", names.stream()
                .map(n -> n + "[dest=\"admin@example.org\", sender=\"f2b@example.org\", sendmail=\"" + fake.resolve("sendmail")
                        + "\"]").toList()));
        for (String name : names) {
            action(acts, name).ban(ban());
        }
        assertNothingRan();
        List<Path> args = new ArrayList<>();
        for (Path p : outputs("sendmail.")) {
            if (p.toString().endsWith(".args") && Files.readString(Path.of(p.toString().replace(".args", ".body")))
                    .contains(": banned ")) {
                args.add(p);
            }
        }
        assertEquals(names.size(), args.size());
        for (Path a : args) {
            assertEquals(List.of("-i", "-f", "f2b@example.org", "admin@example.org"), Files.readAllLines(a));
            String body = Files.readString(Path.of(a.toString().replace(".args", ".body")));
            String head = body.substring(0, body.indexOf("\n\n"));
            List<String> fields = head.lines().map(l -> l.substring(0, l.indexOf(':'))).toList();
            assertEquals(List.of("Subject", "Date", "From", "To", "MIME-Version", "Content-Type", "Auto-Submitted"),
                    fields, head);
            assertTrue(head.startsWith("Subject: [Fail2Ban] sshd: banned 192.0.2.9 from "), head);
            assertTrue(head.contains("\nFrom: Fail2Ban <f2b@example.org>\nTo: admin@example.org\n"), head);
        }
        String matchesMail = "";
        for (Path a : args) {
            String body = Files.readString(Path.of(a.toString().replace(".args", ".body")));
            if (body.contains("\nMatches:\n")) {
                matchesMail = body;
            }
        }
        assertNotEquals("", matchesMail);
        String user = HOSTILE_USER.replace("FAKE", fake.toString());
        assertTrue(matchesMail.contains("Invalid user " + user.substring(0, user.indexOf('\n')) + "\n" + user.substring(
                user.indexOf('\n') + 1) + " from 192.0.2.9\n ~!touch " + fake + "/PWNED-matches\n.\nBcc: victim@example.org\n"),
                matchesMail);
    }

    @Test
    void theFakeMailerIsAsDangerousAsMailx() throws Exception {
        // the control: a tilde escape that reaches this mailer runs
        Proc.run(List.of(fake.resolve("mail").toString(), "-s", "x", "root"), null, Map.of(),
                "~!touch " + fake + "/PWNED-control\n", 30).assertOk();
        assertEquals(List.of(fake.resolve("PWNED-control")), outputs("PWNED"));
    }

    @Test
    void mailStartAndStopAndRestoredBans() throws Exception {
        Map<String, List<String[]>> acts = stream("mail[dest=\"admin@example.org\"]");
        CommandAction a = action(acts, "mail");
        a.ban(ban().restoredBan());
        a.stop();
        List<Path> bodies = outputs("mail.").stream().filter(p -> p.toString().endsWith(".body")).toList();
        assertEquals(2, bodies.size(), "start and stop, and nothing for the restored ban");
        assertEquals("Hi,\n\nThe jail sshd has been started.\n\nRegards,\nFail2Ban\n", Files.readString(bodies.get(0)));
        assertEquals("Hi,\n\nThe jail sshd has been stopped.\n\nRegards,\nFail2Ban\n", Files.readString(bodies.get(1)));
    }
}
