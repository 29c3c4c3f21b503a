package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfail2ban.config.IniFile.Value;

/**
 * Several files merged into one view, in reading order, the way fail2ban merges a .conf with
 * its .d/*.conf, .local and .d/*.local overlays and its includes: later files override keys of
 * earlier ones, the overridden values stay reachable as {@code %(known/key)s}, and
 * {@code [Init?family=inet6]} folds into {@code [Init]} as keys {@code key?family=inet6}.
 *
 * <p>Reading a value expands {@code %(name)s} (from the section, then DEFAULT),
 * {@code %(section/name)s}, {@code %(known/name)s}, {@code %(default/name)s},
 * {@code %(__name__)s} and {@code %%}, recursively up to ten levels as configparser does.
 */
final class IniSet {

    static final String DEFAULT = IniFile.DEFAULT;
    static final String KNOWN = "KNOWN/";
    /** configparser's limit on nested interpolation. */
    private static final int MAX_DEPTH = 10;

    final Map<String, Value> defaults = new LinkedHashMap<>();
    final Map<String, Map<String, Value>> sections = new LinkedHashMap<>();

    /** A set holding one file as it is, without the merge rules (for reading its [INCLUDES]). */
    static IniSet single(IniFile f) {
        IniSet s = new IniSet();
        s.defaults.putAll(f.defaults);
        s.sections.putAll(f.sections);
        return s;
    }

    /** Merges one more file on top of what is read so far. */
    void merge(IniFile f) {
        defaults.putAll(f.defaults);
        for (Map.Entry<String, Map<String, Value>> e : f.sections.entrySet()) {
            String name = e.getKey();
            Map<String, Value> s = e.getValue();
            int cond = conditionStart(name);
            if (cond > 0) {
                String suffix = name.substring(cond);
                name = name.substring(0, cond);
                Map<String, Value> renamed = new LinkedHashMap<>();
                for (Map.Entry<String, Value> kv : s.entrySet()) {
                    renamed.put(kv.getKey() + suffix, kv.getValue());
                }
                s = renamed;
            }
            Map<String, Value> existing = sections.get(name);
            if (existing != null) {
                Map<String, Value> known = section(KNOWN + name);
                for (Map.Entry<String, Value> kv : existing.entrySet()) {
                    if (s.containsKey(kv.getKey())) {
                        known.put(kv.getKey(), kv.getValue());
                    }
                }
                existing.putAll(s);
            } else {
                sections.put(name, new LinkedHashMap<>(s));
            }
        }
    }

    /**
     * Where the condition starts in a section name like {@code Init?family=inet6}: a run of
     * word characters, then '?' and at least one more character; 0 if the name has none.
     */
    static int conditionStart(String name) {
        int i = 0;
        while (i < name.length() && PyText.isWord(name.charAt(i))) {
            i++;
        }
        return i > 0 && i + 1 < name.length() && name.charAt(i) == '?' ? i : 0;
    }

    /** The section of that name, made empty when missing. */
    private Map<String, Value> section(String name) {
        Map<String, Value> s = sections.get(name);
        if (s == null) {
            s = new LinkedHashMap<>();
            sections.put(name, s);
        }
        return s;
    }

    boolean hasSection(String name) {
        return sections.containsKey(name);
    }

    /** configparser's has_option: the section's own keys and DEFAULT's. */
    boolean hasOption(String section, String option) {
        String key = PyText.lower(option);
        if (section == null || section.isEmpty() || section.equals(DEFAULT)) {
            return defaults.containsKey(key);
        }
        Map<String, Value> s = sections.get(section);
        return s != null && (s.containsKey(key) || defaults.containsKey(key));
    }

    /** The section's own keys (no DEFAULT), in order; empty if there is no such section. */
    List<String> ownOptions(String section) {
        Map<String, Value> s = sections.get(section);
        return s == null ? List.of() : new ArrayList<>(s.keySet());
    }

    /** The section's keys and DEFAULT's, own keys first. */
    List<String> allOptions(String section) {
        List<String> out = new ArrayList<>(ownOptions(section));
        for (String k : defaults.keySet()) {
            if (!sections.getOrDefault(section, Map.of()).containsKey(k)) {
                out.add(k);
            }
        }
        return out;
    }

