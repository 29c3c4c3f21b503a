package org.jfail2ban.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a filter of filter.d the way fail2ban's client does for {@code fail2ban-regex}: the
 * {@code .conf}, {@code .d/*.conf}, {@code .local}, {@code .d/*.local} files with their
 * {@code [INCLUDES]}, the INI dialect of Python's configparser ({@code %(name)s},
 * {@code %(section/name)s}, {@code %(known/name)s}), the {@code [Init]} options and options given
 * as {@code name[key=value]}, then the {@code <tag>} substitution of the options among
 * themselves. The result is the filter's settings in the order fail2ban sends them.
 */
public final class RegexFilterReader {

    /** A filter setting, as fail2ban's stream has it: {@code prefregex}, {@code addfailregex}, ... */
    public record Setting(String name, List<String> values) {
    }

    /**
     * A filter as read: its settings, and the values of some options after all substitution
     * (fail2ban-regex -vv shows them as "Real  filter options").
     */
    public record Read(List<Setting> settings, Map<String, String> realOptions) {
    }

    /** A filter that cannot be read; the message says why. */
    public static final class ReadException extends Exception {
        private static final long serialVersionUID = 1L;

        ReadException(String message) {
            super(message);
        }
    }

    private static final List<String> DEFINITION_OPTIONS =
            List.of("usedns", "prefregex", "ignoreregex", "failregex", "maxlines", "datepattern", "journalmatch");
    private static final Pattern SECTION = Pattern.compile("\\[(.+)\\]");
    private static final Pattern OPTION = Pattern.compile("(.*?)\\s*([=:])\\s*(.*)");
    private static final Pattern INTERPOLATION = Pattern.compile("%\\(([^)]+)\\)s");
    private static final Pattern SECTION_OPTION = Pattern.compile("([\\w\\-]+)/([^\\s>]+)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern CONDITIONAL = Pattern.compile("(\\w+)(\\?.+)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern TAG = Pattern.compile("<([^ <>]+)>");
    private static final int MAX_DEPTH = 10;
    private static final int MAX_TAG_REPLACE = 25;

    /** One parsed file: DEFAULT and its sections, option names in lower case, values joined. */
    private static final class Ini {
        final Map<String, String> defaults = new LinkedHashMap<>();
        final Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    }

    private final Map<String, String> defaults = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    private final Map<Path, Ini> parsed = new HashMap<>();

    /**
     * Reads filter {@code name} of {@code basedir}/filter.d ({@code basedir == null}: {@code name}
     * is a file of its own, read with its includes).
     */
    public static List<Setting> read(Path basedir, String name, Map<String, String> options, String logtype) throws ReadException {
        return readFull(basedir, name, options, logtype).settings();
    }

    /** Like {@link #read}, with the real values of logtype, datepattern and the options given. */
    public static Read readFull(Path basedir, String name, Map<String, String> options, String logtype) throws ReadException {
        RegexFilterReader r = new RegexFilterReader();
        List<Path> files = new ArrayList<>();
        if (basedir != null) {
            if (!Files.isDirectory(basedir)) {
                throw new ReadException("Base configuration directory " + basedir + " does not exist");
            }
            Path base = basedir.resolve("filter.d").resolve(name);
            files.add(Path.of(base + ".conf"));
            files.addAll(glob(Path.of(base + ".d"), ".conf"));
            files.add(Path.of(base + ".local"));
            files.addAll(glob(Path.of(base + ".d"), ".local"));
            files.removeIf(f -> !Files.exists(f));
            if (files.isEmpty()) {
                throw new ReadException("Found no accessible config files for 'filter.d/" + name + "' under " + basedir);
            }
        } else {
            files.add(Path.of(name));
        }
        r.readAll(files);
        return r.settings(options, logtype);
    }

    private static List<Path> glob(Path dir, String ext) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(ext)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    // ---------------------------------------------------------------- files and includes

    private void readAll(List<Path> files) throws ReadException {
        List<Path> all = new ArrayList<>();
        for (Path f : withLocal(files)) {
            all.addAll(includes(f, new ArrayList<>()));
        }
        if (all.isEmpty()) {
            throw new ReadException("Found no accessible config files among " + files);
        }
        for (Path f : all) {
            Ini ini = parse(f);
            if (ini == null) {
                continue;
            }
            defaults.putAll(ini.defaults);
            for (Map.Entry<String, Map<String, String>> e : ini.sections.entrySet()) {
                String n = e.getKey();
                Map<String, String> s = new LinkedHashMap<>(e.getValue());
                Matcher cond = CONDITIONAL.matcher(n);
                if (cond.matches()) {
                    n = cond.group(1);
                    Map<String, String> c = new LinkedHashMap<>();
                    for (Map.Entry<String, String> o : s.entrySet()) {
                        c.put(o.getKey() + cond.group(2), o.getValue());
                    }
                    s = c;
                }
                Map<String, String> old = sections.get(n);
                if (old == null) {
                    sections.put(n, s);
                    continue;
                }
                // the values replaced stay reachable as %(known/name)s
                Map<String, String> known = sections.computeIfAbsent("KNOWN/" + n, k -> new LinkedHashMap<>());
                for (String k : s.keySet()) {
                    if (old.containsKey(k)) {
                        known.put(k, old.get(k));
                    }
                }
                old.putAll(s);
            }
        }
    }

    /** Each file followed by its .local, when there is one. */
    private static List<Path> withLocal(List<Path> files) {
        List<Path> out = new ArrayList<>();
        for (Path f : files) {
            out.add(f);
            String s = f.toString();
            int dot = s.lastIndexOf('.');
            Path local = Path.of((dot > s.lastIndexOf('/') ? s.substring(0, dot) : s) + ".local");
            if (!files.contains(local) && Files.isRegularFile(local)) {
                out.add(local);
            }
        }
        return out;
    }

    /** The file with the files it includes before and after it, recursively, loops cut. */
    private List<Path> includes(Path file, List<Path> seen) throws ReadException {
        Ini ini = parse(file);
        if (ini == null) {
            return List.of();
        }
        List<Path> before = new ArrayList<>();
        List<Path> after = new ArrayList<>();
        Map<String, String> inc = ini.sections.get("INCLUDES");
        if (inc != null) {
            for (String which : List.of("before", "after")) {
                if (!inc.containsKey(which)) {
                    continue;
                }
                String v = interpolate(ini.defaults, inc, "INCLUDES", which, inc.get(which), Map.of());
                for (String res : v.split("\n", -1)) {
                    Path r = Path.of(res).isAbsolute() ? Path.of(res) : file.toAbsolutePath().getParent().resolve(res);
                    if (seen.contains(r)) {
                        continue;
                    }
                    List<Path> s = new ArrayList<>(seen);
                    s.add(file);
                    for (Path f : withLocal(List.of(r))) {
                        (which.equals("before") ? before : after).addAll(includes(f, s));
                    }
                }
            }
        }
        List<Path> out = new ArrayList<>(before);
        out.add(file);
        out.addAll(after);
        return out;
    }

    /** Python configparser's reading of one file; null when it cannot be read. */
    private Ini parse(Path file) throws ReadException {
        Path key = file.toAbsolutePath().normalize();
        if (parsed.containsKey(key)) {
            return parsed.get(key);
        }
        List<String> lines;
        try {
            lines = Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            lines = null;
        }
        if (lines == null) {
            parsed.put(key, null);
            return null;
        }
        Ini ini = new Ini();
        Map<String, List<String>> cur = null;
        Map<String, Map<String, List<String>>> raw = new LinkedHashMap<>();
        Map<String, List<String>> rawDefaults = new LinkedHashMap<>();
        String opt = null;
        int indent = Integer.MAX_VALUE;
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            int commentStart = Integer.MAX_VALUE;
            for (int i = line.indexOf(';'); i >= 0; i = line.indexOf(';', i + 1)) {
                if (i == 0 || Character.isWhitespace(line.charAt(i - 1))) {
                    commentStart = i;
                    break;
                }
            }
            String stripped = line.strip();
            if (stripped.startsWith("#") || stripped.startsWith(";")) {
                commentStart = 0;
            }
            String value = (commentStart == Integer.MAX_VALUE ? line : line.substring(0, commentStart)).strip();
            if (value.isEmpty()) {
                if (commentStart == Integer.MAX_VALUE && cur != null && opt != null && cur.get(opt) != null) {
                    cur.get(opt).add("");
                }
                continue;
            }
            int lead = 0;
            while (lead < line.length() && Character.isWhitespace(line.charAt(lead))) {
                lead++;
            }
            if (cur != null && opt != null && lead > indent) {
                cur.get(opt).add(value);
                continue;
            }
            indent = lead;
            Matcher sm = SECTION.matcher(value);
            if (sm.matches()) {
                String name = sm.group(1);
                if (name.equals("DEFAULT")) {
                    cur = rawDefaults;
                } else {
                    cur = raw.computeIfAbsent(name, k -> new LinkedHashMap<>());
                }
                opt = null;
                continue;
            }
            if (cur == null) {
                throw new ReadException("File contains no section headers.\nfile: '" + file + "', line: " + lineNo + "\n" + line);
            }
            Matcher om = OPTION.matcher(value);
            if (!om.matches() || om.group(1).isEmpty()) {
                throw new ReadException("Source contains parsing errors: '" + file + "'\n\t[line " + lineNo + "]: " + line);
            }
            opt = om.group(1).stripTrailing().toLowerCase(Locale.ROOT);
            List<String> v = new ArrayList<>();
            v.add(om.group(3).strip());
            cur.put(opt, v);
        }
        join(rawDefaults, ini.defaults);
        for (Map.Entry<String, Map<String, List<String>>> e : raw.entrySet()) {
            Map<String, String> s = new LinkedHashMap<>();
            join(e.getValue(), s);
            ini.sections.put(e.getKey(), s);
        }
        parsed.put(key, ini);
        return ini;
    }

    private static void join(Map<String, List<String>> raw, Map<String, String> out) {
        for (Map.Entry<String, List<String>> e : raw.entrySet()) {
            out.put(e.getKey(), String.join("\n", e.getValue()).stripTrailing());
        }
    }

    // ---------------------------------------------------------------- values

    /** configparser's get(section, option, vars): interpolated; null when there is no such option. */
    private String get(String section, String option, Map<String, String> vars) throws ReadException {
        Map<String, String> sec = sections.get(section);
        if (sec == null && !section.equals("DEFAULT")) {
            return null;
        }
        String o = option.toLowerCase(Locale.ROOT);
        String v = vars.containsKey(o) ? vars.get(o) : sec != null && sec.containsKey(o) ? sec.get(o) : defaults.get(o);
        if (v == null) {
            return null;
        }
        return interpolate(defaults, sec == null ? Map.of() : sec, section, o, v, vars);
    }

    /** fail2ban's get_ex: also {@code section/option} and {@code known/option}. */
    private String getEx(String section, String option, Map<String, String> vars) throws ReadException {
        Matcher m = option.indexOf('/') >= 0 ? SECTION_OPTION.matcher(option) : null;
        if (m != null && m.matches()) {
            String sec = m.group(1);
            String opt = m.group(2);
            String lower = sec.toLowerCase(Locale.ROOT);
            List<String> tries = lower.equals("known") ? List.of("KNOWN/" + section, section)
                    : List.of(lower.equals("default") ? "DEFAULT" : sec);
            for (String s : tries) {
                String v = get(s, opt, Map.of());
                if (v != null) {
                    return v;
                }
            }
        }
        return get(section, option, vars);
    }

    private String interpolate(Map<String, String> defs, Map<String, String> sec, String section, String option, String value,
            Map<String, String> vars) throws ReadException {
        StringBuilder out = new StringBuilder();
        interpolate(defs, sec, section, option, value, vars, out, 1);
        return out.toString();
    }

    private void interpolate(Map<String, String> defs, Map<String, String> sec, String section, String option, String rest,
            Map<String, String> vars, StringBuilder out, int depth) throws ReadException {
        if (depth > MAX_DEPTH) {
            throw new ReadException("Recursion limit exceeded in value substitution: option '" + option
                    + "' in section '" + section + "' contains an interpolation key which cannot be substituted in "
                    + MAX_DEPTH + " steps");
        }
        int i = 0;
        while (i < rest.length()) {
            int p = rest.indexOf('%', i);
            if (p < 0) {
                out.append(rest, i, rest.length());
                return;
            }
            out.append(rest, i, p);
            if (p + 1 < rest.length() && rest.charAt(p + 1) == '%') {
                out.append('%');
                i = p + 2;
                continue;
            }
            Matcher m = INTERPOLATION.matcher(rest).region(p, rest.length());
            if (p + 1 >= rest.length() || rest.charAt(p + 1) != '(' || !m.lookingAt()) {
                throw new ReadException("Bad interpolation in section '" + section + "', option '" + option + "': "
                        + rest.substring(p));
            }
            String var = m.group(1).toLowerCase(Locale.ROOT);
            i = m.end();
            String v = lookup(defs, sec, section, var, vars);
            if (v == null) {
                throw new ReadException("Bad value substitution: option '" + option + "' in section '" + section
                        + "' contains an interpolation key '" + var + "' which is not a valid option name.");
            }
            if (v.indexOf('%') >= 0) {
                interpolate(defs, sec, section, option, v, vars, out, depth + 1);
            } else {
                out.append(v);
            }
        }
    }

    /** A name inside %(...)s: vars, the section, DEFAULT, __name__, then section/option and known/option. */
    private String lookup(Map<String, String> defs, Map<String, String> sec, String section, String var, Map<String, String> vars) {
        if (vars.containsKey(var)) {
            return vars.get(var);
        }
        if (sec.containsKey(var)) {
            return sec.get(var);
        }
        if (defs.containsKey(var)) {
            return defs.get(var);
        }
        if (var.equals("__name__")) {
            return section;
        }
        int slash = var.indexOf('/');
        if (slash > 0) {
            String s = var.substring(0, slash);
            String o = var.substring(slash + 1);
            if (s.equals("known")) {
                Map<String, String> known = sections.get("KNOWN/" + section);
                if (known != null && known.containsKey(o)) {
                    return known.get(o);
                }
                return defs.get(o);
            }
            if (s.equals("default")) {
                return defs.get(o);
            }
            for (Map.Entry<String, Map<String, String>> e : sections.entrySet()) {
                if (e.getKey().equalsIgnoreCase(s)) {
                    String v = e.getValue().get(o);
                    return v != null ? v : defs.get(o);
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- the filter's options

    private Read settings(Map<String, String> userOptions, String logtype) throws ReadException {
        Map<String, String> init = new LinkedHashMap<>(userOptions);
        if (logtype != null && !init.containsKey("logtype")
                && !(sections.containsKey("Definition") && sections.get("Definition").containsKey("logtype"))) {
            init.put("logtype", logtype);
        }
        Map<String, String> vars = lowerKeys(init);
        Map<String, String> opts = new LinkedHashMap<>();
        if (sections.containsKey("Definition")) {
            for (String o : DEFINITION_OPTIONS) {
                if (!vars.containsKey(o)) {
                    String v = get("Definition", o, vars);
                    if (v != null) {
                        opts.put(o, v);
                    }
                }
            }
        }
        if (sections.containsKey("Init")) {
            for (String o : sections.get("Init").keySet()) {
                if (o.equals("__name__")) {
                    continue;
                }
                String v = get("Init", o, Map.of());
                if (!o.startsWith("known/")) {
                    init.put("known/" + o, v);
                }
                init.putIfAbsent(o, v);
            }
        }
        Map<String, String> combined = new LinkedHashMap<>(opts);
        combined.putAll(init);
        List<String> ignore = new ArrayList<>();
        for (String n : combined.keySet()) {
            Matcher c = CONDITIONAL.matcher(n);
            if (c.matches()) {
                ignore.add(c.group(1));
            }
        }
        Map<String, String> cache = new HashMap<>();
        combined = substituteTags(combined, ignore, name -> {
            if (!cache.containsKey(name)) {
                String v;
                try {
                    v = sections.containsKey("Definition") ? getEx("Definition", name, vars) : null;
                } catch (ReadException e) {
                    v = null;
                }
                cache.put(name, v);
            }
            return cache.get(name);
        });
        Map<String, String> real = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(List.of("logtype", "datepattern"));
        keys.addAll(userOptions.keySet());
        for (String k : keys) {
            String v = combined.containsKey(k) ? combined.get(k) : sections.containsKey("Definition") ? get("Definition", k, vars) : null;
            if (v != null) {
                real.put(k, v);
            }
        }
        return new Read(stream(combined), real);
    }

    private static Map<String, String> lowerKeys(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v != null) {
                out.put(k.toLowerCase(Locale.ROOT), v);
            }
        });
        return out;
    }

    /** fail2ban's substituteRecursiveTags: {@code <name>} replaced by the option of that name, until nothing changes. */
    static Map<String, String> substituteTags(Map<String, String> input, List<String> ignore,
            java.util.function.Function<String, String> more) throws ReadException {
        Map<String, String> tags = new LinkedHashMap<>(input);
        java.util.Set<String> done = new java.util.HashSet<>();
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        while (true) {
            boolean again = false;
            for (String tag : new ArrayList<>(tags.keySet())) {
                if (ignore.contains(tag) || done.contains(tag)) {
                    continue;
                }
                String orig = tags.get(tag);
                String value = orig == null ? "None" : orig;
                Map<String, Integer> rplc = counts.getOrDefault(tag, new HashMap<>());
                Matcher m = TAG.matcher(value);
                int from = 0;
                while (m.find(from)) {
                    String rtag = m.group(1);
                    if (ignore.contains(rtag)) {
                        from = m.end();
                        continue;
                    }
                    if (rtag.equals(tag) || rplc.getOrDefault(rtag, 1) > MAX_TAG_REPLACE) {
                        throw new ReadException("properties contain self referencing definitions and cannot be resolved, fail tag: "
                                + tag + ", found: " + rtag + ", value: " + value);
                    }
                    String repl = tags.get(rtag);
                    if (repl == null && more != null) {
                        repl = more.apply(rtag);
                    }
                    if (repl == null) {
                        from = m.end();
                        continue;
                    }
                    value = value.replace("<" + rtag + ">", repl);
                    rplc.merge(rtag, 1, Integer::sum);
                    from = m.start();
                    m = TAG.matcher(value);
                }
                if (!value.equals(orig)) {
                    if (TAG.matcher(value).find()) {
                        counts.put(tag, rplc);
                        again = true;
                    }
                    tags.put(tag, value);
                }
                if (value.indexOf('<') < 0) {
                    done.add(tag);
                }
            }
            if (!again) {
                return tags;
            }
        }
    }

    /** fail2ban's order of a filter's commands: usedns first, then maxlines/prefregex, then the rest. */
    private static List<Setting> stream(Map<String, String> opts) throws ReadException {
        List<Setting> out = new ArrayList<>();
        int prio = 0;
        for (Map.Entry<String, String> e : opts.entrySet()) {
            String opt = e.getKey();
            String value = e.getValue();
            if (value == null) {
                continue;
            }
            switch (opt) {
                case "failregex":
                case "ignoreregex": {
                    List<String> multi = new ArrayList<>();
                    for (String r : value.split("\n", -1)) {
                        if (!r.isEmpty()) {
                            multi.add(r);
                        }
                    }
                    if (!multi.isEmpty()) {
                        out.add(new Setting("add" + opt, multi));
                    }
                    break;
                }
                case "usedns":
                    out.add(0, new Setting(opt, List.of(value)));
                    prio++;
                    break;
                case "maxlines":
                    try {
                        value = String.valueOf(Integer.parseInt(value.strip()));
                    } catch (NumberFormatException ex) {
                        throw new ReadException("Wrong int value '" + value + "' for 'maxlines'");
                    }
                    out.add(prio++, new Setting(opt, List.of(value)));
                    break;
                case "prefregex":
                    out.add(prio++, new Setting(opt, List.of(value)));
                    break;
                case "datepattern":
                    out.add(new Setting(opt, List.of(value)));
                    break;
                case "journalmatch":
                    for (String m : value.split("\n")) {
                        if (!m.isEmpty()) {
                            out.add(new Setting("addjournalmatch", List.of(m)));
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        return out;
    }
}
