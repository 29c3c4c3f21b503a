package org.jfail2ban.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jfail2ban.protocol.Reply;
import org.jfail2ban.protocol.Wire;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as a real process on a real socket, driven by our real client. */
class DaemonProcessTest {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    Path tmp;

    static void appendFailures(Path log, String ip, int n) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(LocalDateTime.now().format(STAMP)).append(" host sshd[4242]: Failed password for root from ")
                    .append(ip).append(" port 22 ssh2\n");
        }
        Files.writeString(log, sb.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** An sshd-like jail on {@code auth.log} whose action records to {@code actions.txt}. */
    static List<List<Object>> sshdJail(Path dir, int maxretry) {
        Path auth = dir.resolve("auth.log");
        Path rec = dir.resolve("actions.txt");
        List<List<Object>> s = new ArrayList<>();
        s.add(List.of("add", "sshd", "auto"));
        s.add(List.of("set", "sshd", "addlogpath", auth.toString()));
        s.add(List.of("set", "sshd", "addfailregex", "Failed password for \\S+ from <HOST>"));
        s.add(List.of("set", "sshd", "maxretry", (long) maxretry));
        s.add(List.of("set", "sshd", "addaction", "rec"));
        s.add(List.of("multi-set", "sshd", "action", "rec", List.of(
                List.of("actionstart", "echo start >> " + rec),
                List.of("actionstop", "echo stop >> " + rec),
                List.of("actionban", "echo ban <ip> >> " + rec),
                List.of("actionunban", "echo unban <ip> >> " + rec))));
        s.add(List.of("start", "sshd"));
        return s;
    }

    private Daemon startWithSshd(int maxretry) throws IOException {
        Files.createFile(tmp.resolve("auth.log"));
        Daemon d = Daemon.start(tmp);
        for (List<Object> c : sshdJail(tmp, maxretry)) {
            d.ok(c.toArray());
        }
        return d;
    }

    private String actions() {
        return Daemon.read(tmp.resolve("actions.txt"));
    }

    @Test
    void failureLinesLeadToABanAndStatusShowsIt() throws Exception {
        try (Daemon d = startWithSshd(3)) {
            appendFailures(tmp.resolve("auth.log"), "192.0.2.10", 3);
            d.await("the ban action", () -> actions().contains("ban 192.0.2.10"));
            Proc.Result r = d.client("status", "sshd").assertOk();
            assertEquals("Status for the jail: sshd\n"
                    + "|- Filter\n"
                    + "|  |- Currently failed:\t0\n"
                    + "|  |- Total failed:\t3\n"
                    + "|  `- File list:\t" + tmp.resolve("auth.log") + "\n"
                    + "`- Actions\n"
                    + "   |- Currently banned:\t1\n"
                    + "   |- Total banned:\t1\n"
                    + "   `- Banned IP list:\t192.0.2.10\n", r.out());
            assertEquals("Status\n|- Number of jail:\t1\n`- Jail list:\tsshd\n", d.client("status").assertOk().out());
            assertTrue(actions().startsWith("start\n"), actions());
            String log = d.logText();
            assertTrue(log.matches("(?s).*\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} fail2ban\\.actions        \\[\\d+\\]: "
                    + "NOTICE  \\[sshd\\] Ban 192\\.0\\.2\\.10\n.*"), log);
            assertTrue(log.contains("fail2ban.filter         [" + d.process().pid() + "]: INFO    [sshd] Found 192.0.2.10 - "), log);
        }
    }

    @Test
    void maxretryChangeTakesEffectAtOnce() throws Exception {
        try (Daemon d = startWithSshd(5)) {
            appendFailures(tmp.resolve("auth.log"), "192.0.2.20", 3);
            d.await("three failures", () -> {
                try {
                    return ((Number) ((List<?>) ((List<?>) ((List<?>) ((List<?>) d.ok("status", "sshd")).get(0)).get(1)).get(1))
                            .get(1)).intValue() == 3;
                } catch (IOException e) {
                    return false;
                }
            });
            assertFalse(actions().contains("ban 192.0.2.20"));
            assertEquals("3\n", d.client("set", "sshd", "maxretry", "3").assertOk().out());
            assertEquals("3\n", d.client("get", "sshd", "maxretry").assertOk().out());
            appendFailures(tmp.resolve("auth.log"), "192.0.2.20", 1);
            d.await("the ban after the change", () -> actions().contains("ban 192.0.2.20"));
        }
    }

    @Test
    void unbanipUnbansAndReportsAbsentOnes() throws Exception {
        try (Daemon d = startWithSshd(3)) {
            assertEquals("2\n", d.client("set", "sshd", "banip", "192.0.2.30", "192.0.2.31").assertOk().out());
            assertTrue(actions().contains("ban 192.0.2.30\nban 192.0.2.31\n"), actions());
            assertEquals("1\n", d.client("set", "sshd", "unbanip", "192.0.2.30").assertOk().out());
            assertTrue(actions().contains("unban 192.0.2.30\n"), actions());
            assertEquals("0\n", d.client("set", "sshd", "unbanip", "192.0.2.30").assertOk().out());
            Proc.Result r = d.client("set", "sshd", "unbanip", "--report-absent", "192.0.2.30");
            assertEquals(255, r.exit());
            assertEquals("not banned: ['192.0.2.30']\n", r.out());
            assertTrue(r.err().contains("ERROR   NOK: (\"not banned: ['192.0.2.30']\",)"), r.err());
            assertEquals("[{'sshd': ['192.0.2.31']}]\n", d.client("banned").assertOk().out());
            assertEquals("[[], ['sshd']]\n", d.client("banned", "192.0.2.30", "192.0.2.31").assertOk().out());
            assertEquals("1\n", d.client("unban", "--all").assertOk().out());
            assertTrue(actions().contains("unban 192.0.2.31\n"), actions());
        }
    }

    @Test
    void reloadKeepsBansAndDropsWhatTheConfigurationNoLongerNames() throws Exception {
        try (Daemon d = startWithSshd(3)) {
            d.ok("add", "old", "polling");
            d.ok("start", "old");
            d.ok("set", "sshd", "addignoreregex", "ignored <HOST>");
            d.ok("set", "sshd", "banip", "192.0.2.40");
            List<List<Object>> stream = sshdJail(tmp, 3);
            assertEquals("OK", d.ok("reload", "--all", List.of(), stream));
            assertEquals(List.of("192.0.2.40"), d.ok("get", "sshd", "banned"));
            assertFalse(actions().contains("unban"), actions());
            assertEquals(List.of(), d.ok("get", "sshd", "ignoreregex"));
            assertEquals("Status\n|- Number of jail:\t1\n`- Jail list:\tsshd\n", d.client("status").assertOk().out());
            String log = d.logText();
            assertTrue(log.contains("Reload jail 'sshd'") && log.contains("Jail 'sshd' reloaded")
                    && log.contains("Jail 'old' stopped") && log.contains("Reload finished."), log);
            // the jail still works after the reload
            appendFailures(tmp.resolve("auth.log"), "192.0.2.41", 3);
            d.await("a ban after the reload", () -> actions().contains("ban 192.0.2.41"));
            // --restart --unban lifts the bans of the jail it restarts
            assertEquals("OK", d.ok("reload", "sshd", List.of("--restart", "--unban"), sshdJail(tmp, 3)));
            assertTrue(actions().contains("unban 192.0.2.40") && actions().contains("unban 192.0.2.41"), actions());
            // the restarted jail reads its log from the start again (no database) and finds .41 anew
            assertFalse(((List<?>) d.ok("get", "sshd", "banned")).contains("192.0.2.40"));
            Reply missing = d.send("reload", "nope", List.of(), List.of());
            assertEquals(Reply.Kind.UNKNOWN_JAIL, missing.kind());
            assertEquals("OK", d.ok("reload", "nope", List.of("--if-exists"), List.of()));
        }
    }

    @Test
    void stopEndsTheProcessRunsActionstopAndRemovesSocketAndPidfile() throws Exception {
        try (Daemon d = startWithSshd(3)) {
            assertEquals(d.process().pid() + "\n", Files.readString(d.pidfile));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.socket)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.socket.getParent())));
            d.ok("set", "sshd", "banip", "192.0.2.50");
            Proc.Result r = d.client("stop").assertOk();
            assertEquals("Shutdown successful\n", r.out());
            assertTrue(d.process().waitFor(60, TimeUnit.SECONDS), "process still running");
            assertEquals(0, d.process().exitValue());
            assertFalse(Files.exists(d.socket));
            assertFalse(Files.exists(d.pidfile));
            assertTrue(actions().endsWith("unban 192.0.2.50\nstop\n"), actions());
            assertTrue(d.logText().contains("Exiting Fail2ban"));
        }
    }

    @Test
    void sigtermStopsCleanly() throws Exception {
        try (Daemon d = startWithSshd(3)) {
            d.ok("set", "sshd", "banip", "192.0.2.51");
            d.process().destroy();
            assertTrue(d.process().waitFor(60, TimeUnit.SECONDS), "process still running");
            assertEquals(0, d.process().exitValue(), d.diagnostics());
            assertFalse(Files.exists(d.socket));
            assertFalse(Files.exists(d.pidfile));
            assertTrue(actions().endsWith("unban 192.0.2.51\nstop\n"), actions());
            assertTrue(d.logText().contains("Shutdown in progress..."));
        }
    }

    @Test
    void sigusr1AndFlushlogsReopenTheLogAfterRotation() throws Exception {
        try (Daemon d = startWithSshd(3)) {
            Files.move(d.log, tmp.resolve("fail2ban.log.1"));
            Proc.run(List.of("kill", "-USR1", Long.toString(d.process().pid()))).assertOk();
            d.await("a new log file", () -> Files.exists(d.log));
            d.ok("set", "sshd", "maxretry", "4");
            d.await("the new log line", () -> Daemon.read(d.log).contains("  maxRetry: 4"));
            assertFalse(Daemon.read(tmp.resolve("fail2ban.log.1")).contains("maxRetry: 4"));
            Files.move(d.log, tmp.resolve("fail2ban.log.2"));
            assertEquals("logs: rolled over\n", d.client("flushlogs").assertOk().out());
            assertTrue(Daemon.read(d.log).contains("rollover performed on " + d.log));
        }
    }

    @Test
    void aSecondServerIsRefusedClearlyEvenWithForce() throws Exception {
        try (Daemon d = Daemon.start(tmp)) {
            for (String force : List.of("", "-x")) {
                List<String> args = new ArrayList<>(List.of("-f", "--async", "-s", d.socket.toString(), "-p",
                        tmp.resolve("other.pid").toString(), "--logtarget", "STDERR"));
                if (!force.isEmpty()) {
                    args.add(force);
                }
                Proc.Result r = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ServerMain", args.toArray(String[]::new)),
                        tmp, Map.of(), null, 120);
                assertEquals(255, r.exit(), r.toString());
                assertTrue(r.err().contains("Server already running: another server answers on " + d.socket), r.err());
            }
            assertTrue(d.answers());
        }
    }

    @Test
    void aStaleSocketIsTakenOverOnlyWithForce() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path sock = run.resolve("fail2ban.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock));
        Proc.Result r = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ServerMain", "-f", "--async", "-s", sock.toString(),
                "--logtarget", "STDERR"), tmp, Map.of(), null, 120);
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("exists but no server answers on it") && r.err().contains("-x"), r.err());
        try (Daemon d = Daemon.start(tmp, "-x")) {
            assertTrue(d.answers());
            assertTrue(d.logText().contains("WARNING Forcing execution of the server"), d.logText());
        }
    }

    @Test
    void badCommandsGetErrorRepliesAndTheServerKeepsServing() throws Exception {
        try (Daemon d = Daemon.start(tmp);
                SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(d.socket))) {
            OutputStream out = Channels.newOutputStream(ch);
            InputStream in = Channels.newInputStream(ch);
            out.write("this is not json\n".getBytes(StandardCharsets.UTF_8));
            Reply r = Reply.fromWire(Wire.read(in));
            assertFalse(r.isOk());
            out.write("{\"a\": 1}\n".getBytes(StandardCharsets.UTF_8));
            assertFalse(Reply.fromWire(Wire.read(in)).isOk());
            Wire.write(out, List.of("set", "nojail", "maxretry", "x"));
            assertEquals(Reply.Kind.UNKNOWN_JAIL, Reply.fromWire(Wire.read(in)).kind());
            Wire.write(out, List.of("add", "j", "auto"));
            Wire.write(out, List.of("set", "j", "maxretry", "x"));
            Wire.read(in);
            Reply bad = Reply.fromWire(Wire.read(in));
            assertEquals("invalid literal for int() with base 10: 'x'", bad.message());
            Wire.write(out, List.of("set", "j", "addfailregex", "("));
            assertFalse(Reply.fromWire(Wire.read(in)).isOk());
            Wire.write(out, List.of("ping"));
            assertEquals("pong", Reply.fromWire(Wire.read(in)).value());
        }
    }

    @Test
    void theInteractiveClientReadsCommandsUntilExit() throws Exception {
        try (Daemon d = Daemon.start(tmp)) {
            List<String> cmd = Daemon.javaCommand("org.jfail2ban.cli.ClientMain", "-s", d.socket.toString(), "-i");
            Proc.Result r = Proc.run(cmd, tmp, Map.of(), "ping\nadd 'my jail'\nstatus\nstatus nope\nexit\nping\n", 120);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("fail2ban> Server replied: pong\n"), r.out());
            assertTrue(r.out().contains("fail2ban> Added jail my jail\n"), r.out());
            assertTrue(r.out().contains("fail2ban> Status\n|- Number of jail:\t1\n`- Jail list:\tmy jail\n"), r.out());
            assertTrue(r.out().contains("fail2ban> Sorry but the jail 'nope' does not exist\n"), r.out());
            assertEquals(1, r.out().split("Server replied: pong", -1).length - 1, "nothing runs after exit");
        }
    }

    @Test
    void pythonActionsGetAClearError() throws Exception {
        try (Daemon d = Daemon.start(tmp)) {
            d.ok("add", "j", "auto");
            Proc.Result r = d.client("set", "j", "addaction", "badips", "/etc/fail2ban/action.d/badips.py", "{}");
            assertEquals(255, r.exit());
            assertTrue(r.out().contains("Python actions are not supported") && r.out().contains("action.d/badips.conf"), r.out());
        }
    }

    @Test
    void aServerStartedInTheBackgroundDetachesAndAnswers() throws Exception {
        Path sock = tmp.resolve("bg/fail2ban.sock");
        Proc.Result r = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ServerMain", "-b", "--async", "-s", sock.toString(),
                "-p", tmp.resolve("bg/fail2ban.pid").toString(), "--logtarget", tmp.resolve("bg.log").toString()),
                tmp, Map.of(), null, 120);
        assertEquals(0, r.exit(), r.toString());
        long pid = Long.parseLong(Files.readString(tmp.resolve("bg/fail2ban.pid")).strip());
        try {
            assertNotEquals(ProcessHandle.current().pid(), pid);
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            Proc.Result again = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ServerMain", "-b", "--async", "-s",
                    sock.toString(), "-p", tmp.resolve("bg/other.pid").toString(), "--logtarget", "STDERR"), tmp, Map.of(), null, 120);
            assertEquals(255, again.exit());
            assertTrue(again.err().contains("Server already running"), again.err());
        } finally {
            Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ClientMain", "-s", sock.toString(), "stop"), tmp, Map.of(), null, 120);
        }
        assertTrue(Daemon.waitFor(java.time.Duration.ofSeconds(60), () -> ProcessHandle.of(pid).isEmpty()
                || !ProcessHandle.of(pid).get().isAlive()));
        assertFalse(Files.exists(sock));
    }

    @Test
    void aConfigurationFailureStartsNoServer() throws Exception {
        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Files.createFile(tmp.resolve("auth.log"));
        Files.writeString(conf.resolve("jail.conf"), "[sshd]\nenabled = true\nfilter = nosuch\nlogpath = "
                + tmp.resolve("auth.log") + "\n");
        Path sock = tmp.resolve("run/f.sock");
        List<String> base = List.of("-c", conf.toString(), "-s", sock.toString(), "-p", tmp.resolve("run/f.pid").toString(),
                "--logtarget", "STDERR");
        Proc.Result r = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ClientMain", concat(base, "start")), tmp, Map.of(), null, 120);
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("ERROR   Failed during configuration: " + conf.resolve("jail.conf") + " line 3: [sshd] filter: "
                + "filter 'nosuch' not found"), r.err());
        assertFalse(Files.exists(sock));
        Proc.Result test = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ClientMain", concat(base, "-t")), tmp, Map.of(), null, 120);
        assertEquals(255, test.exit());
        assertTrue(test.err().contains("ERROR   ERROR: test configuration failed"), test.err());
        // the server alone (as the service runs it) exits with 255: systemd's RestartPreventExitStatus
        Proc.Result server = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ServerMain", concat(base, "-xf", "start")), tmp,
                Map.of(), null, 120);
        assertEquals(255, server.exit(), server.toString());
        assertTrue(server.err().contains("filter 'nosuch' not found"), server.err());
        assertFalse(Files.exists(sock));
    }

    @Test
    void clientStartStartsTheServerOnAConfigurationAndStopStopsIt() throws Exception {
        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Path auth = Files.createFile(tmp.resolve("auth.log"));
        Path sock = tmp.resolve("run/f.sock");
        Files.writeString(conf.resolve("fail2ban.conf"), "[Definition]\nloglevel = INFO\nlogtarget = " + tmp.resolve("f2b.log")
                + "\nsocket = " + sock + "\npidfile = " + tmp.resolve("run/f.pid") + "\ndbfile = :memory:\n");
        Files.createDirectories(conf.resolve("filter.d"));
        Files.createDirectories(conf.resolve("action.d"));
        Files.writeString(conf.resolve("filter.d/test.conf"), "[Definition]\nfailregex = Failed password for \\S+ from <HOST>\n");
        Files.writeString(conf.resolve("action.d/rec.conf"), "[Definition]\nactionban = echo ban <ip> >> "
                + tmp.resolve("actions.txt") + "\n");
        Files.writeString(conf.resolve("jail.conf"), "[sshd]\nenabled = true\nfilter = test\naction = rec\nlogpath = " + auth
                + "\nmaxretry = 3\n");
        List<String> base = List.of("-c", conf.toString());
        Proc.Result start = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ClientMain",
                concat(base, "start")), tmp, Map.of(), null, 120);
        assertEquals(0, start.exit(), start.toString());
        assertEquals("Server ready\n", start.out());
        Proc.Result again = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ClientMain", concat(base, "start")), tmp, Map.of(), null, 120);
        assertEquals(255, again.exit());
        assertTrue(again.err().contains("Server already running"), again.err());
        appendFailures(auth, "192.0.2.60", 3);
        assertTrue(Daemon.waitFor(java.time.Duration.ofSeconds(60), () -> Daemon.read(tmp.resolve("actions.txt")).contains("ban 192.0.2.60")));
        Proc.Result reload = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ClientMain", concat(base, "reload")), tmp, Map.of(), null, 120);
        assertEquals("OK\n", reload.out());
        Proc.Result stop = Proc.run(Daemon.javaCommand("org.jfail2ban.cli.ClientMain", concat(base, "stop")), tmp, Map.of(), null, 120);
        assertEquals("Shutdown successful\n", stop.out());
        assertFalse(Files.exists(sock));
    }

    private static String[] concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out.toArray(String[]::new);
    }
}
