package org.jfail2ban.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jfail2ban.server.ActionFactory;
import org.jfail2ban.server.Server;
import org.jfail2ban.server.ServerLog;

/**
 * A short run of a server and a client in one JVM, for the launchers to record a class-data
 * sharing archive ({@code -XX:ArchiveClassesAtExit}) of the classes a real run loads: later
 * starts map them instead of loading and verifying them again, which is most of a JVM's start-up.
 * {@code java ServerTraining client|server}.
 */
public final class ServerTraining {

    private ServerTraining() {
    }

    public static void main(String[] args) throws Exception {
        String role = args.length > 0 ? args[0] : "client";
        Path dir = Files.createTempDirectory("jfail2ban-training-");
        try {
            train(role, dir);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static void train(String role, Path dir) throws Exception {
        Path socket = dir.resolve("f.sock");
        Path auth = Files.createFile(dir.resolve("auth.log"));
        ServerLog log = new ServerLog(Clock.systemDefaultZone(), ProcessHandle.current().pid());
        log.setBanner(Version.banner());
        log.setTarget(dir.resolve("f2b.log").toString());
        Server server = new Server(Clock.systemDefaultZone(), log, Version.COMPATIBLE, ActionFactory.COMMAND);
        Thread t = new Thread(() -> {
            try {
                server.run(socket, dir.resolve("f.pid"), false, () -> { });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
        String[] base = {"-s", socket.toString()};
        for (int i = 0; i < 200 && !ServerSpawner.answers(socket); i++) {
            Thread.sleep(10);
        }
        List<List<String>> cmds = List.of(List.of("ping"), List.of("add", "sshd", "auto"),
                List.of("set", "sshd", "addlogpath", auth.toString()),
                List.of("set", "sshd", "addfailregex", "Failed password for \\S+ from <HOST>"),
                List.of("set", "sshd", "addaction", "a"),
                List.of("set", "sshd", "action", "a", "actionban", "true <ip>"),
                List.of("start", "sshd"), List.of("status"), List.of("status", "sshd"), List.of("get", "sshd", "banip", "--with-time"),
                List.of("banned"));
        for (List<String> c : cmds) {
            String[] argv = Stream.concat(Stream.of(base), c.stream()).toArray(String[]::new);
            new ClientMain("fail2ban-client", out, out).run(argv);
        }
        if (role.equals("server")) {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                lines.append(stamp).append(" host sshd[1]: Failed password for root from 192.0.2.").append(i % 2).append(" port 22\n");
            }
            try {
                Files.writeString(auth, lines.toString());
            } catch (IOException e) {
                // training only
            }
            Thread.sleep(500);
            new ClientMain("fail2ban-client", out, out).run(new String[] {"-s", socket.toString(), "status", "sshd"});
        }
        new ClientMain("fail2ban-client", out, out).run(new String[] {"-s", socket.toString(), "stop"});
        t.join(30_000);
    }
}
