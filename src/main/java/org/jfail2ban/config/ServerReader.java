package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * fail2ban.conf with its fail2ban.d and .local overlays: the options the client needs before it
 * talks to a server (socket, pidfile, ...) and those it sends ({@code set loglevel ...}).
 */
final class ServerReader {

    private static final String DEFINITION = "Definition";

    /** Read before a server is reached; the command line can override each. */
    static final Map<String, String> EARLY = defaults(
            "socket", "/var/run/fail2ban/fail2ban.sock",
            "pidfile", "/var/run/fail2ban/fail2ban.pid",
            "loglevel", "INFO",
            "logtarget", "/var/log/fail2ban.log",
            "syslogsocket", "auto");

    /** Sent to the server, with the position fail2ban gives each in the stream. */
    private static final Map<String, Integer> ORDER = Map.of(
            "thread", 0, "syslogsocket", 11, "loglevel", 12, "logtarget", 13, "allowipv6", 14,
            "dbfile", 50, "dbmaxmatches", 51, "dbpurgeage", 51);

    /** Log levels fail2ban's logging knows by name. */
    private static final Set<String> LEVELS = Set.of("CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "NOTICE",
            "INFO", "MSG", "DEBUG", "TRACEDEBUG", "HEAVYDEBUG", "NOTSET");

    /** What fail2ban warns of when fail2ban.conf leaves them out (it names the default it takes). */
    private static final Map<String, String> WARNED_DEFAULTS = defaults(
            "socket", "/var/run/fail2ban/fail2ban.sock",
            "pidfile", "/var/run/fail2ban/fail2ban.pid",
            "loglevel", "INFO",
            "logtarget", "/var/log/fail2ban.log",
            "syslogsocket", "auto",
            "allowipv6", "auto",
            "dbfile", "/var/lib/fail2ban/fail2ban.sqlite3",
            "dbpurgeage", "1d");

    private final IniSet cfg;
    private final ConfigTree tree;
    private final List<String> warnings;

    ServerReader(ConfigTree tree, List<String> warnings) throws ConfigException {
        this.tree = tree;
        this.warnings = warnings;
        this.cfg = tree.set("fail2ban").orElse(null);
        if (cfg == null) {
            warnings.add("Found no accessible config files for 'fail2ban' under " + tree.base + "; using defaults");
        }
    }

    private static Map<String, String> defaults(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A [Definition] option, or null (a file without [Definition] gives only defaults). */
    private String get(String key) throws ConfigException {
        return cfg == null || !cfg.hasSection(DEFINITION) ? null : cfg.get(DEFINITION, key);
    }

    /** Every [Definition] option, expanded, with fail2ban's defaults for the standard ones. */
    Map<String, String> options() throws ConfigException {
        Map<String, String> out = new LinkedHashMap<>(EARLY);
        out.put("allowipv6", "auto");
        out.put("dbfile", "/var/lib/fail2ban/fail2ban.sqlite3");
        out.put("dbpurgeage", "1d");
        if (cfg != null && cfg.hasSection(DEFINITION)) {
            for (String k : cfg.allOptions(DEFINITION)) {
                String v = cfg.get(DEFINITION, k);
                if (v != null) {
                    out.put(k, v);
                }
            }
        }
        return out;
    }

    /**
     * The server commands, in fail2ban's order. {@code overrides} are the command line's
     * loglevel, logtarget and syslogsocket.
     */
    List<List<Object>> commands(Map<String, String> overrides) throws ConfigException {
        if (cfg != null && cfg.hasSection(DEFINITION)) {
            for (Map.Entry<String, String> d : WARNED_DEFAULTS.entrySet()) {
                if (get(d.getKey()) == null) {
                    warnings.add("'" + d.getKey() + "' not defined in '" + DEFINITION + "'. Using default one: '"
                            + d.getValue() + "'");
                }
            }
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        for (String k : List.of("loglevel", "logtarget", "syslogsocket")) {
            String v = overrides.get(k);
            if (v == null) {
                v = get(k);
            }
            opts.put(k, v != null ? v : EARLY.get(k));
        }
        String v = get("allowipv6");
        opts.put("allowipv6", v != null ? v : "auto");
        v = get("dbfile");
        opts.put("dbfile", v != null ? v : "/var/lib/fail2ban/fail2ban.sqlite3");
        v = get("dbmaxmatches");
        if (v != null) {
            opts.put("dbmaxmatches", OptionType.INT.convert(v, at("dbmaxmatches")));
        }
        v = get("dbpurgeage");
        opts.put("dbpurgeage", v != null ? v : "1d");
        if (get("dbpurgeage") != null) {
            try {
                TimeSpan.evaluate(v);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at("dbpurgeage") + e.getMessage());
            }
        }
        checkLevel((String) opts.get("loglevel"), overrides.containsKey("loglevel"));
        if (cfg != null && cfg.hasSection("Thread")) {
            String s = cfg.get("Thread", "stacksize");
            if (s != null) {
                Map<String, Object> thread = new LinkedHashMap<>();
                thread.put("stacksize", OptionType.INT.convert(s, where("Thread", "stacksize")));
                opts.put("thread", thread);
            }
        }
        List<Map.Entry<String, Object>> sorted = new ArrayList<>(opts.entrySet());
        sorted.sort(new Comparator<Map.Entry<String, Object>>() {
            @Override
            public int compare(Map.Entry<String, Object> a, Map.Entry<String, Object> b) {
                int c = Integer.compare(ORDER.get(a.getKey()), ORDER.get(b.getKey()));
                return c != 0 ? c : a.getKey().compareTo(b.getKey());
            }
        });
        List<List<Object>> stream = new ArrayList<>();
        for (Map.Entry<String, Object> e : sorted) {
            stream.add(List.of("set", e.getKey(), e.getValue()));
        }
        return stream;
    }

    private void checkLevel(String level, boolean fromCommandLine) throws ConfigException {
        String l = PyText.strip(level);
        if (PyText.parseInt(l) != null && l.charAt(0) != '-' && l.charAt(0) != '+' && l.indexOf('_') < 0) {
            return;
        }
        if (!LEVELS.contains(l.toUpperCase(java.util.Locale.ROOT))) {
            String where = fromCommandLine ? "--loglevel: " : at("loglevel");
            throw new ConfigException(where + "invalid log level '" + level
                    + "' (CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG, TRACEDEBUG, HEAVYDEBUG or a number)");
        }
    }

    private String at(String key) {
        return where(DEFINITION, key);
    }

    private String where(String section, String key) {
        Origin o = cfg == null ? null : cfg.origin(section, key);
        return o == null ? tree.base + "/fail2ban.conf: [" + section + "] " + key + ": " : o.at(section, key);
    }
}
