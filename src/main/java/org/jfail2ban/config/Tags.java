package org.jfail2ban.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code <tag>} substitution the client applies to a filter's or an action's options
 * before sending them: each value's {@code <name>} is replaced by the option of that name (or,
 * failing that, by what {@link Lookup} finds in the file's [Definition]), repeatedly, so that
 * {@code <ipt_<type>/_chain_rule>} resolves inside out. Unknown tags ({@code <ip>},
 * {@code <HOST>}) stay for the server. A tag that comes back to itself is an error.
 */
final class Tags {

    /** How often one tag may be replaced inside one value before we call it a loop. */
    private static final int MAX_REPLACEMENTS = 25;

    /** A second source of tag values; null when it has none. */
    interface Lookup {
        String find(String tag) throws ConfigException;
    }

    private Tags() {
    }

    /**
     * Substitutes the tags among the values. Returns the same map when nothing changed, a new
     * one otherwise; the input is never modified. Options named in {@code ignore} are neither
     * substituted nor substituted into others.
     */
    static Map<String, Object> substitute(Map<String, Object> input, Set<String> ignore, Lookup more)
            throws ConfigException {
        Map<String, Object> tags = input;
        Set<String> done = new HashSet<>();
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        String[] keys = input.keySet().toArray(new String[0]);
        boolean again = true;
        while (again) {
            again = false;
            for (String tag : keys) {
                if (ignore.contains(tag) || done.contains(tag)) {
                    continue;
                }
                String original = PyText.str(tags.get(tag));
                String value = original;
                Map<String, Integer> replaced = counts.getOrDefault(tag, new HashMap<>());
                int[] m = find(value, 0);
                while (m != null) {
                    String ref = value.substring(m[0] + 1, m[1] - 1);
                    if (ignore.contains(ref)) {
                        m = find(value, m[1]);
                        continue;
                    }
                    if (ref.equals(tag) || replaced.getOrDefault(ref, 1) > MAX_REPLACEMENTS) {
                        String now = value.length() > 120 ? value.substring(0, 120) + "..." : value;
                        throw new ConfigException("tags refer to each other in a loop and cannot be resolved: <"
                                + tag + "> through <" + ref + "> (value now: " + now + ")");
                    }
                    Object repl = tags.get(ref);
                    if (repl == null && more != null) {
                        repl = more.find(ref);
                    }
                    if (repl == null) {
                        m = find(value, m[1]);
                        continue;
                    }
                    value = value.replace("<" + ref + ">", PyText.str(repl));
                    replaced.put(ref, replaced.getOrDefault(ref, 0) + 1);
                    m = find(value, m[0]);
                }
                if (!original.equals(value)) {
                    if (find(value, 0) != null) {
                        counts.put(tag, replaced);
                        again = true;
                    }
                    if (tags == input) {
                        tags = new LinkedHashMap<>(input);
                    }
                    tags.put(tag, value);
                }
                if (value.indexOf('<') < 0) {
                    done.add(tag);
                }
            }
        }
        return tags;
    }

    /** The next {@code <name>} at or after {@code from} (name: no blank, '<' or '>'), as [start, end). */
    static int[] find(String s, int from) {
        int i = s.indexOf('<', from);
        while (i >= 0) {
            int close = s.indexOf('>', i + 1);
            if (close < 0) {
                return null;
            }
            int next = s.indexOf('<', i + 1);
            if (next >= 0 && next < close) {
                i = next;
                continue;
            }
            int blank = s.indexOf(' ', i + 1);
            if (close > i + 1 && (blank < 0 || blank > close)) {
                return new int[] {i, close + 1};
            }
            i = next;
        }
        return null;
    }
}
