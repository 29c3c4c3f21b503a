package org.jfail2ban.filter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfail2ban.protocol.PyRepr;

/**
 * One regex of a filter (prefregex, a failregex or an ignoreregex) with its tags resolved, and
 * the state of its last search: like fail2ban's, a search leaves the match behind for the
 * filter to read (groups, matched and unmatched lines). A filter uses its regexes on one thread.
 */
final class TaggedRegex {

    /** The groups that can name who failed, in the order they are tried. */
    static final List<String> FAILURE_ID_GROUPS = List.of("fid", "ip4", "ip6", "dns");
    private static final List<String> FAILURE_ID_PRESENT = List.of("fid", "ip4", "ip6", "dns", "mlfid");

    private static final Pattern COMPLEX_NAME = Pattern.compile("(alt_|tuple_)(.*?)(?:_\\p{Nd}+)?");

    private final String given;
    private final String regex;
    private final PyRegex re;
    private final Matcher matcher;
    /** Python group numbers of the named groups, in the order of a groupdict. */
    private final int[] named;
    private final String[] namedKeys;
    /** {group, target} pairs of ALT_ and TUPLE_ groups, sorted as fail2ban sorts them. */
    private final List<String[]> alt;
    private final List<String[]> tuple;
    private final int[] skipGroups;

    private boolean matched;
    /** The text of the last search: group values are read from it, not through the shared guarded view. */
    private String searched = "";
    /** The group offsets of a match found by a copy of this regex (see {@link #adopt}), or null: the matcher's. */
    private int[] adopted;
    private List<SplitLine> matchedLines = List.of();
    private List<SplitLine> unmatchedLines = List.of();

    private TaggedRegex(String given, String regex, PyRegex re) {
        this.given = given;
        this.regex = regex;
        this.re = re;
        this.matcher = re.pattern().matcher("");
        List<Integer> g = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<Integer> skips = new ArrayList<>();
        List<String[]> a = new ArrayList<>();
        List<String[]> t = new ArrayList<>();
        for (int i = 1; i <= re.groupCount(); i++) {
            String n = re.name(i);
            if (n == null) {
                continue;
            }
            g.add(i);
            keys.add(n.intern()); // the filter looks keys up by literal: identity finds them at once
            if (n.startsWith("skiplines")) {
                skips.add(i);
            }
            if (n.length() > 4) {
                Matcher c = COMPLEX_NAME.matcher(n);
                if (c.matches()) {
                    String[] pair = {n, RegexTags.groupName(c.group(2))};
                    (c.group(1).equals("alt_") ? a : t).add(pair);
                }
            }
        }
        this.named = g.stream().mapToInt(Integer::intValue).toArray();
        this.namedKeys = keys.toArray(new String[0]);
        java.util.Comparator<String[]> order = (x, y) -> {
            int c = x[0].compareTo(y[0]);
            return c != 0 ? c : x[1].compareTo(y[1]);
        };
        a.sort(order);
        t.sort(order);
        this.alt = List.copyOf(a);
        this.tuple = List.copyOf(t);
        // skiplines groups are read in number order: skiplines0, skiplines1, ...
        int[] sk = new int[skips.size()];
        for (int i = 0; i < sk.length; i++) {
            int n = re.group("skiplines" + i);
            sk[i] = n;
            if (n < 0) {
                sk = java.util.Arrays.copyOf(sk, i);
                break;
            }
        }
        this.skipGroups = sk;
    }

    /**
     * Compiles a filter regex.
     *
     * @param multiline compile with Python's MULTILINE (failregexes of a filter with maxlines &gt; 1)
     */
    static TaggedRegex compile(String given, String useDns, boolean multiline) {
        String regex = RegexTags.resolve(given, useDns);
        if (regex.isBlank()) {
            throw new RegexException("Cannot add empty regex", given, -1);
        }
        regex = RegexTags.localFlags(regex);
        return new TaggedRegex(given, regex, PyRegex.compile(regex, multiline, given));
    }

    /** A failregex: must have a group that names who failed, here or in the prefregex. */
    static TaggedRegex compileFail(String given, String useDns, boolean multiline, TaggedRegex pref) {
        TaggedRegex r = compile(given, useDns, multiline);
        if (!r.hasAnyGroup(FAILURE_ID_PRESENT) && (pref == null || !pref.hasAnyGroup(FAILURE_ID_PRESENT))) {
            throw new RegexException("No failure-id group in '" + r.regex + "'", given, -1);
        }
        return r;
    }

    private boolean hasAnyGroup(List<String> names) {
        for (String n : names) {
            if (re.group(n) > 0) {
                return true;
            }
        }
        return false;
    }

    boolean hasGroup(String name) {
        return re.group(name) > 0;
    }

    /** The regex as it was given. */
    String given() {
        return given;
    }

    /** The regex with its tags replaced: what fail2ban shows as the regex. */
    String regex() {
        return regex;
    }

    PyRegex pattern() {
        return re;
    }

