package org.jfail2ban.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a configuration tree (fail2ban.conf, jail.conf, jail.d, filter.d, action.d and their
 * .local overlays) into the command stream a server executes, in fail2ban's order.
 *
 * <p>A command is a {@code List<Object>} of String, Integer, Boolean, Map and nested lists, as
 * fail2ban's own commands are Python lists. Reading either gives the whole stream or throws a
 * {@link ConfigException} naming the file, line, section and key: a half-read configuration is
 * never returned.
 */
public final class Configurator {

    /** The fail2ban release whose configuration we read; {@code %(fail2ban_version)s}. */
    static final String FAIL2BAN_VERSION = "1.0.2";

    private static final String INCLUDES = "INCLUDES";

    private Configurator() {
    }

    /**
     * What to read and how strictly.
     *
     * @param jail one jail only (its commands, with the server's), or null for all
     * @param requireLogFiles true when a jail without any existing log file is an error (start,
     *     reload, {@code -t}); false when it is a warning ({@code -d})
     * @param overrides the command line's {@code loglevel}, {@code logtarget} and
     *     {@code syslogsocket}, which replace fail2ban.conf's
     */
    public record Request(String jail, boolean requireLogFiles, Map<String, String> overrides) {
        public Request {
            overrides = Map.copyOf(overrides);
        }

        /** {@code fail2ban-client -d}: all jails, missing log files are warnings. */
        public static Request dump() {
            return new Request(null, false, Map.of());
        }

        /** {@code start}, {@code reload} and {@code -t}: all jails, missing log files are errors. */
        public static Request start() {
            return new Request(null, true, Map.of());
        }

        public Request withJail(String name) {
            return new Request(name, requireLogFiles, overrides);
        }

        public Request withOverrides(Map<String, String> values) {
            return new Request(jail, requireLogFiles, values);
        }
    }

    /**
     * A configuration read: the commands, and what fail2ban would have warned about on the way
     * ("Have not found any log file for sshd jail", "No actions were defined for x") for the
     * client to print.
     */
    public record Result(List<List<Object>> commands, List<String> warnings) {
        public Result {
            commands = List.copyOf(commands);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The stream fail2ban's {@code readConfig()} gives: server options from fail2ban.conf, then
     * each enabled jail ({@code add}, its {@code set}s, its actions), then the {@code start}s.
     * What {@code fail2ban-client -d} prints, one command per line.
     */
    public static List<List<Object>> commands(Path dir) throws ConfigException {
        return commands(dir, null);
    }

    /**
     * The stream for one jail only (fail2ban's {@code readConfig(jail)}, used by
     * {@code reload JAIL}); {@code jail == null} means all.
     */
    public static List<List<Object>> commands(Path dir, String jail) throws ConfigException {
        return read(dir, Request.dump().withJail(jail)).commands();
    }

    /**
     * The [Definition] options of fail2ban.conf with its .local and fail2ban.d overlays
     * (socket, pidfile, loglevel, logtarget, syslogsocket, dbfile, ...): what the client needs
     * before it can talk to a server. Standard options missing from the files carry fail2ban's
     * defaults.
     */
    public static Map<String, String> serverOptions(Path dir) throws ConfigException {
        ConfigTree tree = tree(dir);
        return new ServerReader(tree, new ArrayList<>()).options();
    }

    /** Reads the configuration as the request says. */
    public static Result read(Path dir, Request request) throws ConfigException {
        ConfigTree tree = tree(dir);
        List<String> warnings = new ArrayList<>();
        List<List<Object>> stream = new ArrayList<>(new ServerReader(tree, warnings).commands(request.overrides()));
        IniSet jails = tree.set("jail").orElse(null);
        if (jails == null) {
            if (request.jail() != null) {
                throw new ConfigException("no jail configuration: no " + tree.candidates("jail"));
            }
            warnings.add("Found no accessible config files for 'jail' under " + tree.base);
            return new Result(stream, warnings);
        }
        List<String> names = new ArrayList<>();
        for (String s : jails.sections.keySet()) {
            if (!s.startsWith(IniSet.KNOWN) && !s.equals(INCLUDES)) {
                names.add(s);
            }
        }
        if (request.jail() != null) {
            if (!names.contains(request.jail())) {
                throw new ConfigException("no jail [" + request.jail() + "] in " + String.join(", ", tree.filesOf("jail")));
            }
            names = List.of(request.jail());
        }
        Set<String> referenced = referencedNames(jails);
        List<JailReader> enabled = new ArrayList<>();
        for (String name : names) {
            JailReader j = new JailReader(name, tree, jails, warnings);
            j.read(request.requireLogFiles());
            if (j.enabled()) {
                j.check(referenced);
                enabled.add(j);
            }
        }
        for (JailReader j : enabled) {
            stream.addAll(j.commands(request.requireLogFiles()));
        }
        for (JailReader j : enabled) {
            stream.add(List.of("start", j.name));
        }
        return new Result(stream, warnings);
    }

    /**
     * {@code fail2ban-client --dp}: a command the way Python's pprint prints it (one line while
     * it fits in 1000 columns, else one item per line).
     */
    public static String pretty(List<Object> command) {
        return PrettyRepr.format(command);
    }

    private static ConfigTree tree(Path dir) throws ConfigException {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("Base configuration directory " + dir + " does not exist");
        }
        return new ConfigTree(dir.toString());
    }

    /** Every name some value refers to as %(name)s or %(section/name)s, lowercased. */
    private static Set<String> referencedNames(IniSet cfg) {
        Set<String> out = new HashSet<>();
        for (IniFile.Value v : cfg.defaults.values()) {
            collectReferences(v.text(), out);
        }
        for (Map<String, IniFile.Value> s : cfg.sections.values()) {
            for (IniFile.Value v : s.values()) {
                collectReferences(v.text(), out);
            }
        }
        return out;
    }

    private static void collectReferences(String text, Set<String> out) {
        int i = 0;
        while ((i = text.indexOf("%(", i)) >= 0) {
            int close = text.indexOf(")s", i + 2);
            if (close < 0) {
                return;
            }
            String name = PyText.lower(text.substring(i + 2, close));
            out.add(name);
            int slash = name.indexOf('/');
            if (slash >= 0) {
                out.add(name.substring(slash + 1));
            }
            i = close + 2;
        }
    }
}