    void mergeDefaults(Map<String, String> values) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            defaults.put(e.getKey(), new Value(e.getValue(), Origin.BUILT_IN));
        }
    }

    /** Adds values to a section, each key prefixed (keys already carrying the prefix are left out). */
    void mergeSection(String section, Map<String, ?> values, String prefix, Origin origin) {
        Map<String, Value> s = section(section);
        for (Map.Entry<String, ?> e : values.entrySet()) {
            if (prefix.isEmpty()) {
                s.put(e.getKey(), new Value(PyText.str(e.getValue()), origin));
            } else if (!e.getKey().startsWith(prefix) && !e.getKey().equals("__name__")) {
                s.put(prefix + e.getKey(), new Value(PyText.str(e.getValue()), origin));
            }
        }
    }

    /** The value as written (section, then DEFAULT), or null. */
    Value raw(String section, String option) {
        String key = PyText.lower(option);
        Map<String, Value> s = sections.get(section);
        Value v = s == null ? null : s.get(key);
        return v != null ? v : defaults.get(key);
    }

    /** Where a key of a section is written (section, then DEFAULT), or null. */
    Origin origin(String section, String option) {
        Value v = raw(section, option);
        return v == null ? null : v.origin();
    }

    /**
     * The expanded value of a key: looked up in {@code vars}, the section, then DEFAULT. Null when
     * there is no such key, or no such section (DEFAULT always exists).
     */
    String get(String section, String option, Map<String, String> vars) throws ConfigException {
        Map<String, Value> s = sections.get(section);
        if (s == null && !section.equals(DEFAULT)) {
            return null;
        }
        String key = PyText.lower(option);
        String text;
        if (vars != null && vars.containsKey(key)) {
            text = vars.get(key);
        } else {
            Value v = s == null ? null : s.get(key);
            if (v == null) {
                v = defaults.get(key);
            }
            if (v == null) {
                return null;
            }
            text = v.text();
        }
        if (text == null || text.indexOf('%') < 0) {
            return text;
        }
        Expansion x = new Expansion(section, s, vars, key);
        StringBuilder out = new StringBuilder(text.length() + 32);
        x.expand(text, out, 1);
        return out.toString();
    }

    String get(String section, String option) throws ConfigException {
        return get(section, option, null);
    }

    /**
     * fail2ban's get_ex: a key written {@code sec/name} is read from that section
     * ({@code known/name}: the value this one overrides, else the section's own;
     * {@code default/name}: DEFAULT), and otherwise as a plain key of {@code section}.
     */
    String getEx(String section, String option, Map<String, String> vars) throws ConfigException {
        int slash = option.indexOf('/');
        if (slash > 0 && isSectionRef(option, slash)) {
            String sec = option.substring(0, slash);
            String opt = option.substring(slash + 1);
            String lsec = PyText.lower(sec);
            String[] tries = lsec.equals("known") ? new String[] {KNOWN + section, section}
                    : new String[] {lsec.equals("default") ? DEFAULT : sec};
            for (String t : tries) {
                String v = get(t, opt, null);
                if (v != null) {
                    return v;
                }
            }
        }
        return get(section, option, vars);
    }

    /** {@code ^[\w-]+/[^\s>]+$} */
    private static boolean isSectionRef(String option, int slash) {
        for (int i = 0; i < slash; i++) {
            char c = option.charAt(i);
            if (c != '-' && !PyText.isWord(c)) {
                return false;
            }
        }
        if (slash + 1 >= option.length()) {
            return false;
        }
        for (int i = slash + 1; i < option.length(); i++) {
            char c = option.charAt(i);
            if (c == '>' || PyText.isSpace(c)) {
                return false;
            }
        }
        return true;
    }

    /** One expansion of one key: the lookup chain and the names met on the way (for loop reports). */
    private final class Expansion {
        private final String section;
        private final Map<String, Value> own;
        private final Map<String, String> vars;
        private final String option;
        /** The section/name references resolved so far (made when the first one is). */
        private Map<String, String> extra;
        /** The names being expanded, outermost first (made when the first one is). */
        private List<String> path;

        Expansion(String section, Map<String, Value> own, Map<String, String> vars, String option) {
            this.section = section;
            this.own = own;
            this.vars = vars;
            this.option = option;
        }

        private boolean has(String key) {
            return key.equals("__name__") || (extra != null && extra.containsKey(key)) || (vars != null && vars.containsKey(key))
                    || (own != null && own.containsKey(key)) || defaults.containsKey(key);
        }

        private String lookup(String key) {
            if (key.equals("__name__")) {
                return section;
            }
            String v = extra == null ? null : extra.get(key);
            if (v != null) {
                return v;
            }
            if (vars != null && vars.containsKey(key)) {
                return vars.get(key);
            }
            Value x = own == null ? null : own.get(key);
            if (x == null) {
                x = defaults.get(key);
            }
            return x == null ? null : x.text();
        }

        void expand(String rest, StringBuilder out, int depth) throws ConfigException {
            mapSectionReferences(rest);
            if (depth > MAX_DEPTH) {
                throw error("the value goes more than " + MAX_DEPTH + " levels deep (a loop?): "
                        + String.join(" -> ", path == null ? List.of() : path));
            }
            int i = 0;
            int n = rest.length();
            while (i < n) {
                int p = rest.indexOf('%', i);
                if (p < 0) {
                    out.append(rest, i, n);
                    return;
                }
                out.append(rest, i, p);
                char c = p + 1 < n ? rest.charAt(p + 1) : 0;
                if (c == '%') {
                    out.append('%');
                    i = p + 2;
                } else if (c == '(') {
                    int close = rest.indexOf(')', p + 2);
                    if (close < 0 || close == p + 2 || close + 1 >= n || rest.charAt(close + 1) != 's') {
                        throw error("bad interpolation reference '" + rest.substring(p)
                                + "' (write %(name)s, or %% for a percent sign)");
                    }
                    String name = rest.substring(p + 2, close);
                    String var = PyText.lower(name);
                    i = close + 2;
                    String v = lookup(var);
                    if (v == null) {
                        throw error("%(" + name + ")s names no option '" + var + "' in [" + section
                                + "] or [DEFAULT]" + via());
                    }
                    if (v.indexOf('%') >= 0) {
                        if (path == null) {
                            path = new ArrayList<>();
                        }
                        path.add("%(" + name + ")s");
                        expand(v, out, depth + 1);
                        path.remove(path.size() - 1);
                    } else {
                        out.append(v);
                    }
                } else {
                    throw error("'%' must be followed by '%' or '(', found '" + rest.substring(p)
                            + "' (write %% for a percent sign)");
                }
            }
        }

        private String via() {
            return path == null || path.isEmpty() ? "" : " (reached through " + String.join(" -> ", path) + ")";
        }

        /** Resolves each {@code %(sec/name)s} of the text that is not a key of its own. */
        private void mapSectionReferences(String rest) {
            if (rest.indexOf('/') < 0 || !rest.contains("%(")) {
                return;
            }
            int i = 0;
            int n = rest.length();
            while ((i = rest.indexOf("%(", i)) >= 0) {
                int j = i + 2;
                while (j < n && (rest.charAt(j) == '-' || PyText.isWord(rest.charAt(j)))) {
                    j++;
                }
                if (j == i + 2 || j >= n || rest.charAt(j) != '/') {
                    i++;
                    continue;
                }
                int close = rest.indexOf(')', j + 1);
                if (close < 0 || close == j + 1 || close + 1 >= n || rest.charAt(close + 1) != 's') {
                    i++;
                    continue;
                }
                String sopt = rest.substring(i + 2, close);
                String sec = rest.substring(i + 2, j);
                String opt = rest.substring(j + 1, close);
                i = close + 2;
                if (has(sopt)) {
                    continue;
                }
                String lsec = PyText.lower(sec);
                Value v = null;
                boolean useDefault;
                if (lsec.equals("default")) {
                    useDefault = true;
                } else if (lsec.equals("known")) {
                    Map<String, Value> known = sections.get(KNOWN + section);
                    v = known == null ? null : known.get(opt);
                    useDefault = v == null;
                } else {
                    Map<String, Value> other = sections.get(sec);
                    if (other == null) {
                        continue;
                    }
                    v = other.get(opt);
                    useDefault = v == null;
                }
                if (useDefault) {
                    v = defaults.get(opt);
                    if (v == null) {
                        continue;
                    }
                }
                if (extra == null) {
                    extra = new HashMap<>();
                }
                extra.put(sopt, v.text());
            }
        }

        private ConfigException error(String what) {
            if (vars != null && vars.containsKey(option)) {
                return new ConfigException("[" + section + "] " + option + " (given by the jail): " + what);
            }
            Value v = own == null ? null : own.get(option);
            if (v == null) {
                v = defaults.get(option);
            }
            Origin o = v == null ? null : v.origin();
            String where = o == null ? "[" + section + "] " + option + ": " : o.at(section, option);
            return new ConfigException(where + what);
        }
    }
}
