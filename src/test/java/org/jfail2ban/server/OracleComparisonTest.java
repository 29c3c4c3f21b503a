package org.jfail2ban.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our server and client against the Python fail2ban 1.0.2 of the oracle package, side by side on
 * the same log file, driven by the same commands: each reply must print the same, with the same
 * exit status.
 */
class OracleComparisonTest {

    @TempDir
    Path tmp;

    private Daemon ours;
    private Process python;
    private Path pyConf;

    @AfterEach
    void stopBoth() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (python != null && python.isAlive()) {
            pyClient("stop");
            if (!python.waitFor(30, TimeUnit.SECONDS)) {
                python.destroyForcibly();
            }
        }
    }

    private Proc.Result pyClient(String... args) {
        List<String> a = new ArrayList<>(List.of("-c", pyConf.toString()));
        a.addAll(List.of(args));
        return Oracle.run("fail2ban-client", a, tmp, Map.of(), null, 120);
    }

    private void startPython() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("py"));
        pyConf = Files.createDirectories(tmp.resolve("pyconf"));
        Path sock = dir.resolve("run/f.sock");
        Files.writeString(pyConf.resolve("fail2ban.conf"), "[Definition]\nloglevel = INFO\nlogtarget = " + dir.resolve("fail2ban.log")
                + "\nsyslogsocket = auto\nsocket = " + sock + "\npidfile = " + dir.resolve("run/f.pid") + "\ndbfile = :memory:\n"
                + "allowipv6 = auto\n");
        Files.writeString(pyConf.resolve("jail.conf"), "");
        ProcessBuilder pb = new ProcessBuilder(Oracle.python(), Oracle.root().resolve("usr/bin/fail2ban-server").toString(),
                "-c", pyConf.toString(), "-f", "--async", "-s", sock.toString(), "-p", dir.resolve("run/f.pid").toString(),
                "--logtarget", dir.resolve("fail2ban.log").toString(), "--loglevel", "INFO")
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("server.out").toFile())
                .redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString());
        python = pb.start();
        if (!Daemon.waitFor(Duration.ofSeconds(60), () -> pyClient("ping").exit() == 0)) {
            throw new AssertionError("the Python server did not come up: " + Daemon.read(dir.resolve("server.out")));
        }
    }

    /** Runs a command on both; asserts the same output and exit status. */
    private void same(String... cmd) {
        Proc.Result py = pyClient(cmd);
        Proc.Result our = ours.client(cmd);
        String what = String.join(" ", cmd);
        assertEquals(py.out(), our.out(), "output of '" + what + "'\npython stderr: " + py.err() + "\nour stderr: " + our.err());
        assertEquals(py.exit(), our.exit(), "exit status of '" + what + "'");
    }

    /** Runs a command on both without comparing (its output differs for a known reason). */
    private void both(String... cmd) {
        pyClient(cmd).assertOk();
        ours.client(cmd).assertOk();
    }

    private void awaitBoth(String what, String... expected) {
        boolean ok = Daemon.waitFor(Duration.ofSeconds(90), () -> {
            String p = pyClient("status", "sshd").out();
            String o = ours.client("status", "sshd").out();
            for (String e : expected) {
                if (!p.contains(e) || !o.contains(e)) {
                    return false;
                }
            }
            return true;
        });
        if (!ok) {
            throw new AssertionError("timed out waiting for " + what + "\npython: " + pyClient("status", "sshd").out()
                    + "\nours: " + ours.client("status", "sshd").out() + ours.diagnostics());
        }
    }

    @Test
    void statusAndCommandRepliesPrintAsFail2banPrintsThem() throws Exception {
        Path auth = Files.createFile(tmp.resolve("auth.log"));
        startPython();
        ours = Daemon.start(Files.createDirectories(tmp.resolve("ours")));

        same("ping");
        same("status");
        same("add", "sshd", "polling");
        same("status");
        same("status", "sshd");
        same("set", "sshd", "addlogpath", auth.toString());
        // fail2ban answers with the regex after its <HOST> expansion, ours with the regex as given
        both("set", "sshd", "addfailregex", "Failed password for \\S+ from <HOST>");
        same("set", "sshd", "maxretry", "3");
        same("set", "sshd", "findtime", "10m");
        same("set", "sshd", "bantime", "1h");
        same("set", "sshd", "usedns", "no");
        same("set", "sshd", "addignoreip", "10.0.0.0/8");
        same("set", "sshd", "addignoreip", "10.0.0.0/8");
        same("get", "sshd", "ignoreip");
        same("set", "sshd", "ignoreself", "false");
        same("get", "sshd", "ignoreself");
        same("get", "sshd", "ignorecommand");
        same("set", "sshd", "addaction", "rec");
        same("set", "sshd", "action", "rec", "actionban", "echo ban <ip> >> actions.txt");
        same("set", "sshd", "action", "rec", "actionunban", "echo unban <ip> >> actions.txt");
        same("get", "sshd", "action", "rec", "actionban");
        same("get", "sshd", "action", "rec", "timeout");
        same("get", "sshd", "actions");
        same("start", "sshd");
        same("status", "sshd");

        DaemonProcessTest.appendFailures(auth, "192.0.2.1", 3);
        DaemonProcessTest.appendFailures(auth, "192.0.2.2", 2);
        awaitBoth("the first ban", "Total failed:\t5", "Banned IP list:\t192.0.2.1\n");
        same("status", "sshd");
        same("status");
        same("set", "sshd", "banip", "192.0.2.9");
        same("set", "sshd", "banip", "192.0.2.9");
        same("get", "sshd", "banned");
        same("banned");
        same("banned", "192.0.2.1", "192.0.2.8");
        same("get", "sshd", "banned", "192.0.2.1");
        same("get", "sshd", "banned", "192.0.2.1", "192.0.2.8");
        same("set", "sshd", "unbanip", "192.0.2.1");
        same("set", "sshd", "unbanip", "192.0.2.1");
        same("set", "sshd", "unbanip", "--report-absent", "192.0.2.1");
        same("status", "sshd");
        same("status", "sshd", "short");
        same("set", "sshd", "maxretry", "2");
        DaemonProcessTest.appendFailures(auth, "192.0.2.2", 1);
        awaitBoth("the ban after maxretry changed", "Banned IP list:\t192.0.2.9 192.0.2.2\n");
        same("status", "sshd");
        same("get", "sshd", "banip");
        same("get", "sshd", "banip", ",");
        same("get", "sshd", "bantime");
        same("get", "sshd", "findtime");
        same("get", "sshd", "logpath");
        same("get", "sshd", "logencoding");
        same("get", "sshd", "maxlines");
        same("get", "sshd", "maxmatches");
        same("get", "sshd", "usedns");
        same("get", "sshd", "prefregex");
        same("set", "sshd", "idle", "on");
        same("set", "sshd", "idle", "off");
        same("set", "sshd", "idle", "maybe");
        same("status", "nope");
        same("get", "nope", "maxretry");
        same("foo");
        same("set", "sshd");
        same("set", "sshd", "foo", "1");
        same("get", "sshd", "foo");
        same("set", "sshd", "maxlines", "0");
        same("set", "sshd", "addlogpath", auth.toString(), "middle");
        same("set", "loglevel", "DEBUG");
        same("get", "loglevel");
        same("set", "loglevel", "bogus");
        same("set", "loglevel", "INFO");
        same("get", "dbfile");
        same("get", "dbpurgeage");
        same("echo", "hello", "world");
        same("version");
        same("unban", "192.0.2.2");
        same("unban", "--all");
        same("status", "sshd");
        same("stop", "sshd");
        same("status");
        same("stop");
        // both servers stopped: the same complaint from both clients
        assertEquals(pyClient("ping").exit(), ours.client("ping").exit());
    }
}
