package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jfail2ban.protocol.Json;

/**
 * One jail section of jail.conf and its overlays: its options, its filter, its actions, and the
 * commands that build it in a server, in fail2ban's order.
 */
final class JailReader {

    /** The options read before anything else: whether the jail runs, and what filter it needs. */
    static final Map<String, OptionType> FIRST = OptionType.template(
            "enabled", OptionType.BOOL,
            "backend", OptionType.STRING,
            "filter", OptionType.STRING);

    /** Every jail option fail2ban 1.0.2 reads, in its order; the filter's options come last. */
    static final Map<String, OptionType> OPTIONS;

    static {
        Map<String, OptionType> m = OptionType.template(
                "enabled", OptionType.BOOL,
                "backend", OptionType.STRING,
                "maxretry", OptionType.INT,
                "maxmatches", OptionType.INT,
                "findtime", OptionType.STRING,
                "bantime", OptionType.STRING,
                "bantime.increment", OptionType.BOOL,
                "bantime.factor", OptionType.STRING,
                "bantime.formula", OptionType.STRING,
                "bantime.multipliers", OptionType.STRING,
                "bantime.maxtime", OptionType.STRING,
                "bantime.rndtime", OptionType.STRING,
                "bantime.overalljails", OptionType.BOOL,
                "ignorecommand", OptionType.STRING,
                "ignoreself", OptionType.BOOL,
                "ignoreip", OptionType.STRING,
                "ignorecache", OptionType.STRING,
                "filter", OptionType.STRING,
                "logtimezone", OptionType.STRING,
                "logencoding", OptionType.STRING,
                "logpath", OptionType.STRING,
                "action", OptionType.STRING);
        for (Map.Entry<String, OptionType> e : FilterReader.OPTIONS.entrySet()) {
            m.putIfAbsent(e.getKey(), e.getValue());
        }
        OPTIONS = m;
    }

    /** Options given to the server through other commands (or not at all). */
    private static final Set<String> NOT_SET_DIRECTLY;

    static {
        java.util.HashSet<String> s = new java.util.HashSet<>(Set.of("action", "filter", "enabled"));
        s.addAll(FilterReader.OPTIONS.keySet());
        NOT_SET_DIRECTLY = Set.copyOf(s);
    }

    /**
     * Names stock jail.conf defines in [DEFAULT] for actions to use; a jail may set them even
     * where no value of its own configuration refers to them (a minimal jail.local without
     * jail.conf), so they are never reported as unknown.
     */
    private static final Set<String> CONVENTIONAL = Set.of("port", "protocol", "chain", "banaction",
            "banaction_allports", "mta", "destemail", "sender", "mode", "fail2ban_agent", "action_", "action_mw",
            "action_mwl", "action_xarf", "action_cf_mwl", "action_blocklist_de", "action_abuseipdb", "cfemail",
            "cfapikey", "blocklist_de_apikey");

    /** Jail options that are time spans; a bad one stops the reading. */
    static final List<String> TIME_SPANS = List.of("bantime", "findtime", "bantime.maxtime", "bantime.rndtime");

    private static final Map<String, Object> FIRST_DEFAULTS = Map.of("enabled", false, "backend", "auto", "filter", "");
    private static final Map<String, Object> DEFAULTS = Map.of("enabled", false, "backend", "auto", "filter", "", "action", "");

    final String name;
    private final ConfigTree tree;
    private final IniSet cfg;
    private final List<String> warnings;
    private Map<String, Object> opts = new LinkedHashMap<>();
    private FilterReader filter;
    /** Backend auto, no log file, a journalmatch: the jail reads the journal. */
    private boolean journalFallback;
    /** ActionReader, or a ready command for a Python action. */
    private final List<Object> actions = new ArrayList<>();

    JailReader(String name, ConfigTree tree, IniSet cfg, List<String> warnings) {
        this.name = name;
        this.tree = tree;
        this.cfg = cfg;
        this.warnings = warnings;
    }

    boolean enabled() {
        return Boolean.TRUE.equals(opts.get("enabled"));
    }

    /** Reads the jail (only as far as {@code enabled} when it is not). */
    /**
     * @param starting true when the commands start a server (a jail then needs its logs, or the
     *     journal in their place); false for {@code -d}, which prints what fail2ban 1.0.2 prints
     */
    void read(boolean starting) throws ConfigException {
        Map<String, String> builtIn = new LinkedHashMap<>();
        builtIn.put("fail2ban_version", Configurator.FAIL2BAN_VERSION);
        builtIn.put("fail2ban_confpath", tree.base);
        cfg.mergeDefaults(builtIn);

        opts = options(FIRST, FIRST_DEFAULTS);
        if (!enabled()) {
            return;
        }
        String flt = (String) opts.get("filter");
        if (!flt.isEmpty()) {
            OptionSpec spec;
            try {
                spec = OptionSpec.parse(flt);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at("filter") + "invalid filter definition '" + flt + "': " + e.getMessage());
            }
            filter = new FilterReader(tree, spec.name(), name, new LinkedHashMap<>(spec.options()), originText("filter"));
            if (!filter.def.read()) {
                throw new ConfigException(at("filter") + "filter '" + spec.name() + "' not found: no "
                        + tree.candidates("filter.d/" + spec.name()));
            }
            journalFallback = starting && journalInsteadOfMissingLogs(spec);
            if (journalFallback) {
                opts.put("backend", "systemd");
            }
            filter.applyBackend((String) opts.get("backend"));
            filter.def.readOptions(opts, true);
            cfg.mergeSection(name, filter.def.combined(Set.of()), "known/", Origin.BUILT_IN);
        } else {
            filter = null;
            warnings.add("No filter set for jail " + name);
        }

