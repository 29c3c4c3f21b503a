package org.jfail2ban.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A filter or action file as one jail uses it: the options of its [Definition], the defaults of
 * its [Init] (with their {@code [Init?family=...]} variants), the options the jail gives in
 * brackets ({@code sshd[mode=aggressive]}), which win over [Init], and the jail's own options,
 * which the file may refer to as {@code %(name)s}. {@link #combined} resolves the
 * {@code <tag>}s among all of them, as the client does before sending.
 */
final class DefinitionReader {

    private static final String DEFINITION = "Definition";
    private static final String INIT = "Init";

    private final ConfigTree tree;
    /** "filter.d/sshd", "action.d/nftables". */
    final String file;
    final String jail;
    /** What the jail gave in brackets, then [Init]'s values (and known/ copies of them). */
    final Map<String, Object> initOpts;
    private final Map<String, OptionType> template;
    /** Where the jail named this file, for messages. */
    private final String namedAt;
    private IniSet cfg;
    private Map<String, Object> opts = new LinkedHashMap<>();
    private Map<String, String> vars = Map.of();
    private final Map<String, Optional<String>> tagCache = new HashMap<>();

    DefinitionReader(ConfigTree tree, String file, String jail, Map<String, Object> initOpts,
            Map<String, OptionType> template, String namedAt) {
        this.tree = tree;
        this.file = file;
        this.jail = jail;
        this.initOpts = initOpts;
        this.template = template;
        this.namedAt = namedAt;
    }

    /** Reads the file and its overlays; false when there is none. */
    boolean read() throws ConfigException {
        cfg = tree.set(file).orElse(null);
        return cfg != null;
    }

    /** Reads the file named by its path with its .local and includes (fail2ban's readexplicit); false when there is none. */
    boolean readExplicit() throws ConfigException {
        cfg = tree.explicit(file).orElse(null);
        return cfg != null;
    }

    IniSet config() {
        return cfg;
    }

    /**
     * Reads [Definition]'s known options (those the jail gives are left to the jail), then
     * [Init]. With {@code all}, every [Definition] option (and DEFAULT's) is kept too.
     */
    void readOptions(Map<String, Object> jailOpts, boolean all) throws ConfigException {
        Map<String, Object> p = jailOpts == null ? new LinkedHashMap<>() : jailOpts;
        if (!initOpts.isEmpty()) {
            Map<String, Object> merged = new LinkedHashMap<>(p);
            merged.putAll(initOpts);
            p = merged;
        }
        if (!cfg.hasSection(DEFINITION)) {
            throw new ConfigException(where() + "has no [Definition] section");
        }
        vars = varsOf(p);
        Map<String, Object> read = new LinkedHashMap<>();
        for (String name : template.keySet()) {
            if (p.containsKey(name)) {
                continue;
            }
            String v = cfg.get(DEFINITION, name, vars);
            if (v != null) {
                read.put(name, v);
            }
        }
        opts = read;
        if (cfg.hasSection(INIT)) {
            for (String opt : cfg.ownOptions(INIT)) {
                if (opt.equals("__name__")) {
                    continue;
                }
                String v = null;
                if (!opt.startsWith("known/")) {
                    v = cfg.get(INIT, opt);
                    initOpts.put("known/" + opt, v);
                }
                if (!initOpts.containsKey(opt)) {
                    if (v == null) {
                        v = cfg.get(INIT, opt);
                    }
                    initOpts.put(opt, v);
                }
            }
        }
        if (all) {
            for (String opt : cfg.allOptions(DEFINITION)) {
                if (!opt.equals("__name__") && !opts.containsKey(opt)) {
                    opts.put(opt, cfg.get(DEFINITION, opt));
                }
            }
        }
    }

    /** configparser's vars: keys lowercased, values as Python's str() prints them. */
    private static Map<String, String> varsOf(Map<String, Object> p) {
        Map<String, String> v = new HashMap<>();
        for (Map.Entry<String, Object> e : p.entrySet()) {
            v.put(PyText.lower(e.getKey()), e.getValue() == null ? null : PyText.str(e.getValue()));
        }
        return v;
    }

    /**
     * A [Definition] option (or {@code section/option}) for a {@code <tag>} no option names;
     * looked up once per tag and kept, as fail2ban does.
     */
    private String tagValue(String tag) throws ConfigException {
        Optional<String> v = tagCache.get(tag);
        if (v == null) {
            v = Optional.ofNullable(cfg.getEx(DEFINITION, tag, vars));
            tagCache.put(tag, v);
        }
        return v.orElse(null);
    }

    /**
     * [Definition]'s options with the jail's and [Init]'s, tags substituted (those named in
     * {@code ignore}, and options with a family variant, are left for the server), then typed.
     */
    Map<String, Object> combined(Set<String> ignore) throws ConfigException {
        Map<String, Object> all = opts;
        if (!initOpts.isEmpty()) {
            all = new LinkedHashMap<>(opts);
            all.putAll(initOpts);
        }
        if (all.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Set<String> skip = new HashSet<>(ignore);
        for (String n : all.keySet()) {
            int c = IniSet.conditionStart(n);
            if (c > 0) {
                skip.add(n.substring(0, c));
            }
        }
        Map<String, Object> out;
        try {
            out = Tags.substitute(all, skip, new Tags.Lookup() {
                @Override
                public String find(String tag) throws ConfigException {
                    return tagValue(tag);
                }
            });
        } catch (ConfigException e) {
            throw new ConfigException(where() + e.getMessage(), e);
        }
        if (out == all) {
            out = new LinkedHashMap<>(all);
        }
        for (Map.Entry<String, OptionType> t : template.entrySet()) {
            Object v = out.get(t.getKey());
            if (t.getValue() != OptionType.STRING && v instanceof String) {
                out.put(t.getKey(), t.getValue().convert((String) v, where(t.getKey())));
            }
        }
        return out;
    }

    /** "action.d/nftables.conf (used by [sshd]): " for messages. */
    String where() {
        return describe() + ": ";
    }

    private String where(String key) {
        Origin o = initOpts.containsKey(key) ? null : cfg.origin(DEFINITION, key);
        if (o != null) {
            return o.at(DEFINITION, key);
        }
        return namedAt + ": [" + jail + "] " + file + " option " + key + ": ";
    }

    String describe() {
        return tree.candidates(file).split(",")[0] + " (used by [" + jail + "])";
    }
}
