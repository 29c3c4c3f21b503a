package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A jail's filter (filter.d/NAME) and the commands that give it to the jail. */
final class FilterReader {

    /** The options a filter sends, in the order fail2ban asks for them. */
    static final Map<String, OptionType> OPTIONS = OptionType.template(
            "usedns", OptionType.STRING,
            "prefregex", OptionType.STRING,
            "ignoreregex", OptionType.STRING,
            "failregex", OptionType.STRING,
            "maxlines", OptionType.INT,
            "datepattern", OptionType.STRING,
            "journalmatch", OptionType.STRING);

    final DefinitionReader def;

    FilterReader(ConfigTree tree, String name, String jail, Map<String, Object> initOpts, String namedAt) {
        // as Python's os.path.join: a filter named by an absolute path is that file
        this.def = new DefinitionReader(tree, ConfigTree.join("filter.d", name), jail, initOpts, OPTIONS, namedAt);
    }

    /**
     * Tells the filter which kind of log it reads ({@code logtype} file or journal), unless the
     * jail or the filter's [Definition] already say.
     */
    void applyBackend(String backend) {
        Object given = def.initOpts.get("logtype");
        boolean set = given != null && !PyText.str(given).isEmpty() && !(given instanceof Boolean && !(Boolean) given);
        if (!set && !def.config().ownOptions("Definition").contains("logtype")) {
            def.initOpts.put("logtype", backend.startsWith("systemd") ? "journal" : "file");
        }
    }

    List<List<Object>> commands() throws ConfigException {
        List<List<Object>> stream = new ArrayList<>();
        Map<String, Object> opts = def.combined(Set.of());
        if (opts.isEmpty()) {
            return stream;
        }
        fill(stream, opts, def.jail);
        return stream;
    }

    /**
     * Adds the filter commands for the options among {@code opts}: usedns first, maxlines and
     * prefregex right after, one {@code addfailregex} per line (a {@code multi-set} for
     * several), one {@code addjournalmatch} per line split into words.
     */
    static void fill(List<List<Object>> stream, Map<String, Object> opts, String jail) throws ConfigException {
        int front = 0;
        for (Map.Entry<String, Object> e : opts.entrySet()) {
            String opt = e.getKey();
            Object value = e.getValue();
            if (value == null) {
                continue;
            }
            if (opt.equals("failregex") || opt.equals("ignoreregex")) {
                List<Object> multi = new ArrayList<>();
                for (String regex : PyText.lines(PyText.str(value))) {
                    if (!regex.isEmpty()) {
                        multi.add(regex);
                    }
                }
                if (multi.size() > 1) {
                    stream.add(List.of("multi-set", jail, "add" + opt, multi));
                } else if (multi.size() == 1) {
                    stream.add(List.of("set", jail, "add" + opt, multi.get(0)));
                }
            } else if (opt.equals("usedns") || opt.equals("maxlines") || opt.equals("prefregex")) {
                stream.add(opt.equals("usedns") ? 0 : front, List.of("set", jail, opt, value));
                front++;
            } else if ("datepattern".contains(opt)) {
                // fail2ban tests membership in the string "datepattern", so any part of that word passes
                stream.add(List.of("set", jail, opt, value));
            } else if (opt.equals("journalmatch")) {
                for (String match : PyText.lines(PyText.str(value))) {
                    if (match.isEmpty()) {
                        continue;
                    }
                    List<Object> cmd = new ArrayList<>(List.of("set", jail, "addjournalmatch"));
                    try {
                        cmd.addAll(ShellWords.split(match));
                    } catch (IllegalArgumentException ex) {
                        throw new ConfigException("[" + jail + "] journalmatch: " + ex.getMessage() + " in '" + match + "'");
                    }
                    stream.add(cmd);
                }
            }
        }
    }
}
