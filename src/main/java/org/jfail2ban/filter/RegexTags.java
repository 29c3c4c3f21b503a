package org.jfail2ban.filter;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fail2ban's tags in a filter regex: {@code <HOST>}, {@code <ADDR>}, {@code <IP4>}, {@code <IP6>},
 * {@code <DNS>}, {@code <CIDR>}, {@code <SUBNET>}, {@code <F-ID/>}, {@code <F-PORT/>},
 * {@code <SKIPLINES>}, and any {@code <F-NAME>...</F-NAME>} pair, which becomes a group named
 * {@code name} (lower case; {@code id} and {@code port} become {@code fid} and {@code fport}).
 * The replacements are Python regex text, compiled later with the rest of the pattern.
 */
final class RegexTags {

    /** A dotted quad, loose as in fail2ban: the address is checked when it is parsed. */
    private static final String IPV4 = "(?:\\d{1,3}\\.){3}\\d{1,3}";
    /** Groups of hex digits with single or double colons; a trailing "::" only after a colon. */
    private static final String IPV6 = "(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)";

    static final String IP4 = "(?:::f{4,6}:)?(?P<ip4>" + IPV4 + ")";
    static final String IP6 = "(?P<ip6>" + IPV6 + ")";
    static final String DNS = "(?P<dns>[\\w\\-.^_]*\\w)";
    static final String ADDR = "\\[?(?:" + IP4 + "|" + IP6 + ")\\]?";
    static final String HOST = "(?:" + ADDR + "|" + DNS + ")";
    static final String CIDR = "(?P<cidr>\\d+)";
    static final String SUBNET = "\\[?(?:" + IP4 + "|" + IP6 + ")(?:/" + CIDR + ")?\\]?";

    private static final Map<String, String> FIXED = Map.ofEntries(
            Map.entry("IP4", IP4), Map.entry("F-IP4/", IP4),
            Map.entry("IP6", IP6), Map.entry("F-IP6/", IP6),
            Map.entry("ADDR", ADDR), Map.entry("F-ADDR/", ADDR),
            Map.entry("CIDR", CIDR), Map.entry("F-CIDR/", CIDR),
            Map.entry("SUBNET", SUBNET), Map.entry("F-SUBNET/", SUBNET),
            Map.entry("DNS", DNS), Map.entry("F-DNS/", DNS),
            Map.entry("F-ID/", "(?P<fid>\\S+)"),
            Map.entry("F-PORT/", "(?P<fport>\\w+)"));

    /** Anything that looks like a tag: {@code <NAME>}, {@code </NAME>}, {@code <NAME/>}. */
    private static final Pattern TAG = Pattern.compile("</?[\\p{L}\\p{N}_\\-]+/?>");
    private static final Pattern CUSTOM = Pattern.compile("(/?)F-([A-Z0-9_\\-]+)");

    /** A global flag group wrapped in a group, {@code ((?i)x)} or {@code (?:(?i)x)}: made local, {@code (?i:x)}. */
    private static final Pattern GLOBAL_FLAGS = Pattern.compile("(?<!\\\\)\\((?:\\?:)?(\\(\\?[a-z]+)\\)");

    private RegexTags() {
    }

    /** The name a custom tag's group gets: lower case, {@code id} and {@code port} mapped. */
    static String groupName(String tag) {
        String t = tag.toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "id":
                return "fid";
            case "port":
                return "fport";
            default:
                return t;
        }
    }

    /** Replaces the tags of {@code regex}; {@code <HOST>} matches host names unless usedns is "no". */
    static String resolve(String regex, String useDns) {
        if (regex.indexOf('<') < 0) {
            return regex;
        }
        Set<String> open = new HashSet<>();
        int[] skiplines = {0};
        Matcher m = TAG.matcher(regex);
        StringBuilder sb = new StringBuilder(regex.length() + 256);
        while (m.find()) {
            String tag = m.group();
            String name = tag.substring(1, tag.length() - 1);
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement(tag, name, useDns, open, skiplines)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String replacement(String tag, String name, String useDns, Set<String> open, int[] skiplines) {
        if (name.equals("HOST")) {
            return "no".equals(useDns) ? ADDR : HOST;
        }
        if (name.equals("SKIPLINES")) {
            return "\\n(?P<skiplines" + (skiplines[0]++) + ">(?:(?:.*\\n)*?))";
        }
        String fixed = FIXED.get(name);
        if (fixed != null) {
            return fixed;
        }
        Matcher c = CUSTOM.matcher(name);
        if (!c.matches()) {
            return tag;
        }
        String n = c.group(2);
        if (!c.group(1).isEmpty()) {
            return open.contains(n) ? ")" : tag; // a closing tag never opened stays as written
        }
        open.add(n);
        return "(?P<" + groupName(n) + ">";
    }

    /** fail2ban's rewriting of wrapped global flags into scoped ones. */
    static String localFlags(String regex) {
        return regex.indexOf("(?") < 0 ? regex : GLOBAL_FLAGS.matcher(regex).replaceAll("$1:");
    }
}
