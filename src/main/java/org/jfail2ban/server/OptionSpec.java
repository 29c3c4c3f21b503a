package org.jfail2ban.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A value with options as fail2ban's commands carry them: {@code name[key=value, k2="v, w"]}
 * (log targets, backends, the ignore cache).
 */
record OptionSpec(String name, Map<String, String> options) {

    private static final Pattern WHOLE = Pattern.compile("^([^\\[]+)(?:\\[(.*)\\])?\\s*$", Pattern.DOTALL);
    private static final Pattern OPTION = Pattern.compile(
            "\\s*([\\w\\-_.]+)=(?:\"((?:\\\\.|[^\"])*)\"|'((?:\\\\.|[^'])*)'|([^,\\]]*))\\s*(?:,|$)", Pattern.DOTALL);

    static OptionSpec parse(String text) {
        Matcher m = WHOLE.matcher(text);
        if (!m.matches()) {
            return new OptionSpec(text, Map.of());
        }
        Map<String, String> opts = new LinkedHashMap<>();
        String body = m.group(2);
        if (body != null) {
            Matcher o = OPTION.matcher(body);
            while (o.find()) {
                String v = o.group(2) != null ? o.group(2) : o.group(3) != null ? o.group(3) : o.group(4);
                opts.put(o.group(1), v.strip());
            }
        }
        return new OptionSpec(m.group(1).strip(), opts);
    }
}
