package org.jfail2ban.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jfail2ban.testing.Jvm;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;

/**
 * A configuration directory for a whole daemon in a temporary directory: fail2ban.conf with the
 * socket, pidfile, log and database there, a filter {@code test} for sshd's "Failed password"
 * lines, an action {@code rec} that writes each event to {@code actions.txt}, and a jail
 * {@code test} on {@code auth.log}. Both our tools and the Python fail2ban read it. Or our
 * shipped configuration with only .local files of the test ({@link #shipped}).
 */
final class TestConf {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    final Path dir;
    final Path conf;
    final Path auth;
    final Path serverLog;
    final Path socket;
    final Path pidfile;
    final Path db;
    final Path rec;

    private TestConf(Path dir) {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        this.auth = dir.resolve("auth.log");
        this.serverLog = dir.resolve("fail2ban.log");
        this.socket = dir.resolve("run/fail2ban.sock");
        this.pidfile = dir.resolve("run/fail2ban.pid");
        this.db = dir.resolve("fail2ban.sqlite3");
        this.rec = dir.resolve("actions.txt");
    }

    /** The configuration, with {@code jailOptions} lines for the jail {@code test} in jail.local. */
    static TestConf create(Path dir, String... jailOptions) throws IOException {
        TestConf c = new TestConf(dir);
        Files.createDirectories(c.conf.resolve("filter.d"));
        Files.createDirectories(c.conf.resolve("action.d"));
        c.write("fail2ban.conf", "[Definition]", "loglevel = INFO", "logtarget = " + c.serverLog, "syslogsocket = auto",
                "socket = " + c.socket, "pidfile = " + c.pidfile, "allowipv6 = auto", "dbfile = " + c.db, "dbpurgeage = 1d");
        c.write("filter.d/test.conf", "[Definition]", "failregex = Failed password for \\S+ from <HOST> port");
        c.writeRecordingAction();
        c.write("jail.conf", "[test]", "enabled = true", "filter = test", "action = rec", "logpath = " + c.auth,
                "backend = auto", "maxretry = 3", "findtime = 1h", "bantime = 1h");
        if (jailOptions.length > 0) {
            List<String> local = new ArrayList<>(List.of("[test]"));
            local.addAll(List.of(jailOptions));
            c.write("jail.local", local.toArray(String[]::new));
        }
        Files.writeString(c.auth, "");
        return c;
    }

    /**
     * Our configuration as shipped (the repository's {@code config/}), copied, with a
     * fail2ban.local that puts socket, pidfile, log and database here, the action {@code rec},
     * and {@code jailLocal} as jail.local: only .local files change what we ship.
     */
    static TestConf shipped(Path dir, String... jailLocal) throws IOException {
        TestConf c = new TestConf(dir);
        copyShippedConfig(c.conf);
        c.write("fail2ban.local", "[Definition]", "logtarget = " + c.serverLog, "socket = " + c.socket,
                "pidfile = " + c.pidfile, "dbfile = " + c.db);
        c.writeRecordingAction();
        c.write("jail.local", jailLocal);
        return c;
    }

    /** Copies the repository's {@code config/} to {@code to}. */
    static void copyShippedConfig(Path to) throws IOException {
        Path from = Path.of("config").toAbsolutePath();
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    private void writeRecordingAction() throws IOException {
        write("action.d/rec.conf", "[Definition]",
                "actionstart = echo start >> <target>",
                "actionstop = echo stop >> <target>",
                "actionban = echo ban <ip> >> <target>",
                "actionunban = echo unban <ip> >> <target>",
                "[Init]", "target = " + rec);
    }

    void write(String file, String... lines) throws IOException {
        Files.writeString(conf.resolve(file), String.join("\n", lines) + "\n");
    }

    /** Appends {@code n} failure lines of one address, stamped now. */
    void fail(String ip, int n) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(line(ip));
        }
        Files.writeString(auth, sb, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    static String line(String ip) {
        return LocalDateTime.now().format(STAMP) + " host sshd[4242]: Failed password for root from " + ip + " port 22 ssh2\n";
    }

    /** Our fail2ban-client on this configuration. */
    Proc.Result client(String... args) {
        List<String> a = new ArrayList<>(List.of("-c", conf.toString()));
        a.addAll(List.of(args));
        return Proc.run(Jvm.command("org.jfail2ban.cli.ClientMain", a.toArray(String[]::new)), dir, Map.of(), null, 180);
    }

    /** The Python fail2ban-client of the oracle on this configuration. */
    Proc.Result pythonClient(String... args) {
        List<String> a = new ArrayList<>(List.of("-c", conf.toString()));
        a.addAll(List.of(args));
        return Oracle.run("fail2ban-client", a, dir, Map.of(), null, 120);
    }

    String actions() {
        return read(rec);
    }

    String log() {
        return read(serverLog);
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The "Banned IP list" of {@code status test} as the client prints it. */
    static List<String> bannedIn(String status) {
        for (String l : status.split("\n")) {
            int at = l.indexOf("Banned IP list:");
            if (at >= 0) {
                String v = l.substring(at + "Banned IP list:".length()).trim();
                return v.isEmpty() ? List.of() : List.of(v.split("\\s+"));
            }
        }
        return List.of();
    }
}
