package org.jfail2ban.action;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one program to its end with a time limit. The program starts in a session and process
 * group of its own, so that on timeout the whole tree it made (a shell, its pipeline, a
 * {@code whois} hanging on the network) is terminated and then killed, not just the shell.
 */
final class ProcessRunner {

    /** What a finished program left. {@code exit} is -1 when it timed out and was killed. */
    record Result(int exit, String out, String err, boolean timedOut) {
        boolean ok() {
            return exit == 0 && !timedOut;
        }

        /** stderr, or stdout when stderr is empty, trimmed and shortened for a log line. */
        String diagnostic() {
            String s = err.isBlank() ? out : err;
            s = s.strip();
            return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
        }
    }

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path KILL = Path.of("/bin/kill");

    private final Map<String, String> environment;

    /** @param environment variables to add to (or replace in) the daemon's environment */
    ProcessRunner(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    ProcessRunner() {
        this(Map.of());
    }

    /**
     * Runs {@code argv}, writing {@code stdin} (may be null) to it, and waits at most
     * {@code timeout}. Throws IOException when the program cannot be started.
     */
    Result run(List<String> argv, String stdin, Duration timeout) throws IOException, InterruptedException {
        boolean ownGroup = Files.isExecutable(SETSID);
        List<String> cmd = argv;
        if (ownGroup) {
            cmd = new ArrayList<>(argv.size() + 1);
            cmd.add(SETSID.toString());
            cmd.add("-w");
            cmd.addAll(argv);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (!environment.isEmpty()) {
            pb.environment().putAll(environment);
        }
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread to = pump(p.getInputStream(), out);
        Thread te = pump(p.getErrorStream(), err);
        if (stdin != null) {
            Thread feeder = new Thread(() -> feed(p.getOutputStream(), stdin), "action-stdin");
            feeder.setDaemon(true);
            feeder.start();
        }
        boolean timedOut = false;
        if (!p.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
            timedOut = true;
            killTree(p, ownGroup);
        }
        // a child that went to the background may keep the pipes open: do not wait for it long
        to.join(200);
        te.join(200);
        String o;
        String e;
        synchronized (out) {
            o = out.toString(StandardCharsets.UTF_8);
        }
        synchronized (err) {
            e = err.toString(StandardCharsets.UTF_8);
        }
        return new Result(timedOut ? -1 : p.exitValue(), o, e, timedOut);
    }

    private static void killTree(Process p, boolean ownGroup) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>();
        p.descendants().forEach(tree::add);
        signalGroup(p.pid(), "TERM", ownGroup);
        tree.forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(100, TimeUnit.MILLISECONDS) || ownGroup) {
            // whatever is left of the group (or the tree) is killed outright
            signalGroup(p.pid(), "KILL", ownGroup);
            p.descendants().forEach(tree::add);
            tree.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        p.waitFor(2, TimeUnit.SECONDS);
    }

    private static void signalGroup(long pgid, String signal, boolean ownGroup) throws InterruptedException {
        if (!ownGroup || !Files.isExecutable(KILL)) {
            return;
        }
        try {
            Process k = new ProcessBuilder(KILL.toString(), "-s", signal, "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            k.waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the direct kills below still apply
        }
    }

    private static void feed(OutputStream os, String text) {
        try (os) {
            os.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the program closed its input early; its exit status tells the rest
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    synchronized (to) {
                        if (to.size() < 1 << 20) {
                            to.write(buf, 0, r);
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away; keep what we have
            }
        }, "action-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
