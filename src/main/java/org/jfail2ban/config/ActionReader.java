package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One action of a jail (action.d/NAME with the jail's options) and the commands that add it. */
final class ActionReader {

    /**
     * The options an action sends from its [Definition], in fail2ban's order. {@code native} is
     * ours: an action file that names a native backend ({@code native = nftables}) lets the
     * server run that backend instead of the shell commands; fail2ban ignores the key.
     */
    static final Map<String, OptionType> OPTIONS = OptionType.template(
            "actionstart", OptionType.STRING,
            "actionstart_on_demand", OptionType.BOOL,
            "actionstop", OptionType.STRING,
            "actionflush", OptionType.STRING,
            "actionreload", OptionType.STRING,
            "actioncheck", OptionType.STRING,
            "actionrepair", OptionType.STRING,
            "actionrepair_on_unban", OptionType.BOOL,
            "actionban", OptionType.STRING,
            "actionprolong", OptionType.STRING,
            "actionreban", OptionType.STRING,
            "actionunban", OptionType.STRING,
            "norestored", OptionType.BOOL,
            "native", OptionType.STRING);

    /** Tags the server fills per ban and escapes itself; the client leaves them alone. */
    private static final Set<String> SERVER_TAGS = Set.of("matches", "ipmatches", "ipjailmatches", "timeout", "bantime");

    final DefinitionReader def;
    /** The name the action gets in the jail (file name, plus a suffix when {@code name} differs). */
    final String actionName;

    ActionReader(ConfigTree tree, String file, String jail, Map<String, Object> initOpts, String namedAt) {
        Object n = initOpts.get("name");
        if (n == null) {
            n = jail;
            initOpts.put("name", jail);
        }
        Object actname = initOpts.get("actname");
        if (actname == null) {
            String a = file;
            String name = PyText.str(n);
            if (!name.equals(jail)) {
                a += name.startsWith(jail) ? name.substring(jail.length()) : "-" + name;
            }
            actname = a;
            initOpts.put("actname", a);
        }
        this.actionName = PyText.str(actname);
        this.def = new DefinitionReader(tree, "action.d/" + file, jail, initOpts, OPTIONS, namedAt);
    }

    /**
     * {@code addaction}, then every option at once ({@code multi-set}): the commands from
     * [Definition] with tags resolved, then the jail's and [Init]'s values as they are (the
     * server resolves those per ban and per address family; for a native action, as far as
     * they do not depend on the family).
     */
    List<List<Object>> commands() throws ConfigException {
        Map<String, Object> opts = def.combined(SERVER_TAGS);
        List<List<Object>> stream = new ArrayList<>();
        stream.add(List.of("set", def.jail, "addaction", actionName));
        List<Object> multi = new ArrayList<>();
        for (Map.Entry<String, Object> e : opts.entrySet()) {
            if (OPTIONS.containsKey(e.getKey()) && !e.getKey().startsWith("known/")) {
                multi.add(pair(e.getKey(), e.getValue()));
            }
        }
        // A native backend reads these options as values, so for an action that names one they
        // go with their tags resolved (<known/chain>, f2b-<name>); fail2ban sends them as written.
        Object nat = opts.get("native");
        boolean resolved = nat != null && !PyText.str(nat).isEmpty();
        for (Map.Entry<String, Object> e : def.initOpts.entrySet()) {
            if (!OPTIONS.containsKey(e.getKey()) && !e.getKey().startsWith("known/")) {
                multi.add(pair(e.getKey(), resolved && opts.containsKey(e.getKey()) ? opts.get(e.getKey()) : e.getValue()));
            }
        }
        if (multi.size() > 1) {
            stream.add(List.of("multi-set", def.jail, "action", actionName, multi));
        } else if (multi.size() == 1) {
            @SuppressWarnings("unchecked")
            List<Object> only = (List<Object>) multi.get(0);
            List<Object> cmd = new ArrayList<>(List.of("set", def.jail, "action", actionName));
            cmd.addAll(only);
            stream.add(cmd);
        }
        return stream;
    }

    private static List<Object> pair(String k, Object v) {
        List<Object> p = new ArrayList<>(2);
        p.add(k);
        p.add(v);
        return p;
    }
}