        opts = options(OPTIONS, DEFAULTS);
        if (journalFallback) {
            opts.put("backend", "systemd");
        }
        if (filter != null) {
            filter.def.readOptions(opts, false);
        }
        for (String entry : OptionSpec.split((String) opts.get("action"))) {
            String act = PyText.strip(entry);
            if (act.isEmpty()) {
                continue;
            }
            OptionSpec spec;
            try {
                spec = OptionSpec.parse(act);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at("action") + "invalid action definition '" + act + "': " + e.getMessage());
            }
            if (spec.name().endsWith(".py")) {
                Map<String, String> o = new LinkedHashMap<>(spec.options());
                String actname = o.remove("actname");
                if (actname == null) {
                    actname = PyText.dropExtension(spec.name());
                }
                List<Object> cmd = new ArrayList<>(List.of("set", name, "addaction", actname,
                        ConfigTree.join(ConfigTree.join(tree.base, "action.d"), spec.name()), Json.write(o, Json.Style.PYTHON_ASCII)));
                actions.add(cmd);
                continue;
            }
            ActionReader a = new ActionReader(tree, spec.name(), name, new LinkedHashMap<>(spec.options()), originText("action"));
            if (!a.def.read()) {
                throw new ConfigException(at("action") + "action '" + spec.name() + "' not found: no "
                        + tree.candidates("action.d/" + spec.name()));
            }
            a.def.readOptions(opts, false);
            actions.add(a);
        }
        if (actions.isEmpty()) {
            warnings.add("No actions were defined for " + name);
        }
    }

    /**
     * Whether this jail reads the journal because none of its log files exists: backend
     * {@code auto}, no file matched by logpath, and a journalmatch (the filter's, one given with
     * the filter's name, or the jail's). Debian 12 has no /var/log/auth.log unless rsyslog is
     * installed, and sshd logs to the journal only; fail2ban 1.1 switches such a jail to the
     * journal, 1.0.2 refuses to start it. The switch is logged as a warning.
     */
    private boolean journalInsteadOfMissingLogs(OptionSpec spec) throws ConfigException {
        if (!PyText.str(opts.getOrDefault("backend", "auto")).startsWith("auto")) {
            return false;
        }
        boolean match = spec.options().containsKey("journalmatch") || cfg.hasOption(name, "journalmatch")
                || filter.def.config().hasOption("Definition", "journalmatch");
        if (!match) {
            return false;
        }
        String logpath = cfg.get(name, "logpath");
        if (logpath == null) {
            return false;
        }
        if (logFiles(logpath).stream().anyMatch(LogFile::exists)) {
            return false;
        }
        warnings.add("Have not found any log file for " + name + " jail (" + logpath.strip().replace("\n", ", ")
                + "); reading the systemd journal instead (backend = auto and the filter has a journalmatch)");
        return true;
    }

    /** Reads options of the template from the jail section (DEFAULT behind it), typed. */
    private Map<String, Object> options(Map<String, OptionType> template, Map<String, Object> defaults)
            throws ConfigException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, OptionType> t : template.entrySet()) {
            String v = cfg.get(name, t.getKey());
            if (v == null) {
                Object d = defaults.get(t.getKey());
                if (d != null) {
                    out.put(t.getKey(), d);
                }
                continue;
            }
            out.put(t.getKey(), t.getValue().convert(v, at(t.getKey())));
        }
        return out;
    }

    /** "jail.local line 3: [sshd] bantime: " */
    String at(String key) {
        Origin o = cfg.origin(name, key);
        return o == null ? "[" + name + "] " + key + ": " : o.at(name, key);
    }

    private String originText(String key) {
        Origin o = cfg.origin(name, key);
        return o == null ? "[" + name + "]" : o.toString();
    }

    /**
     * The checks fail2ban leaves to the server or skips: time spans that do not read, and keys of
     * the jail section nothing reads. Such a key is most often a typo ({@code maxretyr},
     * {@code bantime.incremnt}) that would otherwise leave the jail silently on its defaults.
     */
    void check(Set<String> referenced) throws ConfigException {
        for (String key : TIME_SPANS) {
            Object v = opts.get(key);
            if (v instanceof String) {
                try {
                    TimeSpan.evaluate((String) v);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(at(key) + e.getMessage());
                }
            }
        }
        for (String key : cfg.ownOptions(name)) {
            if (key.startsWith("known/") || key.equals("__name__") || OPTIONS.containsKey(key)
                    || CONVENTIONAL.contains(key) || referenced.contains(key)) {
                continue;
            }
            IniFile.Value v = cfg.sections.get(name).get(key);
            if (v.origin() == Origin.BUILT_IN) {
                continue;
            }
            String hint = closest(key);
            throw new ConfigException(v.origin().at(name, key) + "unknown jail option: no jail, filter or action"
                    + " option has this name and no value refers to it as %(" + key + ")s"
                    + (hint != null ? "; did you mean '" + hint + "'?" : ""));
        }
    }

    /** The jail option spelled most like the key, if it is one or two edits away. */
    private static String closest(String key) {
        String best = null;
        int bestDist = 3;
        for (String o : OPTIONS.keySet()) {
            int d = distance(key, o);
            if (d < bestDist) {
                bestDist = d;
                best = o;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    cur[j] = Math.min(cur[j], prev[j - 1]);
                }
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * The commands for this jail: {@code add} with its backend, the filter's commands, the
     * jail's options, the log paths, then each action.
     *
     * @param requireLogs when true a jail without any existing log file is an error (starting a
     *     server); otherwise a warning (dumping the configuration)
     */
    List<List<Object>> commands(boolean requireLogs) throws ConfigException {
        List<List<Object>> stream = new ArrayList<>();
        List<List<Object>> logs = new ArrayList<>();
        if (filter != null) {
            stream.addAll(filter.commands());
        }
        FilterReader.fill(stream, opts, name);
        String backend = "auto";
        for (Map.Entry<String, Object> e : opts.entrySet()) {
            String opt = e.getKey();
            Object value = e.getValue();
            if (opt.equals("logpath")) {
                if (PyText.str(opts.getOrDefault("backend", "")).startsWith("systemd")) {
                    continue;
                }
                logPaths((String) value, logs, requireLogs);
            } else if (opt.equals("backend")) {
                backend = (String) value;
            } else if (opt.equals("ignoreip")) {
                List<Object> cmd = new ArrayList<>(List.of("set", name, "addignoreip"));
                cmd.addAll(words((String) value));
                stream.add(cmd);
            } else if (!NOT_SET_DIRECTLY.contains(opt)) {
                stream.add(List.of("set", name, opt, value));
            }
        }
        stream.addAll(logs);
        for (Object a : actions) {
            if (a instanceof ActionReader) {
                stream.addAll(((ActionReader) a).commands());
            } else {
                @SuppressWarnings("unchecked")
                List<Object> cmd = (List<Object>) a;
                stream.add(cmd);
            }
        }
        stream.add(0, List.of("add", name, backend));
        return stream;
    }

    /** One {@code addlogpath} per existing file each line's pattern names; " tail" may end a line. */
    private void logPaths(String value, List<List<Object>> logs, boolean requireLogs) throws ConfigException {
        int found = 0;
        for (LogFile f : logFiles(value)) {
            if (!f.exists()) {
                warnings.add("File " + f.path() + " is a dangling link, thus cannot be monitored");
                continue;
            }
            found++;
            logs.add(List.of("set", name, "addlogpath", f.path(), f.tail()));
        }
        if (found == 0) {
            String msg = "Have not found any log file for " + name + " jail";
            if (requireLogs) {
                throw new ConfigException(at("logpath") + msg + " (" + value.replace("\n", ", ") + ")");
            }
            warnings.add(msg);
        }
    }

    /** A file a logpath line names, with the line's start word ({@code head} unless it says {@code tail}). */
    private record LogFile(String path, String tail) {
        boolean exists() {
            return ConfigTree.exists(path);
        }
    }

    /** The files each line of a logpath value names, globs expanded; " tail" (or a word) may end a line. */
    private static List<LogFile> logFiles(String value) {
        List<LogFile> out = new ArrayList<>();
        for (String line : PyText.lines(value)) {
            int sp = line.lastIndexOf(' ');
            String path = sp < 0 ? line : line.substring(0, sp);
            String tail = sp < 0 ? "head" : line.substring(sp + 1);
            for (String p : Glob.expand(path)) {
                out.add(new LogFile(p, tail));
            }
        }
        return out;
    }

    /** fail2ban's splitwords: split on blanks, commas and newlines; empty words dropped. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        if (s == null || s.isEmpty()) {
            return out;
        }
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == ' ' || s.charAt(i) == ',' || s.charAt(i) == '\n') {
                String w = PyText.strip(s.substring(start, i));
                if (!w.isEmpty()) {
                    out.add(w);
                }
                start = i + 1;
            }
        }
        return out;
    }
}
