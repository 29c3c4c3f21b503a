package org.jfail2ban.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One way of writing a date in a log line: a strptime-style pattern, Unix epoch seconds, or a
 * TAI64N label. Immutable; a {@link DateDetector} keeps the counters.
 *
 * <p>The expression is built from the pattern exactly as fail2ban builds it, so that names,
 * anchoring and word boundaries agree: a template matches only where a word begins and ends
 * (unless the pattern starts or ends with {@code **}, or starts with {@code ^}, or with
 * {@code {UNB}}); {@code {^LN-BEG}} ties it to the start of the line, allowing up to two
 * non-word characters such as {@code [} before the date. Group 1 is the date text that the
 * filter cuts out of the line; a pattern that has its own capturing group chooses that group.
 */
final class DateTemplate {

    static final int LINE_BEGIN = 8;
    static final int LINE_END = 4;
    static final int WORD_BEGIN = 2;
    static final int WORD_END = 1;

    static final String LINE_BEGIN_KEY = "{^LN-BEG}";

    enum Kind { PATTERN, EPOCH, LONG_EPOCH, TAI64N }

    /** Where the expression must begin. */
    enum Begin { ANYWHERE, WORD, LINE }

    private static final int U = Pattern.UNIX_LINES;
    // Python-side rules on the text of an expression, as fail2ban applies them
    private static final Pattern GLOBAL_FLAGS = Pattern.compile("((?:^|(?!<\\\\))\\(\\?[a-z]+\\))", U);
    private static final Pattern NO_WORD_BOUND_BEGIN = Pattern.compile("^\\(*(?:\\(\\?\\w+\\))?(?:\\^|\\(*\\*\\*|\\((?:\\?:)?\\^)", U);
    private static final Pattern NO_WORD_BOUND_END = Pattern.compile("(?<!\\\\)(?:\\$\\)?|\\\\b|\\\\s|\\*\\*\\)*)$", U);
    private static final Pattern HAS_GROUP = Pattern.compile("(?<!\\(\\?)(?<!\\\\)\\((?!\\?)", U);
    private static final Pattern WRAP_GROUP = Pattern.compile("^((?:\\(\\?\\w+\\))?\\^?(?:\\(\\?\\w+\\))?)(.*?)(\\$?)$", U);
    private static final Pattern STARS = Pattern.compile("^\\(*(?:\\(\\?\\w+\\))?\\(*\\*\\*|(?<!\\\\)\\*\\*\\)*$", U);
    private static final Pattern LINE_BOUND_BEGIN = Pattern.compile("^(?:\\(\\?\\w+\\))?(?:\\^|\\((?:\\?:)?\\^(?!\\|))", U);
    private static final Pattern LINE_BOUND_END = Pattern.compile("(?<![\\\\|])(?:\\$\\)?)$", U);
    private static final Pattern ALPHA_DIRECTIVE = Pattern.compile("(?<!%)%[aAbBpc]", U);
    private static final Pattern UNBOUND_KEY = Pattern.compile("^\\{UNB\\}", U);
    private static final Pattern LINE_BEGIN_PREFIX = Pattern.compile("^\\{\\^LN-BEG\\}", U);
    private static final Pattern WORD_START_ANCHOR = Pattern.compile("^\\((?:\\?:)?\\^\\|\\\\b\\|\\\\W\\)", U);
    private static final Pattern WORD_END_ANCHOR = Pattern.compile("\\(\\?=\\\\b\\|\\\\W\\|\\$\\)$", U);
    private static final Pattern GLOBAL_FLAGS_AT_START = Pattern.compile("\\(\\?[a-z]+\\)");
    private static final String LINE_START_PREFIX = "^(?:\\W{0,2})?";
    static final Pattern EPOCH_KEY = Pattern.compile("(?<!\\\\)\\{L?EPOCH\\}", U | Pattern.CASE_INSENSITIVE);

    private static final String EPOCH_SECONDS = "\\d{10,11}\\b(?:\\.\\d{3,6})?";
    private static final String EPOCH_LONG = "\\d{10,11}(?:\\d{3}(?:\\.\\d{1,6}|\\d{3})?)?";

    final String name;
    /** The datepattern it was made from; null for Epoch and TAI64N. */
    final String pattern;
    /** The expression in Python's dialect, as fail2ban-regex --VD shows it. */
    final String regex;
    final int flags;
    /** 100 for the line-anchored copies of the default library, so they bubble up first. */
    final double weight;
    final Kind kind;
    final DateRegex compiled;
    /** EPOCH/TAI64N: the group holding the number. */
    final int valueGroup;
    /** Strptime fields in group order (as fail2ban reads them), and their groups. */
    final int[] fieldKinds;
    final int[] fieldGroups;
    final int ampmGroup;

    private DateTemplate(String name, String pattern, String regex, int flags, double weight, Kind kind,
            DateRegex compiled, int valueGroup) {
        this.name = name;
        this.pattern = pattern;
        this.regex = regex;
        this.flags = flags;
        this.weight = weight;
        this.kind = kind;
        this.compiled = compiled;
        this.valueGroup = valueGroup;
        List<int[]> fields = new ArrayList<>();
        if (kind == Kind.PATTERN) {
            for (int g = 1; g <= compiled.groupCount(); g++) {
                int f = Strptime.field(compiled.groupName(g));
                if (f != 0) {
                    fields.add(new int[] {f, g});
                }
            }
        }
        this.fieldKinds = fields.stream().mapToInt(a -> a[0]).toArray();
        this.fieldGroups = fields.stream().mapToInt(a -> a[1]).toArray();
        this.ampmGroup = kind == Kind.PATTERN ? compiled.group("p") : -1;
    }

    DateTemplate withWeight(double w) {
        return new DateTemplate(name, pattern, regex, flags, w, kind, compiled, valueGroup);
    }

    boolean anchored() {
        return (flags & (LINE_BEGIN | LINE_END)) != 0;
    }

    /** A template from a datepattern with {@code %} directives (fail2ban's DatePatternRegex). */
    static DateTemplate ofPattern(String pattern, Strptime strptime) {
        String p = pattern;
        Begin begin = Begin.WORD;
        boolean wordEnd = true;
        if (UNBOUND_KEY.matcher(p).find()) {
            p = UNBOUND_KEY.matcher(p).replaceAll("");
            begin = Begin.ANYWHERE;
            wordEnd = false;
        }
        if (begin != Begin.ANYWHERE && LINE_BEGIN_PREFIX.matcher(p).find()) {
            p = LINE_BEGIN_PREFIX.matcher(p).replaceAll("");
            begin = Begin.LINE;
        }
        Strptime.Translation t = strptime.translate(p);
        String regex = t.regex();
        if (ALPHA_DIRECTIVE.matcher(p).find()) {
            // month and day names match in any case
            regex = "(?iu)" + regex;
        }
        Bound b = bound(t.name(), regex, begin, wordEnd);
        return new DateTemplate(b.name, pattern, b.regex, b.flags, 1.0, Kind.PATTERN, compile(b.regex, pattern), 1);
    }

    /**
     * Unix time: by itself ({@code EPOCH}: at the start of the line, just after a {@code [} that
     * starts it, or in SELinux's {@code audit(...)}), tied to the line start ({@code {^LN-BEG}EPOCH}),
     * or inside a pattern ({@code ... {EPOCH} ...}). The long form also takes milliseconds and
     * microseconds (13 or 16 digits).
     */
    static DateTemplate epoch(boolean lineBeginOnly, boolean longForm, String pattern) {
        String number = longForm ? EPOCH_LONG : EPOCH_SECONDS;
        String name = pattern != null ? pattern : longForm ? "LongEpoch" : "Epoch";
        Kind kind = longForm ? Kind.LONG_EPOCH : Kind.EPOCH;
        if (pattern != null) {
            String regex = "(" + EPOCH_KEY.matcher(pattern).replaceAll(Matcher.quoteReplacement("(" + number + ")")) + ")";
            Bound b = bound(name, regex, Begin.WORD, true);
            return new DateTemplate(b.name, null, b.regex, b.flags, 1.0, kind, compile(b.regex, pattern), 2);
        }
        // fail2ban writes these with conditional groups whose conditions can always fall back
        // to the empty branch; java.util.regex gets the same language without them
        String python;
        String java;
        Begin begin;
        if (!lineBeginOnly) {
            python = "((?:^|(?P<square>(?<=^\\[))|(?P<selinux>(?<=\\baudit\\()))" + number
                    + ")(?:(?(selinux)(?=:\\d+\\)))|(?(square)(?=\\])))";
            java = "((?:^|(?<=^\\[)|(?<=\\baudit\\())" + number + ")";
            begin = Begin.ANYWHERE;
        } else {
            python = "((?P<square>(?<=^\\[))?" + number + ")(?(square)(?=\\]))";
            java = "(" + number + ")";
            begin = Begin.LINE;
        }
        Bound shown = bound(name, python, begin, true);
        Bound used = bound(name, java, begin, true);
        return new DateTemplate(shown.name, null, shown.regex, shown.flags, 1.0, kind, compile(used.regex, name), 1);
    }

    /** A TAI64N label ({@code @4000000041f4104f00000000}), as daemontools' multilog writes. */
    static DateTemplate tai64n(boolean lineBegin) {
        Bound b = bound("TAI64N", "@[0-9a-f]{24}", lineBegin ? Begin.LINE : Begin.ANYWHERE, true);
        return new DateTemplate(b.name, null, b.regex, b.flags, 1.0, Kind.TAI64N, compile(b.regex, "TAI64N"), 1);
    }

    private static DateRegex compile(String regex, String source) {
        try {
            return DateRegex.compile(forJava(regex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad datepattern '" + source + "': " + e.getMessage(), e);
        }
    }

    private record Bound(String name, String regex, int flags) {
    }

    /**
     * The line-start prefix {@code ^(?:\W{0,2})?} matches exactly what {@code ^\W{0,2}} does, but
     * java.util.regex would try the rest twice after each failure (once per way to match
     * nothing); the short form is used for matching, the long one is shown.
     */
    private static String forJava(String regex) {
        Matcher gf = GLOBAL_FLAGS_AT_START.matcher(regex);
        int at = gf.lookingAt() ? gf.end() : 0;
        return regex.startsWith(LINE_START_PREFIX, at)
                ? regex.substring(0, at) + "^\\W{0,2}" + regex.substring(at + LINE_START_PREFIX.length())
                : regex;
    }

    /** Adds group 1 and the word or line boundaries, and works out the anchoring flags. */
    private static Bound bound(String name, String regex, Begin begin, boolean wordEnd) {
        regex = pythonStrip(regex);
        Matcher gf = GLOBAL_FLAGS.matcher(regex);
        String globalFlags = null;
        if (gf.find()) {
            globalFlags = gf.group(1);
            regex = regex.substring(0, gf.start()) + regex.substring(gf.end());
        }
        boolean boundBegin = begin != Begin.ANYWHERE && !NO_WORD_BOUND_BEGIN.matcher(regex).find();
        boolean boundEnd = wordEnd && !NO_WORD_BOUND_END.matcher(regex).find();
        if (!HAS_GROUP.matcher(regex).find()) {
            regex = WRAP_GROUP.matcher(regex).replaceFirst("$1($2)$3");
        }
        int flags = 0;
        if (boundBegin) {
            if (begin == Begin.WORD) {
                flags |= WORD_BEGIN;
                regex = "(?=^|\\b|\\W)" + regex;
            } else {
                flags |= LINE_BEGIN;
                regex = LINE_START_PREFIX + regex;
                if (!name.startsWith(LINE_BEGIN_KEY)) {
                    name = LINE_BEGIN_KEY + name;
                }
            }
        }
        if (boundEnd) {
            flags |= WORD_END;
            regex += "(?=\\b|\\W|$)";
        }
        if ((flags & LINE_BEGIN) == 0 && LINE_BOUND_BEGIN.matcher(regex).find()) {
            flags |= LINE_BEGIN;
        }
        if ((flags & LINE_END) == 0 && LINE_BOUND_END.matcher(regex).find()) {
            flags |= LINE_END;
        }
        regex = STARS.matcher(regex).replaceAll(m -> Matcher.quoteReplacement(m.group().replace("**", "")));
        if (globalFlags != null) {
            regex = globalFlags + regex;
        }
        return new Bound(name, regex, flags);
    }

    /** A pattern without its own boundary keys and anchors, to be set into a {@code {DATE}} wrapper. */
    static String unbound(String pattern) {
        String p = UNBOUND_KEY.matcher(pattern).replaceAll("");
        p = LINE_BEGIN_PREFIX.matcher(p).replaceAll("");
        p = WORD_START_ANCHOR.matcher(p).replaceAll("");
        return WORD_END_ANCHOR.matcher(p).replaceAll("");
    }

    /** Python's str.strip(): white space by Python's (Unicode) definition. */
    static String pythonStrip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isPythonSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && isPythonSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || c == '\u0085' || c == '\u00a0' || c == '\u2007' || c == '\u202f';
    }

    @Override
    public String toString() {
        return name;
    }
}
