package org.jfail2ban.action;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The static half of tag substitution: an action's own properties ({@code [Definition]} and
 * {@code [Init]} values, with {@code key?family=inet6} variants) replace the tags of a command,
 * recursively, the way action.d files expect ({@code actionban = <iptables> -I f2b-<name> ...},
 * {@code iptables = iptables <lockingopt>}).
 *
 * <p>Only trusted configuration flows through here. Values of a ban (the address, the log lines)
 * are never interpolated recursively: {@link DynamicTags} puts them in afterwards, in one pass.
 */
final class PropertyTags {

    /** A tag: angle brackets around anything without blanks or brackets. */
    static final Pattern TAG = Pattern.compile("<([^ <>]+)>");

    /** How many times one tag may be replaced inside one value before we call it a loop. */
    static final int MAX_REPLACEMENTS = 25;

    /** Tags whose values are log lines: never taken from properties unescaped. */
    static final Set<String> ESCAPED_TAGS = Set.of("matches", "ipmatches", "ipjailmatches");

    private static final Pattern ESCAPE_CHARS = Pattern.compile("[\\\\#&;`|*?~<>^()\\[\\]{}$'\"\\n\\r]");

    private final Map<String, String> props;
    private final UnaryOperator<String> fallback;
    private final Map<String, Map<String, String>> resolvedByCondition = new HashMap<>();
    private final Map<String, String> cache = new HashMap<>();

    /**
     * @param props    the action's properties in the order they were set
     * @param fallback values of tags no property defines ({@code br}, {@code sp}, host names), or null
     */
    PropertyTags(Map<String, String> props, UnaryOperator<String> fallback) {
        this.props = new LinkedHashMap<>(props);
        this.fallback = fallback;
    }

    /** Whether any property is family-conditional ({@code key?family=inet6}). */
    boolean hasConditional() {
        for (String k : props.keySet()) {
            if (conditionalKey(k)) {
                return true;
            }
        }
        return false;
    }

    static boolean conditionalKey(String k) {
        int q = k.indexOf('?');
        return q > 0 && k.startsWith("family=", q + 1);
    }

    /**
     * Replaces the property tags in {@code query}, preferring {@code key?family=F} when family F
     * is given. Tags no property defines stay as they are (they may be dynamic ones).
     *
     * @throws IllegalArgumentException when the properties refer to themselves
     */
    String replace(String query, String family) {
        if (query.indexOf('<') < 0) {
            return query;
        }
        String conditional = family == null || family.isEmpty() ? "" : "family=" + family;
        String ckey = conditional + '\u0000' + query;
        String cached = cache.get(ckey);
        if (cached != null) {
            return cached;
        }
        Map<String, String> info = resolvedByCondition.computeIfAbsent(conditional, this::substituteRecursive);
        String value = query;
        int rounds = MAX_REPLACEMENTS + 1;
        while (true) {
            String next = replaceOnce(value, info, conditional);
            if (next.equals(value) || next.indexOf('<') < 0) {
                value = next;
                break;
            }
            value = next;
            if (--rounds <= 0) {
                throw new IllegalArgumentException(
                        "too many nested replacements, properties may refer to themselves: " + value);
            }
        }
        cache.put(ckey, value);
        return value;
    }

    /**
     * The value of one property as the action sees it (resolved, family variant first), or null
     * when neither {@code key} nor its family variant is set.
     */
    String value(String key, String family) {
        String conditional = family == null || family.isEmpty() ? "" : "family=" + family;
        if (!props.containsKey(key) && (conditional.isEmpty() || !props.containsKey(key + "?" + conditional))) {
            return null;
        }
        return replace("<" + key + ">", family);
    }

    private String replaceOnce(String query, Map<String, String> info, String conditional) {
        Matcher m = TAG.matcher(query);
        StringBuilder sb = null;
        int last = 0;
        while (m.find()) {
            String tag = m.group(1);
            String v = null;
            if (!conditional.isEmpty()) {
                v = info.get(tag + "?" + conditional);
            }
            if (v == null) {
                v = info.get(tag);
            }
            if (v == null) {
                v = fallback == null ? null : fallback.apply(tag);
                if (v == null) {
                    continue;
                }
            } else if (ESCAPED_TAGS.contains(tag)) {
                v = escapeLikeFail2ban(v);
            }
            if (sb == null) {
                sb = new StringBuilder(query.length() + 64);
            }
            sb.append(query, last, m.start()).append(v);
            last = m.end();
        }
        if (sb == null) {
            return query;
        }
        return sb.append(query, last, query.length()).toString();
    }

    /**
     * Resolves tags inside the property values themselves ({@code b = <a>_3}), as the Python
     * reader's recursive substitution does, including its loop detection.
     */
    private Map<String, String> substituteRecursive(String conditional) {
        Map<String, String> tags = new LinkedHashMap<>(props);
        Set<String> done = new HashSet<>();
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        boolean again = true;
        while (again) {
            again = false;
            for (String tag : props.keySet()) {
                if (ESCAPED_TAGS.contains(tag) || done.contains(tag)) {
                    continue;
                }
                String original = tags.get(tag);
                String value = original;
                Map<String, Integer> seen = counts.getOrDefault(tag, new HashMap<>());
                Matcher m = TAG.matcher(value);
                int from = 0;
                while (from <= value.length() && m.find(from)) {
                    String ref = m.group(1);
                    if (ESCAPED_TAGS.contains(ref)) {
                        from = m.end();
                        continue;
                    }
                    if (ref.equals(tag) || seen.getOrDefault(ref, 1) > MAX_REPLACEMENTS) {
                        throw new IllegalArgumentException("properties refer to themselves and cannot be resolved: tag "
                                + tag + " found <" + ref + "> in value " + value);
                    }
                    String repl = null;
                    if (!conditional.isEmpty()) {
                        repl = tags.get(ref + "?" + conditional);
                    }
                    if (repl == null) {
                        repl = tags.get(ref);
                    }
                    if (repl == null) {
                        from = m.end();
                        continue;
                    }
                    int start = m.start();
                    value = value.replace("<" + ref + ">", repl);
                    seen.merge(ref, 1, Integer::sum);
                    m = TAG.matcher(value);
                    from = start;
                }
                if (!original.equals(value)) {
                    if (TAG.matcher(value).find()) {
                        counts.put(tag, seen);
                        again = true;
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

    /**
     * fail2ban's backslash escaping of shell metacharacters, used only where fail2ban uses it
     * (a property named like a log-line tag).
     */
    static String escapeLikeFail2ban(String value) {
        Matcher m = ESCAPE_CHARS.matcher(value);
        StringBuilder sb = new StringBuilder(value.length() + 16);
        int last = 0;
        while (m.find()) {
            char c = value.charAt(m.start());
            sb.append(value, last, m.start()).append('\\').append(c == '\n' ? 'n' : c == '\r' ? 'r' : c);
            last = m.end();
        }
        return sb.append(value, last, value.length()).toString();
    }
}
