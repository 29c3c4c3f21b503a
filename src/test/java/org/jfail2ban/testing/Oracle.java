package org.jfail2ban.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The compatibility oracle: Debian's fail2ban 1.0.2 package, fetched by scripts/fetch-oracle into
 * a cache outside git. Gives its stock configuration, its sample logs and its Python tools.
 */
public final class Oracle {

    private static Path root;

    private Oracle() {
    }

    /** The unpacked package (holds etc/fail2ban and usr/lib/python3/dist-packages/fail2ban). */
    public static synchronized Path root() {
        if (root == null) {
            Path script = Path.of("scripts/fetch-oracle").toAbsolutePath();
            Proc.Result r = Proc.run(List.of(script.toString()));
            if (r.exit() != 0) {
                throw new AssertionError("cannot fetch the fail2ban oracle: " + r.err());
            }
            root = Path.of(r.out().trim());
        }
        return root;
    }

    /** The stock configuration directory (etc/fail2ban). */
    public static Path etc() {
        return root().resolve("etc/fail2ban");
    }

    /** fail2ban's Python package directory. */
    public static Path pythonPackage() {
        return root().resolve("usr/lib/python3/dist-packages/fail2ban");
    }

    /** The annotated sample logs (tests/files/logs). */
    public static Path sampleLogs() {
        return pythonPackage().resolve("tests/files/logs");
    }

    /** Runs one of the Python tools (fail2ban-client, fail2ban-regex, fail2ban-server). */
    public static Proc.Result run(String tool, List<String> args) {
        return run(tool, args, null, Map.of(), null, 600);
    }

    public static Proc.Result run(String tool, List<String> args, Path dir, Map<String, String> env, String stdin, int timeout) {
        List<String> cmd = new ArrayList<>();
        cmd.add(python());
        cmd.add(root().resolve("usr/bin/" + tool).toString());
        cmd.addAll(args);
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("PYTHONPATH", root().resolve("usr/lib/python3/dist-packages").toString());
        return Proc.run(cmd, dir, e, stdin, timeout);
    }

    /** The machine's Python 3: Debian's, which the package is made for. */
    public static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
