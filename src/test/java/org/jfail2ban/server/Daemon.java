package org.jfail2ban.server;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jfail2ban.protocol.Connection;
import org.jfail2ban.protocol.Reply;
import org.jfail2ban.testing.Jvm;
import org.jfail2ban.testing.Proc;

/**
 * A real fail2ban-server process (ServerMain from the built classes) on a socket in a temporary
 * directory, with our real client as another process. For integration tests.
 */
final class Daemon implements AutoCloseable {

    final Path dir;
    final Path socket;
    final Path pidfile;
    final Path log;
    private Process process;

    private Daemon(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("run/fail2ban.sock");
        this.pidfile = dir.resolve("run/fail2ban.pid");
        this.log = dir.resolve("fail2ban.log");
    }

    /** A java command line for one of our entry points. */
    static List<String> javaCommand(String mainClass, String... args) {
        return Jvm.command(mainClass, args);
    }

    /** Starts {@code fail2ban-server -f --async} and waits until it answers. */
    static Daemon start(Path dir, String... extra) throws IOException {
        Daemon d = new Daemon(dir);
        List<String> args = new ArrayList<>(List.of("-f", "--async", "-s", d.socket.toString(), "-p", d.pidfile.toString(),
                "--logtarget", d.log.toString(), "--loglevel", "INFO"));
        args.addAll(Arrays.asList(extra));
        d.process = new ProcessBuilder(javaCommand("org.jfail2ban.cli.ServerMain", args.toArray(String[]::new)))
                .directory(dir.toFile())
                .redirectOutput(dir.resolve("server.out").toFile())
                .redirectError(dir.resolve("server.err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!waitFor(Duration.ofSeconds(60), () -> d.answers() || !d.process.isAlive())) {
            d.close();
            throw new AssertionError("server did not come up: " + d.diagnostics());
        }
        if (!d.process.isAlive()) {
            throw new AssertionError("server died: " + d.diagnostics());
        }
        return d;
    }

    Process process() {
        return process;
    }

    boolean answers() {
        try (Connection c = Connection.open(socket, 1000)) {
            return c.send(List.of("ping")).isOk();
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends one command over the socket. */
    Reply send(Object... cmd) throws IOException {
        try (Connection c = Connection.open(socket, 0)) {
            return c.send(Arrays.asList(cmd));
        }
    }

    /** Sends a command that must succeed and returns its value. */
    Object ok(Object... cmd) throws IOException {
        Reply r = send(cmd);
        if (!r.isOk()) {
            throw new AssertionError(Arrays.toString(cmd) + " failed: " + r);
        }
        return r.value();
    }

    /** Runs our fail2ban-client as a process against this server. */
    Proc.Result client(String... args) {
        List<String> a = new ArrayList<>(List.of("-s", socket.toString()));
        a.addAll(Arrays.asList(args));
        return Proc.run(javaCommand("org.jfail2ban.cli.ClientMain", a.toArray(String[]::new)), dir, Map.of(), null, 120);
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("server.out", "server.err", "fail2ban.log")) {
            try {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    sb.append("\n--- ").append(f).append(":\n").append(Files.readString(p));
                }
            } catch (IOException e) {
                sb.append(e);
            }
        }
        return sb.toString();
    }

    static boolean waitFor(Duration max, BooleanSupplier cond) {
        return Jvm.waitFor(max, cond);
    }

    /** Asserts a condition comes true within a minute (generous: the test machine is shared). */
    void await(String what, BooleanSupplier cond) {
        if (!waitFor(Duration.ofSeconds(60), cond)) {
            throw new AssertionError("timed out waiting for " + what + diagnostics());
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                send("stop");
            } catch (IOException | RuntimeException e) {
                // not answering: killed below
            }
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
