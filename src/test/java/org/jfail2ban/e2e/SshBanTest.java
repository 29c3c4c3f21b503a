package org.jfail2ban.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfail2ban.testing.Jvm;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole thing, as on a real server: a real OpenSSH server in one network namespace,
 * logging (through a syslog-like prefix, as rsyslog writes auth.log) to the file our shipped
 * sshd jail watches with its default nftables banaction; our daemon running in that namespace
 * too; three failed password logins from the other namespace. Then a new connection from that
 * address fails, {@code status sshd} lists it, {@code set sshd unbanip} lets it in again, and
 * after {@code stop} the namespace's ruleset is exactly what it was before the start.
 */
@Tag("root")
class SshBanTest {

    private static final DateTimeFormatter SYSLOG = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    /** Ours, in place before the daemon starts: it must be there, untouched, after the stop. */
    private static final String OTHER_RULES = "table inet admin {\n chain input {\n  type filter hook input priority 10; policy accept;\n"
            + "  tcp dport 2222 counter accept\n }\n}\n";

    @TempDir
    Path tmp;

    private Path conf;

    private static boolean installed(String path) {
        return Files.isExecutable(Path.of(path));
    }

    @Test
    void threeFailedLoginsBanTheAddressInTheFirewallUntilUnbannedAndStopLeavesTheRulesetAsItWas() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (network namespaces, nft)");
        assumeTrue(installed("/usr/sbin/sshd") && installed("/usr/bin/sshpass") && installed("/usr/sbin/nft"),
                "needs openssh-server, sshpass and nftables (scripts/install-deps)");
        Path auth = Files.createFile(tmp.resolve("auth.log"));
        // our configuration as shipped, copied: only the .local files of the test change it
        conf = tmp.resolve("conf");
        TestConf.copyShippedConfig(conf);
        Files.writeString(conf.resolve("fail2ban.local"), String.join("\n", "[Definition]",
                "logtarget = " + tmp.resolve("fail2ban.log"),
                "socket = " + tmp.resolve("run/fail2ban.sock"),
                "pidfile = " + tmp.resolve("run/fail2ban.pid"),
                "dbfile = " + tmp.resolve("fail2ban.sqlite3"), ""));
        Files.writeString(conf.resolve("jail.local"), String.join("\n",
                "# The test's sshd logs to this file (its stderr with a syslog prefix, as rsyslog writes auth.log).",
                "# Three failed logins must ban: sshpass gives up after the first refused password, so each",
                "# login is one connection with one \"Failed password\" line; hence maxretry 3 instead of 5.",
                "[sshd]", "logpath = " + auth, "maxretry = 3", ""));

        try (NetPair net = NetPair.create("ssh")) {
            Process sshd = startSshd(net, auth);
            try {
                NetPair.exec(net.server, OTHER_RULES, "nft", "-f", "-").assertOk();
                String before = ruleset(net);
                assertTrue(net.connects(22), "sshd answers before anything is banned");

                Proc.Result start = daemon(net, "start");
                assertEquals(0, start.exit(), start.toString());
                for (int i = 0; i < 3; i++) {
                    Proc.Result login = NetPair.exec(net.client, null, "sshpass", "-p", "wrong-" + i, "ssh",
                            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=no",
                            "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no",
                            "-o", "ConnectTimeout=5", "root@" + NetPair.SERVER, "true");
                    assertEquals(5, login.exit(), "sshpass: wrong password\n" + login);
                }
                assertTrue(Jvm.waitFor(Duration.ofSeconds(60), () -> status().contains("Banned IP list:\t" + NetPair.CLIENT + "\n")),
                        status() + "\n" + Files.readString(auth) + "\n" + TestConf.read(tmp.resolve("fail2ban.log")));
                assertEquals("Status for the jail: sshd\n"
                        + "|- Filter\n"
                        + "|  |- Currently failed:\t0\n"
                        + "|  |- Total failed:\t3\n"
                        + "|  `- File list:\t" + auth + "\n"
                        + "`- Actions\n"
                        + "   |- Currently banned:\t1\n"
                        + "   |- Total banned:\t1\n"
                        + "   `- Banned IP list:\t" + NetPair.CLIENT + "\n", status());
                assertFalse(net.connects(22), "a new connection from the banned address fails");
                assertTrue(ruleset(net).contains(NetPair.CLIENT), ruleset(net));

                assertEquals("1\n", daemon(net, "set", "sshd", "unbanip", NetPair.CLIENT).assertOk().out());
                assertTrue(net.connects(22), "unbanned, it connects again");

                assertEquals("Shutdown successful\n", daemon(net, "stop").assertOk().out());
                assertEquals(before, ruleset(net), "the ruleset is exactly as before the start");
            } finally {
                if (Files.exists(tmp.resolve("run/fail2ban.sock"))) {
                    daemon(net, "stop");
                }
                sshd.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                sshd.destroyForcibly();
            }
        }
    }

    /**
     * sshd in the server's namespace with its own host key and configuration; its log lines (on
     * stderr with -e) go to {@code auth} as a syslog daemon writes them.
     */
    private Process startSshd(NetPair net, Path auth) throws Exception {
        Path key = tmp.resolve("ssh_host_ed25519_key");
        Proc.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())).assertOk();
        Path cfg = tmp.resolve("sshd_config");
        Files.writeString(cfg, String.join("\n", "Port 22", "ListenAddress " + NetPair.SERVER, "HostKey " + key,
                "PidFile " + tmp.resolve("sshd.pid"), "PasswordAuthentication yes", "KbdInteractiveAuthentication no",
                "UsePAM no", "PermitRootLogin yes", "StrictModes no", "LogLevel INFO", ""));
        // sshd's privilege separation directory (Debian's package makes it at boot)
        Files.createDirectories(Path.of("/run/sshd"));
        Process p = new ProcessBuilder(NetPair.in(net.server, List.of("/usr/sbin/sshd", "-D", "-e", "-f", cfg.toString())))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<String> early = new ArrayList<>();
        Object ready = new Object();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
                    OutputStream out = Files.newOutputStream(auth, StandardOpenOption.APPEND)) {
                String l;
                while ((l = in.readLine()) != null) {
                    String msg = l.strip();
                    out.write((LocalDateTime.now().format(SYSLOG) + " srv sshd[" + p.pid() + "]: " + msg + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    synchronized (ready) {
                        early.add(msg);
                        ready.notifyAll();
                    }
                }
            } catch (IOException e) {
                // sshd ended
            }
        }, "sshd-log");
        pump.setDaemon(true);
        pump.start();
        assertTrue(Jvm.waitFor(Duration.ofSeconds(30), () -> {
            synchronized (ready) {
                return early.stream().anyMatch(m -> m.startsWith("Server listening on"));
            }
        }), "sshd did not start: " + early);
        return p;
    }

    /** Our fail2ban-client inside the server's namespace, on the copied configuration. */
    private Proc.Result daemon(NetPair net, String... args) {
        List<String> a = new ArrayList<>(List.of("-c", conf.toString()));
        a.addAll(List.of(args));
        return Proc.run(NetPair.in(net.server, Jvm.command("org.jfail2ban.cli.ClientMain", a.toArray(String[]::new))),
                tmp, Map.of(), null, 180);
    }

    private String status() {
        List<String> a = List.of("-c", conf.toString(), "status", "sshd");
        return Proc.run(Jvm.command("org.jfail2ban.cli.ClientMain", a.toArray(String[]::new)), tmp, Map.of(), null, 180).out();
    }

    private static String ruleset(NetPair net) {
        return NetPair.exec(net.server, null, "nft", "list", "ruleset").assertOk().out();
    }
}