    /**
     * Searches {@code buf} (the lines of {@code orgLines} without dates, joined with and ended by
     * newlines) and works out which of the lines the match covers.
     *
     * @param text the guarded view the search reads {@code buf} through
     */
    boolean search(GuardedText text, String buf, List<SplitLine> orgLines) {
        searched = buf;
        adopted = null;
        if (re.cannotMatch(buf)) {
            matched = false;
        } else {
            matcher.reset(text.of(buf));
            matched = re.search(matcher);
        }
        if (!matched) {
            matchedLines = List.of();
            unmatchedLines = List.of();
            return false;
        }
        if (orgLines.size() <= 1) {
            matchedLines = orgLines;
            unmatchedLines = List.of();
            return true;
        }
        int start = matcher.start();
        int end = matcher.end();
        int lineStart = buf.lastIndexOf('\n', start) + 1;
        int from = end - 1 < 0 ? buf.length() - 1 : end - 1;
        int nl = buf.indexOf('\n', from);
        int lineEnd = nl < 0 ? buf.length() : nl + 1;
        int count1 = countNewlines(buf, lineStart);
        int count2 = countNewlines(buf, lineEnd);
        List<SplitLine> m = new ArrayList<>(orgLines.subList(Math.min(count1, orgLines.size()),
                Math.max(Math.min(count2, orgLines.size()), Math.min(count1, orgLines.size()))));
        List<SplitLine> u = new ArrayList<>(orgLines.subList(0, Math.min(count1, orgLines.size())));
        int n = 0;
        for (String skipped : skippedLines()) {
            for (int k = n; k < m.size(); k++) {
                if (m.get(k).withoutDate().equals(skipped)) {
                    u.add(m.remove(k));
                    n = k;
                    break;
                }
            }
        }
        if (count2 < orgLines.size()) {
            u.addAll(orgLines.subList(count2, orgLines.size()));
        }
        matchedLines = m;
        unmatchedLines = u;
        return true;
    }

    /** The same regex with a matcher of its own, for another thread. */
    TaggedRegex copy() {
        return new TaggedRegex(given, regex, re);
    }

    /** The offsets of all groups of the last search's match ({start, end} per Java group), or null when it failed. */
    int[] spans() {
        if (!matched) {
            return null;
        }
        int n = matcher.groupCount() + 1;
        int[] spans = new int[2 * n];
        for (int g = 0; g < n; g++) {
            spans[2 * g] = matcher.start(g);
            spans[2 * g + 1] = matcher.end(g);
        }
        return spans;
    }

    /**
     * Takes the outcome of a search of the single line {@code buf} that a {@link #copy} made
     * (its {@link #spans}), as if this regex had searched it.
     */
    boolean adopt(String buf, List<SplitLine> orgLines, int[] spans) {
        searched = buf;
        adopted = spans;
        matched = spans != null;
        matchedLines = matched ? orgLines : List.of();
        unmatchedLines = List.of();
        return matched;
    }

    private static int countNewlines(String s, int end) {
        int c = 0;
        for (int i = 0; i < end; i++) {
            if (s.charAt(i) == '\n') {
                c++;
            }
        }
        return c;
    }

    /** The lines the {@code <SKIPLINES>} tags passed over, split as Python's splitlines() does. */
    List<String> skippedLines() {
        if (!matched || skipGroups.length == 0) {
            return List.of();
        }
        StringBuilder sb = new StringBuilder();
        for (int g : skipGroups) {
            String v = value(re.javaGroup(g));
            if (v != null) {
                sb.append(v);
            }
        }
        return splitLines(sb.toString());
    }

    /** Python's str.splitlines(): every Unicode line boundary, no empty last piece. */
    static List<String> splitLines(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E)
                    || c == 0x85 || c == 0x2028 || c == 0x2029;
            if (!brk) {
                i++;
                continue;
            }
            out.add(s.substring(start, i));
            i += c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n' ? 2 : 1;
            start = i;
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    boolean hasMatched() {
        return matched;
    }

    /** The value of a named group of the last match, or null. */
    String group(String name) {
        int g = re.group(name);
        return g < 0 || !matched ? null : value(re.javaGroup(g));
    }

    private String value(int javaGroup) {
        if (adopted != null) {
            int s = adopted[2 * javaGroup];
            return s < 0 ? null : searched.substring(s, adopted[2 * javaGroup + 1]);
        }
        int s = matcher.start(javaGroup);
        return s < 0 ? null : searched.substring(s, matcher.end(javaGroup));
    }

    /**
     * The named groups of the last match, in pattern order, None (null) for those that took no
     * part; ALT_ groups fill their target when it is empty, TUPLE_ groups are joined into a tuple.
     */
    Map<String, Object> groups() {
        Map<String, Object> fail = new PyDict(named.length + 4);
        for (int i = 0; i < named.length; i++) {
            fail.put(namedKeys[i], value(re.javaGroup(named[i])));
        }
        for (String[] kn : alt) {
            Object v = fail.get(kn[0]);
            if (Filter.truthy(v) && !Filter.truthy(fail.get(kn[1]))) {
                fail.put(kn[1], v);
            }
        }
        for (String[] kn : tuple) {
            Object v = fail.get(kn[0]);
            Object t = fail.get(kn[1]);
            List<Object> items = new ArrayList<>();
            if (t instanceof PyRepr.Tuple) {
                items.addAll(((PyRepr.Tuple) t).items());
            } else {
                items.add(t);
            }
            items.add(v);
            fail.put(kn[1], new PyRepr.Tuple(Collections.unmodifiableList(items)));
        }
        return fail;
    }

    /**
     * The failure id of the last match from the first of {@code groups} that took part.
     *
     * @throws RegexException when none did (a regex that cannot name who failed)
     */
    String failId(List<String> groups) {
        for (String g : groups) {
            String v = group(g);
            if (v != null) {
                return v;
            }
        }
        throw new RegexException("No group found in '" + searched + "' using '" + regex + "'", given, -1);
    }

    List<SplitLine> matchedLines() {
        return matched ? matchedLines : List.of();
    }

    List<SplitLine> unmatchedLines() {
        return matched ? unmatchedLines : List.of();
    }

    @Override
    public String toString() {
        return regex;
    }
}
