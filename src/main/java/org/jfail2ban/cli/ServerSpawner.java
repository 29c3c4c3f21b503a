package org.jfail2ban.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfail2ban.protocol.Connection;

/**
 * Starts a server in the background and waits until it answers: a new session ({@code setsid}),
 * stdin and stdout on /dev/null, stderr in a private file that is read back when the server dies
 * before it answers, so the user learns why.
 */
final class ServerSpawner {

    /**
     * JVM options of a server started without the launcher (tests, a jar run by hand); the
     * launcher bin/fail2ban-server sets the same ones and a class-data-sharing archive.
     */
    static final List<String> SERVER_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-Xss256k", "-Xms4m", "-Xmx512m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
            "-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=16m", "-XX:MaxDirectMemorySize=8m", "-XX:-UsePerfData",
            "-Xshare:auto", "-Djdk.lang.Process.launchMechanism=VFORK");

    /** Set in the environment of a server we detached, so it does not detach again. */
    static final String DETACHED = "JFAIL2BAN_DETACHED";

    private ServerSpawner() {
    }

    /** The command that runs fail2ban-server: the launcher next to ours, else this JVM again. */
    static List<String> serverCommand() {
        String bin = System.getenv("JFAIL2BAN_BIN");
        if (bin != null && Files.isExecutable(Path.of(bin, "fail2ban-server"))) {
            return List.of(Path.of(bin, "fail2ban-server").toString());
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(SERVER_JVM_OPTIONS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ServerMain.class.getName());
        return cmd;
    }

    /** Why a start failed, or null when the server answers. */
    static String start(List<String> serverArgs, Path socket, double timeoutSeconds) {
        List<String> cmd = new ArrayList<>();
        for (String s : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(s))) {
                cmd.add(s);
                break;
            }
        }
        cmd.addAll(serverCommand());
        cmd.addAll(serverArgs);
        Path errors = null;
        try {
            errors = Files.createTempFile("jfail2ban-start-", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()));
            pb.environment().put(DETACHED, "1");
            Process p = pb.start();
            long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
            long sleep = 6;
            while (true) {
                if (Files.exists(socket) && answers(socket)) {
                    return null;
                }
                // setsid forks when it must; a clean exit of it is no failure of the server
                if (!p.isAlive() && p.exitValue() != 0) {
                    String why = Files.readString(errors, StandardCharsets.UTF_8).strip();
                    return "the server exited with status " + p.exitValue() + (why.isEmpty() ? "" : ": " + why);
                }
                if (System.nanoTime() > deadline) {
                    String why = Files.readString(errors, StandardCharsets.UTF_8).strip();
                    return "the server did not answer on " + socket + " within " + timeoutSeconds + " s"
                            + (why.isEmpty() ? "" : ": " + why);
                }
                Thread.sleep(sleep);
                sleep = Math.min(sleep * 2, 100);
            }
        } catch (IOException e) {
            return "cannot run " + String.join(" ", cmd) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (errors != null) {
                try {
                    Files.deleteIfExists(errors);
                } catch (IOException e) {
                    // a temporary file left in /tmp
                }
            }
        }
    }

    static boolean answers(Path socket) {
        try (Connection c = Connection.open(socket, 500)) {
            return c.send(List.of("ping")).isOk();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
