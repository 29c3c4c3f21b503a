package org.jfail2ban.filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code %} directives of a fail2ban {@code datepattern}: what each one matches (a Python
 * regular expression with a named group per field) and how fail2ban-regex names it in its
 * "Date template hits" ({@code %b} is {@code MON}, {@code %ExY} is {@code ExYear}).
 *
 * <p>These are C's strptime directives with fail2ban's stricter variants and additions:
 * {@code %Exd %Exm %ExH %ExM %ExS} (exactly two digits), {@code %ExY} (a four-digit year in a
 * window around today), {@code %Exy}, {@code %k %l %Exk %Exl} (hours that may be
 * space-padded), {@code %z} (offset or Z/UTC/GMT), {@code %Z} (zone name), {@code %Exz},
 * {@code %ExZ} and {@code %f} (fraction of second, matched but not used).
 */
final class Strptime {

    // field kinds, by the Python group name that carries them
    static final int YEAR = 1;
    static final int YEAR2 = 2;
    static final int MONTH = 3;
    static final int MONTH_NAME = 4;
    static final int MONTH_ABBR = 5;
    static final int DAY = 6;
    static final int HOUR = 7;
    static final int HOUR12 = 8;
    static final int MINUTE = 9;
    static final int SECOND = 10;
    static final int WEEKDAY_NAME = 11;
    static final int WEEKDAY_ABBR = 12;
    static final int WEEKDAY_NUMBER = 13;
    static final int YEAR_DAY = 14;
    static final int WEEK_FROM_SUNDAY = 15;
    static final int WEEK_FROM_MONDAY = 16;
    static final int ZONE = 17;

    /** Multi-letter directives first: they are tried before the single letters. */
    private static final String[] LONG_KEYS = {"ExZ", "Exz", "Exd", "Exm", "ExH", "Exk", "Exl", "ExM", "ExS", "ExY", "Exy"};
    private static final String SHORT_KEYS = "dfHIGjmMSUwuVyYzAaBbpZ%WcxXkl";

    private final Map<String, String> regex = new HashMap<>();
    private final Map<String, String> name = new HashMap<>();
    private final String yearPrefixes;

    /** @param windowYear the year {@code %ExY} is centred on (fail2ban takes today's) */
    Strptime(int windowYear) {
        String day = "(?P<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])";
        String time = "(?P<H>2[0-3]|[0-1]\\d|\\d):(?P<M>[0-5]\\d|\\d):(?P<S>6[0-1]|[0-5]\\d|\\d)";
        String wday = "(?P<a>mon|tue|wed|thu|fri|sat|sun)";
        String mon = "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)";
        yearPrefixes = yearPrefixes(windowYear);
        String zoneAbbr = "[A-Z](?:[A-Z]{2,4})?";
        String offset = "[+-][01]\\d(?::?\\d{2})?";
        put("%", "%", "%");
        put("a", "DAY", wday);
        put("A", "DAYNAME", "(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)");
        put("b", "MON", mon);
        put("B", "MONTH", "(?P<B>september|february|november|december|january|october|august|march|april|june|july|may)");
        put("c", "%c", wday + "\\s+" + mon + "\\s+" + day + "\\s+" + time + "\\s+(?P<Y>\\d\\d\\d\\d)");
        put("d", "Day", "(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])");
        put("f", "Microseconds", "(?P<f>[0-9]{1,6})");
        put("G", "%G", "(?P<G>\\d\\d\\d\\d)");
        put("H", "24hour", "(?P<H>[0-1]?\\d|2[0-3])");
        put("I", "12hour", "(?P<I>1[0-2]|0[1-9]|[1-9])");
        put("j", "Yearday", "(?P<j>36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])");
        put("k", "%k", " ?(?P<H>[0-2]?\\d)");
        put("l", "%l", " ?(?P<I>1?\\d)");
        put("m", "Month", "(?P<m>0?[1-9]|1[0-2])");
        put("M", "Minute", "(?P<M>[0-5]?\\d)");
        put("p", "AMPM", "(?P<p>am|pm)");
        put("S", "Second", "(?P<S>[0-5]?\\d|6[0-1])");
        put("u", "%u", "(?P<u>[1-7])");
        put("U", "Yearweek", "(?P<U>5[0-3]|[0-4]\\d|\\d)");
        put("V", "%V", "(?P<V>5[0-3]|0[1-9]|[1-4]\\d|\\d)");
        put("w", "Weekday", "(?P<w>[0-6])");
        put("W", "Yearweek", "(?P<W>5[0-3]|[0-4]\\d|\\d)");
        put("x", "%x", "(?P<m>1[0-2]|0[1-9]|[1-9])/" + day + "/(?P<y>\\d\\d)");
        put("X", "%X", time);
        put("y", "Year2", "(?P<y>\\d\\d)");
        put("Y", "Year", "(?P<Y>\\d{4})");
        put("z", "Zone offset", "(?P<z>Z|UTC|GMT|" + offset + ")");
        put("Z", "Zone name", "(?P<Z>Z|[A-Z]{3,5})");
        put("Exd", "ExDay", "(?P<d>[1-2]\\d|0[1-9]|3[0-1])");
        put("Exm", "ExMonth", "(?P<m>0[1-9]|1[0-2])");
        put("ExH", "Ex24hour", "(?P<H>[0-1]\\d|2[0-3])");
        put("Exk", "Ex%k", " ?(?P<H>[0-1]?\\d|2[0-3])");
        put("Exl", "Ex%l", " ?(?P<I>1[0-2]|\\d)");
        put("ExM", "ExMinute", "(?P<M>[0-5]\\d)");
        put("ExS", "ExSecond", "(?P<S>[0-5]\\d|6[0-1])");
        put("ExY", "ExYear", "(?P<Y>" + yearPrefixes + "\\d)");
        put("Exy", "ExYear2", "(?P<y>\\d{2})");
        put("ExZ", "ExZone name", "(?P<Z>" + zoneAbbr + ")");
        put("Exz", "ExZone offset", "(?P<z>(?:" + zoneAbbr + ")?" + offset + "|" + zoneAbbr + ")");
    }

