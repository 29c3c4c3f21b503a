package org.jfail2ban.action;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a native backend gets from its action: the resolved properties, the shared ban targets,
 * the clock, and a way to run its tools.
 *
 * @param jail    the jail's name
 * @param action  the action's name in the jail
 * @param props   the action's properties, resolved as command actions resolve them
 * @param shared  the server's shared targets (multi-jail safety)
 * @param clock   the time source
 * @param runner  runs the backend's tools
 * @param timeout the time limit of one tool run ({@code timeout} property)
 */
record BackendContext(String jail, String action, PropertyTags props, SharedTargets shared, Clock clock,
                      ProcessRunner runner, Duration timeout) {

    private static final Pattern BLANKS = Pattern.compile("\\s+");

    /** This action's identity as a holder of shared targets. */
    String holder() {
        return jail + "/" + action;
    }

    /** A property for a family ("inet4", "inet6" or "" for none), or {@code def} when unset or blank. */
    String get(String key, String family, String def) {
        String v = props.value(key, family);
        return v == null || v.isBlank() ? def : v.strip();
    }

    String get(String key, String def) {
        return get(key, "", def);
    }

    /** A property that must match {@code pattern}; the error names the action and the key. */
    String checked(String key, String family, String def, Pattern pattern) throws ActionException {
        String v = get(key, family, def);
        if (!pattern.matcher(v).matches()) {
            throw new ActionException(what() + ": invalid value for '" + key + "': '" + v + "'");
        }
        return v;
    }

    /** A program with its leading arguments ({@code ip netns exec ns nft}), split on blanks. */
    List<String> program(String key, String family, String def) throws ActionException {
        String v = get(key, family, def);
        List<String> argv = new ArrayList<>(List.of(BLANKS.split(v.strip())));
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new ActionException(what() + ": empty program in '" + key + "'");
        }
        return argv;
    }

    /** Runs a tool; a start failure becomes an ActionException naming the action. */
    ProcessRunner.Result run(List<String> argv, String stdin) throws ActionException {
        try {
            ProcessRunner.Result r = runner.run(argv, stdin, timeout);
            if (r.timedOut()) {
                throw new ActionException(what() + ": " + String.join(" ", argv) + " timed out after "
                        + timeout.toSeconds() + " s");
            }
            return r;
        } catch (IOException e) {
            throw new ActionException(what() + ": cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionException(what() + ": interrupted", e);
        }
    }

    /** Runs a tool that must succeed. */
    ProcessRunner.Result runOk(List<String> argv, String stdin, String doing) throws ActionException {
        ProcessRunner.Result r = run(argv, stdin);
        if (!r.ok()) {
            throw new ActionException(what() + ": " + doing + " failed (" + String.join(" ", argv) + ", exit "
                    + r.exit() + "): " + r.diagnostic());
        }
        return r;
    }

    /** "jail sshd action nftables", for messages. */
    String what() {
        return "jail " + jail + " action " + action;
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a.size() + b.length);
        out.addAll(a);
        out.addAll(List.of(b));
        return out;
    }
}
