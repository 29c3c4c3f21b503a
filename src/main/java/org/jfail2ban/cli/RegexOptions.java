package org.jfail2ban.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code name[key=value, key2="v, w", key3='x']} as fail2ban does for filters and actions. */
final class RegexOptions {

    /** A name and its options, in the order given. */
    record Parsed(String name, Map<String, String> options) {
    }

    private static final Pattern WHOLE = Pattern.compile("([^\\[]+)(?:\\[(.*)\\])?\\s*", Pattern.DOTALL);
    private static final Pattern ONE = Pattern.compile(
            "\\s*([\\w\\-_.]+)=(?:\"([^\"]*)\"|'([^']*)'|([^,\\]]*))(?:,|\\]\\s*\\[|$|(?<wrngA>.+))|,?\\s*$|(?<wrngB>.+)",
            Pattern.DOTALL | Pattern.UNICODE_CHARACTER_CLASS);

    private RegexOptions() {
    }

    /** @throws IllegalArgumentException naming the place of a syntax error */
    static Parsed extract(String option) {
        Matcher m = WHOLE.matcher(option);
        if (!m.matches()) {
            throw new IllegalArgumentException("unexpected option syntax");
        }
        Map<String, String> opts = new LinkedHashMap<>();
        String list = m.group(2);
        if (list != null && !list.isEmpty()) {
            Matcher o = ONE.matcher(list);
            while (o.find()) {
                if (o.group("wrngA") != null) {
                    throw new IllegalArgumentException("unexpected syntax at " + o.start("wrngA") + " after option '"
                            + o.group(1) + "': " + head(o.group("wrngA")));
                }
                if (o.group("wrngB") != null) {
                    throw new IllegalArgumentException("expected option, wrong syntax at " + o.start("wrngB") + ": "
                            + head(o.group("wrngB")));
                }
                if (o.group(1) == null || o.group(1).isEmpty()) {
                    if (o.end() >= list.length()) {
                        break;
                    }
                    continue;
                }
                String v = o.group(2) != null ? o.group(2) : o.group(3) != null ? o.group(3) : o.group(4);
                opts.put(o.group(1).strip(), v.strip());
                if (o.end() >= list.length()) {
                    break;
                }
            }
        }
        return new Parsed(m.group(1), opts);
    }

    private static String head(String s) {
        return s.length() > 25 ? s.substring(0, 25) : s;
    }
}
