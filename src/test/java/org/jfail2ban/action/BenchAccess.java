package org.jfail2ban.action;

import java.util.Map;
import java.util.function.Function;

/** Test-only door for the benchmarks in org.jfail2ban.bench to the package's substitution code. */
public final class BenchAccess {

    private final PropertyTags tags;

    public BenchAccess(Map<String, String> properties) {
        this.tags = new PropertyTags(properties, t -> null);
    }

    /** The operation's command for a family with property tags resolved (cached after the first call). */
    public String operation(String op, String family) {
        return tags.replace("<" + op + ">", family);
    }

    /** The script and its positional values, for a ban's tag values. */
    public static int shell(String command, Function<String, String> values) {
        DynamicTags.ShellScript s = DynamicTags.forShell(command, values, null);
        return s.script().length() + s.args().size();
    }
}