    private void put(String key, String display, String re) {
        name.put(key, display);
        regex.put(key, re);
    }

    /** The decades {@code %ExY} accepts, as a regex prefix of the year's first three digits. */
    String yearPrefixes() {
        return yearPrefixes;
    }

    /**
     * Decades from 2000 to the one holding {@code year + 3}: fail2ban accepts four-digit years
     * of this century up to a few years ahead, so that a stray number is not taken for a year.
     */
    static String yearPrefixes(int year) {
        TreeSet<String> decades = new TreeSet<>();
        decades.add(decade(year - 1));
        decades.add(decade(year + 3));
        for (int y = 2000; y <= year; y += 3) {
            decades.add(decade(y));
        }
        return factor(new ArrayList<>(decades));
    }

    private static String decade(int year) {
        String s = String.valueOf(year);
        return s.substring(0, Math.min(3, s.length()));
    }

    /** Writes a sorted set of equal-length digit strings as a compact alternation. */
    private static String factor(List<String> items) {
        if (items.size() > 1) {
            String common = commonPrefix(items, true);
            if (common == null || common.isEmpty()) {
                common = commonPrefix(items, false);
            }
            if (common != null && !common.isEmpty()) {
                List<String> rest = new ArrayList<>();
                for (String s : items) {
                    rest.add(s.substring(common.length()));
                }
                return common + factor(rest);
            }
            return items.get(0).length() > 1 ? "(?:" + String.join("|", items) + ")" : "[" + String.join("", items) + "]";
        }
        return String.join("", items);
    }

    /** All but the last character, or the first character, when every item shares it; else null. */
    private static String commonPrefix(List<String> items, boolean allButLast) {
        String c = null;
        for (String s : items) {
            String p = allButLast ? s.substring(0, Math.max(0, s.length() - 1)) : s.substring(0, Math.min(1, s.length()));
            if (c == null || p.equals(c)) {
                c = p;
            } else {
                return null;
            }
        }
        return c;
    }

    /** A datepattern turned into its display name and its Python regular expression. */
    record Translation(String name, String regex) {
    }

    /** Replaces every directive; a {@code %} that starts none is an error, as in fail2ban. */
    Translation translate(String pattern) {
        StringBuilder n = new StringBuilder();
        StringBuilder r = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c != '%') {
                n.append(c);
                r.append(c);
                i++;
                continue;
            }
            String key = directiveAt(pattern, i + 1);
            int next;
            if (key != null) {
                next = i + 1 + key.length();
            } else {
                // "%(ExY)s" is the same directive in Python's own mapping syntax
                int close = pattern.indexOf(")s", i + 2);
                key = pattern.startsWith("(", i + 1) && close > 0 ? pattern.substring(i + 2, close) : null;
                if (key == null || !regex.containsKey(key)) {
                    throw new IllegalArgumentException("bad datepattern '" + pattern + "': '%"
                            + (i + 1 < pattern.length() ? pattern.substring(i + 1, Math.min(pattern.length(), i + 2)) : "")
                            + "' at position " + i + " is no date directive (write %% for a percent sign)");
                }
                next = close + 2;
            }
            n.append(name.get(key));
            r.append(regex.get(key));
            i = next;
        }
        return new Translation(n.toString(), r.toString());
    }

    private static String directiveAt(String p, int at) {
        if (at >= p.length()) {
            return null;
        }
        if (p.charAt(at) == '%') {
            return "%";
        }
        for (String k : LONG_KEYS) {
            if (p.startsWith(k, at)) {
                return k;
            }
        }
        return SHORT_KEYS.indexOf(p.charAt(at)) >= 0 ? String.valueOf(p.charAt(at)) : null;
    }

    /** The field a Python group name stands for, or 0 for a group that is no date field. */
    static int field(String group) {
        if (group == null) {
            return 0;
        }
        return switch (group) {
            case "Y" -> YEAR;
            case "y" -> YEAR2;
            case "m" -> MONTH;
            case "B" -> MONTH_NAME;
            case "b" -> MONTH_ABBR;
            case "d" -> DAY;
            case "H" -> HOUR;
            case "I" -> HOUR12;
            case "M" -> MINUTE;
            case "S" -> SECOND;
            case "A" -> WEEKDAY_NAME;
            case "a" -> WEEKDAY_ABBR;
            case "w" -> WEEKDAY_NUMBER;
            case "j" -> YEAR_DAY;
            case "U" -> WEEK_FROM_SUNDAY;
            case "W" -> WEEK_FROM_MONDAY;
            case "z", "Z" -> ZONE;
            default -> 0;
        };
    }
}
