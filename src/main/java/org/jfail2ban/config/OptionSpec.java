package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A filter or action named with options, as jails write them:
 * {@code sshd[mode=aggressive]}, {@code nftables[type=allports][name=x]},
 * {@code iptables[port="80,443", protocol='tcp', chain=INPUT]}. Values are quoted with " or '
 * (then they may hold commas and brackets) or run to the next comma or ']'. Several groups of
 * brackets add up; a later key wins.
 */
public record OptionSpec(String name, Map<String, String> options) {

    /**
     * One entry of an {@code action} list: a name, then optional bracket groups that may span
     * lines. The entries are separated by whitespace. Expressed as one pattern so that the odd
     * inputs fail2ban accepts split exactly the same way.
     */
    private static final Pattern ENTRY;

    static {
        String key = "[\\w\\-_.]+";
        String value = "(?:\"[^\"]*\"|'[^']*'|[^,\\]]*)";
        String sep = "(?:,|\\]\\s*\\[)?";
        String group = "(?:\\s*\\[\\s*(?:" + key + "=" + value + "\\s*" + sep + "\\s*)*\\])";
        String entry = "(?:[^\\[\\s]+" + group + "?\\s*|\\S+)";
        ENTRY = Pattern.compile(entry + "(?=\\n\\s*|\\s+|$)",
                Pattern.DOTALL | Pattern.UNIX_LINES | Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** Splits an {@code action} value into its entries (fail2ban's splitWithOptions). */
    static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(value);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Parses {@code name[k=v, ...][...]} (fail2ban's extractOptions); IllegalArgumentException says why not. */
    public static OptionSpec parse(String spec) {
        int open = spec.indexOf('[');
        if (open < 0) {
            if (spec.isEmpty()) {
                throw new IllegalArgumentException("unexpected option syntax");
            }
            return new OptionSpec(spec, new LinkedHashMap<>());
        }
        String tail = PyText.rstrip(spec);
        if (open == 0 || !tail.endsWith("]") || tail.length() - 1 <= open) {
            throw new IllegalArgumentException("unexpected option syntax");
        }
        String name = spec.substring(0, open);
        return new OptionSpec(name, parseOptions(tail.substring(open + 1, tail.length() - 1)));
    }

    /** The {@code k=v, ...} inside the brackets, with {@code ][} joining further groups. */
    private static Map<String, String> parseOptions(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int n = s.length();
        int pos = 0;
        while (pos <= n) {
            // an option: blanks, key, '=', value, then a separator
            int i = pos;
            while (i < n && PyText.isSpace(s.charAt(i))) {
                i++;
            }
            int keyStart = i;
            while (i < n && isKeyChar(s.charAt(i))) {
                i++;
            }
            if (i > keyStart && i < n && s.charAt(i) == '=') {
                String key = s.substring(keyStart, i);
                i++;
                String value = null;
                char q = i < n ? s.charAt(i) : 0;
                if (q == '"' || q == '\'') {
                    int close = s.indexOf(q, i + 1);
                    if (close >= 0) {
                        value = s.substring(i + 1, close);
                        i = close + 1;
                    }
                }
                if (value == null) {
                    int j = i;
                    while (j < n && s.charAt(j) != ',' && s.charAt(j) != ']') {
                        j++;
                    }
                    value = s.substring(i, j);
                    i = j;
                }
                out.put(PyText.strip(key), PyText.strip(value));
                int next = separatorEnd(s, i);
                if (next < 0) {
                    throw new IllegalArgumentException("unexpected syntax at " + i + " after option '" + key + "': "
                            + head(s.substring(i)));
                }
                if (next == n) {
                    return out;
                }
                pos = next;
                continue;
            }
            // the end: an optional comma and blanks
            int j = pos;
            if (j < n && s.charAt(j) == ',') {
                j++;
            }
            while (j < n && PyText.isSpace(s.charAt(j))) {
                j++;
            }
            if (j == n) {
                return out;
            }
            throw new IllegalArgumentException("expected option, wrong syntax at " + pos + ": " + head(s.substring(pos)));
        }
        return out;
    }

    /** After a value: ',' or '] [' (the next group) or the end; -1 if something else follows. */
    private static int separatorEnd(String s, int i) {
        int n = s.length();
        if (i == n || (i == n - 1 && s.charAt(i) == '\n')) {
            return n;
        }
        char c = s.charAt(i);
        if (c == ',') {
            return i + 1;
        }
        if (c == ']') {
            int j = i + 1;
            while (j < n && PyText.isSpace(s.charAt(j))) {
                j++;
            }
            if (j < n && s.charAt(j) == '[') {
                return j + 1;
            }
        }
        return -1;
    }

    private static boolean isKeyChar(char c) {
        return c == '-' || c == '.' || PyText.isWord(c);
    }

    private static String head(String s) {
        return s.length() > 25 ? s.substring(0, 25) : s;
    }
}
