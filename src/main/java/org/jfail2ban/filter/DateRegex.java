package org.jfail2ban.filter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A date template's regular expression, written in Python's {@code re} dialect as fail2ban's
 * templates and users' {@code datepattern}s are, compiled for java.util.regex.
 *
 * <p>Named groups become numbered groups in the same order, so group numbers agree with Python's
 * and the names are kept here. Python's Unicode classes ({@code \d}, {@code \w}, {@code \b}) and
 * its end-of-line rule ({@code $} before a final {@code \n} only) are kept by compiling with
 * {@link Pattern#UNICODE_CHARACTER_CLASS} and {@link Pattern#UNIX_LINES}. Conditional groups
 * {@code (?(name)yes|no)} have no java.util.regex equivalent and are refused.
 *
 * <p>The translation also works out which ASCII characters a match can start with, so that a
 * search need not try the expression at every position of a line: most positions of a line
 * without a date are passed over by one table look-up.
 */
final class DateRegex {

    /** fail2ban's word-start look-ahead, which its templates begin with. */
    private static final String WORD_START = "(?=^|\\b|\\W)";

    final Pattern pattern;
    /** Python group name by group number (index 0 unused); null for unnamed groups. */
    private final String[] names;
    /**
     * True when the expression can only match at the start of the input ({@code ^} first, no
     * top-level alternative, no multi-line flag): {@code lookingAt} then answers like
     * {@code find} without trying every position.
     */
    final boolean anchoredAtStart;
    /** True when {@link #mayStartWith} knows the first characters (the match is never empty). */
    final boolean scannable;
    /** True when the expression begins with fail2ban's word-start look-ahead. */
    final boolean wordStart;
    private final long firstLow;
    private final long firstHigh;
    /** Pairs of 64-bit halves of ASCII sets: a match holds a character of each. */
    private final long[] required;

    private DateRegex(Pattern pattern, Translator t) {
        this.pattern = pattern;
        this.names = t.names.toArray(new String[0]);
        this.anchoredAtStart = t.anchoredAtStart && !t.multiline;
        this.wordStart = t.wordStart;
        this.scannable = t.firstKnown;
        this.firstLow = t.first[0];
        this.firstHigh = t.first[1];
        this.required = t.required;
    }

    int groupCount() {
        return names.length - 1;
    }

    /** The number of the group Python calls {@code name}, or -1. */
    int group(String name) {
        for (int i = 1; i < names.length; i++) {
            if (name.equals(names[i])) {
                return i;
            }
        }
        return -1;
    }

    String groupName(int group) {
        return names[group];
    }

    /**
     * False when no match can start with {@code c}; only meaningful when {@link #scannable}.
     * Characters beyond ASCII always may (case folding and Unicode digits reach them).
     */
    boolean mayStartWith(char c) {
        if (c >= 128) {
            return true;
        }
        return c < 64 ? (firstLow >>> c & 1) != 0 : (firstHigh >>> (c - 64) & 1) != 0;
    }

    /**
     * False when a line of only ASCII characters, of which {@code low}/{@code high} are the set,
     * cannot hold a match: it lacks every character of something each match contains (the
     * {@code :} of a time, a digit).
     */
    boolean possibleIn(long low, long high) {
        for (int i = 0; i < required.length; i += 2) {
            if ((required[i] & low) == 0 && (required[i + 1] & high) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Translates and compiles; IllegalArgumentException names the expression and the position. */
    static DateRegex compile(String python) {
        Translator t = new Translator(python);
        String java = t.translate();
        try {
            return new DateRegex(Pattern.compile(java, t.javaFlags(t.ignoreCase, true)), t);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + python + "': "
                    + e.getDescription(), e);
        }
    }

    /** The parts of an expression that decide what it can start with. */
    private sealed interface Node permits Leaf, Zero, Unknown, Repeat, Alternatives {
    }

    /** One character out of a set: a literal, a class, {@code .} or an escape such as {@code \d}. */
    private record Leaf(String java, boolean ignoreCase) implements Node {
    }

    /** An anchor or look-around: matches no character. */
    private record Zero() implements Node {
    }

    /** A back-reference: could be anything, or nothing. */
    private record Unknown() implements Node {
    }

    private record Repeat(Node node, int min) implements Node {
    }

    private record Alternatives(List<List<Node>> sequences) implements Node {
    }

    /** Recursive descent over the Python expression, writing the java.util.regex one. */
    private static final class Translator {
        private final String src;
        private final StringBuilder out = new StringBuilder();
        private final List<String> names = new ArrayList<>();
        /** Numbers of the groups still open, innermost last; 0 for groups that capture nothing. */
        private final Deque<Integer> open = new ArrayDeque<>();
        private final Map<String, long[]> leafSets = new HashMap<>();
        private int pos;
        private boolean ignoreCase;
        private boolean caseNow;
        private boolean multiline;
        private boolean dotAll;
        private boolean verbose;
        private boolean ascii;
        private boolean anchoredAtStart;
        private boolean wordStart;
        private boolean firstKnown;
        private final long[] first = new long[2];
        private long[] required;

        Translator(String src) {
            this.src = src;
            names.add(null);
        }

        int javaFlags(boolean ci, boolean withComments) {
            int f = Pattern.UNIX_LINES;
            if (!ascii) {
                f |= Pattern.UNICODE_CHARACTER_CLASS;
            }
            if (ci) {
                f |= Pattern.CASE_INSENSITIVE | (ascii ? 0 : Pattern.UNICODE_CASE);
            }
            if (multiline) {
                f |= Pattern.MULTILINE;
            }
            if (dotAll) {
                f |= Pattern.DOTALL;
            }
            if (verbose && withComments) {
                f |= Pattern.COMMENTS;
            }
            return f;
        }

        private IllegalArgumentException error(String what, int at) {
            return new IllegalArgumentException(what + " at position " + at + " in regular expression '" + src + "'");
        }

        String translate() {
            globalFlags();
            caseNow = ignoreCase;
            anchoredAtStart = src.startsWith("^", pos);
            wordStart = src.startsWith(WORD_START, pos);
            Node root = alternatives(true);
            if (pos < src.length()) {
                throw error("unbalanced parenthesis", pos);
            }
            firstKnown = !first(root, first);
            List<long[]> req = new ArrayList<>();
            required(root, req);
            required = new long[2 * req.size()];
            for (int i = 0; i < req.size(); i++) {
                required[2 * i] = req.get(i)[0];
                required[2 * i + 1] = req.get(i)[1];
            }
            return out.toString();
        }

        /** Flags such as {@code (?iu)} at the very start apply to the whole expression. */
        private void globalFlags() {
            while (src.startsWith("(?", pos)) {
                int i = pos + 2;
                while (i < src.length() && Character.isLetter(src.charAt(i))) {
                    i++;
                }
                if (i == pos + 2 || i >= src.length() || src.charAt(i) != ')') {
                    return;
                }
                for (int k = pos + 2; k < i; k++) {
                    setFlag(src.charAt(k), k);
                }
                pos = i + 1;
            }
        }

        private void setFlag(char f, int at) {
            switch (f) {
                case 'i' -> ignoreCase = true;
                case 'm' -> multiline = true;
                case 's' -> dotAll = true;
                case 'x' -> verbose = true;
                case 'a' -> ascii = true;
                case 'u' -> {
                    // Unicode matching is already the default for text
                }
                case 'L' -> throw error("bad inline flags: cannot use 'L' flag with a str pattern", at);
                default -> throw error("unknown flag", at);
            }
        }

        /** Sequences separated by {@code |}, up to a {@code )} or the end. */
        private Node alternatives(boolean top) {
            List<List<Node>> sequences = new ArrayList<>();
            List<Node> seq = new ArrayList<>();
            while (pos < src.length()) {
                char c = src.charAt(pos);
                if (c == ')') {
                    break;
                }
                if (c == '|') {
                    if (top) {
                        anchoredAtStart = false;
                    }
                    out.append('|');
                    pos++;
                    sequences.add(seq);
                    seq = new ArrayList<>();
                    continue;
                }
                if (c == '*' || c == '+' || c == '?') {
                    repeat(seq, c == '+' ? 1 : 0, 1);
                    continue;
                }
                if (c == '{') {
                    int[] q = quantifier();
                    if (q != null) {
                        repeat(seq, q[0], q[1]);
                        continue;
                    }
                }
                Node n = atom();
                if (n != null) {
                    seq.add(n);
                }
            }
            sequences.add(seq);
            return new Alternatives(sequences);
        }

        /** Applies a quantifier of {@code length} characters (and a lazy or possessive mark). */
        private void repeat(List<Node> seq, int min, int length) {
            if (seq.isEmpty()) {
                throw error("nothing to repeat", pos);
            }
            Node last = seq.remove(seq.size() - 1);
            if (last instanceof Repeat) {
                throw error("multiple repeat", pos);
            }
            String q = src.substring(pos, pos + length);
            if (q.startsWith("{")) {
                // Python's {,n} is {0,n}
                q = q.startsWith("{,") ? "{0" + q.substring(1) : q;
            }
            out.append(q);
            pos += length;
            if (pos < src.length() && (src.charAt(pos) == '?' || src.charAt(pos) == '+')) {
                out.append(src.charAt(pos));
                pos++;
            }
            seq.add(new Repeat(last, min));
        }

        /** A {@code {m,n}} quantifier at pos as {min, length}, or null when Python reads a brace. */
        private int[] quantifier() {
            int i = pos + 1;
            int loStart = i;
            while (i < src.length() && isAsciiDigit(src.charAt(i))) {
                i++;
            }
            String lo = src.substring(loStart, i);
            boolean comma = false;
            if (i < src.length() && src.charAt(i) == ',') {
                comma = true;
                i++;
                while (i < src.length() && isAsciiDigit(src.charAt(i))) {
                    i++;
                }
            }
            if (i >= src.length() || src.charAt(i) != '}' || (lo.isEmpty() && !comma)) {
                return null;
            }
            int min = lo.isEmpty() ? 0 : Integer.parseInt(lo.length() > 9 ? "999999999" : lo);
            return new int[] {min, i + 1 - pos};
        }

        private Node atom() {
            char c = src.charAt(pos);
            switch (c) {
                case '\\':
                    return escape();
                case '[':
                    return charClass();
                case '(':
                    return group();
                case '^', '$':
                    out.append(c);
                    pos++;
                    return new Zero();
                case '.':
                    out.append('.');
                    pos++;
                    return new Leaf(".", caseNow);
                case '{':
                    return literal("\\{", 1);
                case '}':
                    return literal("\\}", 1);
                case '#':
                    if (verbose) {
                        // a comment to the end of the line
                        int nl = src.indexOf('\n', pos);
                        int end = nl < 0 ? src.length() : nl;
                        out.append(src, pos, end);
                        pos = end;
                        return null;
                    }
                    return literal("\\#", 1);
                default:
                    if (verbose && Character.isWhitespace(c)) {
                        out.append(c);
                        pos++;
                        return null;
                    }
                    int cp = src.codePointAt(pos);
                    return literal(javaLiteral(cp), Character.charCount(cp));
            }
        }

        private Node literal(String java, int length) {
            out.append(java);
            pos += length;
            return new Leaf(java, caseNow);
        }

        private Node group() {
            int start = pos;
            if (!src.startsWith("(?", pos)) {
                pos++;
                capture(null);
                return groupBody(caseNow);
            }
            if (src.startsWith("(?P<", pos)) {
                int at = pos + 4;
                String name = nameUpTo('>');
                if (!isIdentifier(name)) {
                    throw error("bad character in group name '" + name + "'", at);
                }
                if (names.contains(name)) {
                    throw error("redefinition of group name '" + name + "'", at);
                }
                capture(name);
                return groupBody(caseNow);
            }
            if (src.startsWith("(?P=", pos)) {
                int at = pos;
                String name = nameUpTo(')');
                int g = names.indexOf(name);
                if (g < 1) {
                    throw error("unknown group name '" + name + "'", at + 4);
                }
                backReference(g, at);
                return new Unknown();
            }
            if (src.startsWith("(?#", pos)) {
                int close = src.indexOf(')', pos);
                if (close < 0) {
                    throw error("missing ), unterminated comment", pos);
                }
                pos = close + 1;
                return null;
            }
            if (src.startsWith("(?(", pos)) {
                throw error("conditional groups (?(name)yes|no) are not supported in a datepattern", pos);
            }
            for (String lead : new String[] {"(?=", "(?!", "(?<=", "(?<!"}) {
                if (src.startsWith(lead, pos)) {
                    out.append(lead);
                    pos += lead.length();
                    open.push(0);
                    groupBody(caseNow);
                    return new Zero();
                }
            }
            for (String lead : new String[] {"(?:", "(?>"}) {
                if (src.startsWith(lead, pos)) {
                    out.append(lead);
                    pos += lead.length();
                    open.push(0);
                    return groupBody(caseNow);
                }
            }
            return scopedFlags(start);
        }

        /** The name after {@code (?P<} or {@code (?P=}, up to {@code end}, which is passed over. */
        private String nameUpTo(char end) {
            int close = src.indexOf(end, pos + 4);
            if (close < 0) {
                throw error("missing " + end + ", unterminated name", pos + 4);
            }
            String name = src.substring(pos + 4, close);
            pos = close + 1;
            return name;
        }

        /** {@code (?i:...)}, {@code (?-i:...)}; global flags are only allowed at the start. */
        private Node scopedFlags(int start) {
            int i = pos + 2;
            StringBuilder on = new StringBuilder();
            StringBuilder off = new StringBuilder();
            boolean minus = false;
            boolean ci = caseNow;
            while (i < src.length()) {
                char f = src.charAt(i);
                if (f == '-' && !minus) {
                    minus = true;
                } else if (f == 'i' || f == 'm' || f == 's' || f == 'x') {
                    (minus ? off : on).append(f);
                    if (f == 'i') {
                        ci = !minus;
                    }
                } else if (f == 'a') {
                    // ASCII-only classes
                    (minus ? on : off).append('U');
                } else if (f == 'u') {
                    // the default
                } else if (f == 'L') {
                    throw error("bad inline flags: cannot use 'L' flag with a str pattern", i);
                } else {
                    break;
                }
                i++;
            }
            if (i < src.length() && src.charAt(i) == ':' && i > pos + 2) {
                out.append("(?").append(on);
                if (off.length() > 0) {
                    out.append('-').append(off);
                }
                out.append(':');
                pos = i + 1;
                open.push(0);
                return groupBody(ci);
            }
            if (i < src.length() && src.charAt(i) == ')' && i > pos + 2) {
                throw error("global flags not at the start of the expression", start);
            }
            throw error("unknown extension " + src.substring(pos + 1, Math.min(src.length(), pos + 4)), start);
        }

        /** The inside of a group whose opening is written, up to and with its {@code )}. */
        private Node groupBody(boolean ci) {
            boolean outer = caseNow;
            caseNow = ci;
            Node inner = alternatives(false);
            caseNow = outer;
            if (pos >= src.length()) {
                throw error("missing ), unterminated subpattern", src.length());
            }
            out.append(')');
            pos++;
            open.pop();
            return inner;
        }

        private void capture(String name) {
            names.add(name);
            open.push(names.size() - 1);
            out.append('(');
        }

        private void backReference(int group, int at) {
            if (group >= names.size()) {
                throw error("invalid group reference " + group, at);
            }
            if (open.contains(group)) {
                throw error("cannot refer to an open group", at);
            }
            out.append("(?:\\").append(group).append(')');
        }

        private Node charClass() {
            int start = pos;
            int written = out.length();
            pos++;
            out.append('[');
            if (pos < src.length() && src.charAt(pos) == '^') {
                out.append('^');
                pos++;
            }
            boolean empty = true;
            while (true) {
                if (pos >= src.length()) {
                    throw error("unterminated character set", start);
                }
                char c = src.charAt(pos);
                if (c == ']' && !empty) {
                    pos++;
                    break;
                }
                empty = false;
                int lo = classAtom();
                if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                    pos++;
                    int hiAt = pos;
                    out.append('-');
                    int hi = classAtom();
                    if (lo < 0 || hi < 0 || hi < lo) {
                        throw error("bad character range", hiAt);
                    }
                }
            }
            out.append(']');
            return new Leaf(out.substring(written), caseNow);
        }

        /**
         * Writes one member of a class; returns its code point, or -1 for a category such as
         * {@code \d} that cannot bound a range.
         */
        private int classAtom() {
            char c = src.charAt(pos);
            if (c != '\\') {
                int cp = src.codePointAt(pos);
                pos += Character.charCount(cp);
                out.append(javaLiteral(cp));
                return cp;
            }
            if (pos + 1 >= src.length()) {
                throw error("bad escape (end of pattern)", pos);
            }
            char e = src.charAt(pos + 1);
            switch (e) {
                case 'd', 'D', 's', 'S', 'w', 'W' -> {
                    out.append('\\').append(e);
                    pos += 2;
                    return -1;
                }
                case 'b' -> {
                    pos += 2;
                    out.append(javaLiteral(8));
                    return 8;
                }
                default -> {
                    int cp = escapedCodePoint(true);
                    out.append(javaLiteral(cp));
                    return cp;
                }
            }
        }

        /** A character as java.util.regex reads it literally, in or out of a class, in any mode. */
        private static String javaLiteral(int cp) {
            if (cp < 128 && Character.isLetterOrDigit(cp)) {
                return String.valueOf((char) cp);
            }
            if (cp < 128 && cp > 32 && cp != 127) {
                return "\\" + (char) cp;
            }
            return "\\x{" + Integer.toHexString(cp) + "}";
        }

        private Node escape() {
            if (pos + 1 >= src.length()) {
                throw error("bad escape (end of pattern)", pos);
            }
            char e = src.charAt(pos + 1);
            switch (e) {
                case 'A', 'b', 'B' -> {
                    out.append('\\').append(e);
                    pos += 2;
                    return new Zero();
                }
                case 'Z' -> {
                    out.append("\\z");
                    pos += 2;
                    return new Zero();
                }
                case 'd', 'D', 's', 'S', 'w', 'W' -> {
                    String j = "\\" + e;
                    out.append(j);
                    pos += 2;
                    return new Leaf(j, caseNow);
                }
                default -> {
                    // below
                }
            }
            if (e >= '1' && e <= '9') {
                int at = pos;
                int i = pos + 1;
                boolean octal = i + 2 < src.length() && isOctal(src.charAt(i)) && isOctal(src.charAt(i + 1))
                        && isOctal(src.charAt(i + 2));
                if (!octal) {
                    int end = i + 1;
                    if (end < src.length() && isAsciiDigit(src.charAt(end))) {
                        end++;
                    }
                    int group = Integer.parseInt(src.substring(i, end));
                    pos = end;
                    backReference(group, at);
                    return new Unknown();
                }
            }
            String j = javaLiteral(escapedCodePoint(false));
            out.append(j);
            return new Leaf(j, caseNow);
        }

        /** Reads an escape that stands for one character and returns it. */
        private int escapedCodePoint(boolean inClass) {
            int at = pos;
            char e = src.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case 'a':
                    return 7;
                case 'f':
                    return 12;
                case 'n':
                    return 10;
                case 'r':
                    return 13;
                case 't':
                    return 9;
                case 'v':
                    return 11;
                case 'x':
                    return hex(2, at);
                case 'u':
                    return hex(4, at);
                case 'U': {
                    int cp = hex(8, at);
                    if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                        throw error("bad escape \\U", at);
                    }
                    return cp;
                }
                case 'N': {
                    if (pos >= src.length() || src.charAt(pos) != '{') {
                        throw error("missing {", pos);
                    }
                    int close = src.indexOf('}', pos);
                    if (close < 0) {
                        throw error("missing }, unterminated name", pos);
                    }
                    String name = src.substring(pos + 1, close);
                    try {
                        int cp = Character.codePointOf(name);
                        pos = close + 1;
                        return cp;
                    } catch (IllegalArgumentException x) {
                        throw error("undefined character name '" + name + "'", at);
                    }
                }
                default:
                    break;
            }
            if (isOctal(e)) {
                int v = e - '0';
                int n = 1;
                while (n < 3 && pos < src.length() && isOctal(src.charAt(pos))) {
                    v = v * 8 + (src.charAt(pos) - '0');
                    pos++;
                    n++;
                }
                if (v > 0377) {
                    throw error("octal escape value outside of range 0-0o377", at);
                }
                if (inClass || e == '0' || n == 3) {
                    return v;
                }
                throw error("invalid group reference", at);
            }
            if (e < 128 && Character.isLetterOrDigit(e)) {
                throw error("bad escape \\" + e, at);
            }
            pos = at + 1;
            int cp = src.codePointAt(pos);
            pos += Character.charCount(cp);
            return cp;
        }

        /** Exactly {@code digits} hexadecimal digits. */
        private int hex(int digits, int at) {
            int v = 0;
            for (int n = 0; n < digits; n++) {
                int d = pos < src.length() && src.charAt(pos) < 128 ? Character.digit(src.charAt(pos), 16) : -1;
                if (d < 0) {
                    throw error("incomplete escape " + src.substring(at, pos), at);
                }
                v = v * 16 + d;
                pos++;
            }
            return v;
        }

        /**
         * Adds to {@code set} the ASCII characters a match of {@code n} can start with; returns
         * whether {@code n} can match without consuming a character (then what follows counts too).
         */
        private boolean first(Node n, long[] set) {
            if (n instanceof Leaf leaf) {
                long[] s = leafSets.computeIfAbsent(leaf.java() + (leaf.ignoreCase() ? "/i" : ""), k -> asciiSet(leaf));
                set[0] |= s[0];
                set[1] |= s[1];
                return false;
            }
            if (n instanceof Zero) {
                return true;
            }
            if (n instanceof Unknown) {
                set[0] = -1;
                set[1] = -1;
                return true;
            }
            if (n instanceof Repeat r) {
                return first(r.node(), set) || r.min() == 0;
            }
            boolean empty = false;
            for (List<Node> seq : ((Alternatives) n).sequences()) {
                boolean all = true;
                for (Node x : seq) {
                    if (!first(x, set)) {
                        all = false;
                        break;
                    }
                }
                empty |= all;
            }
            return empty;
        }

        /** Collects the sets every match of {@code n} takes a character from. */
        private void required(Node n, List<long[]> into) {
            if (n instanceof Leaf leaf) {
                long[] s = leafSets.computeIfAbsent(leaf.java() + (leaf.ignoreCase() ? "/i" : ""), k -> asciiSet(leaf));
                for (long[] x : into) {
                    if (x[0] == s[0] && x[1] == s[1]) {
                        return;
                    }
                }
                into.add(s);
            } else if (n instanceof Repeat r) {
                if (r.min() > 0) {
                    required(r.node(), into);
                }
            } else if (n instanceof Alternatives a && a.sequences().size() == 1) {
                for (Node x : a.sequences().get(0)) {
                    required(x, into);
                }
            }
        }

        /** The ASCII characters one leaf matches, asked of java.util.regex itself. */
        private long[] asciiSet(Leaf leaf) {
            long[] s = new long[2];
            Pattern p = Pattern.compile(leaf.java(), javaFlags(leaf.ignoreCase(), false));
            for (char c = 0; c < 128; c++) {
                if (p.matcher(String.valueOf(c)).matches()) {
                    s[c >> 6] |= 1L << (c & 63);
                }
            }
            return s;
        }

        private static boolean isOctal(char c) {
            return c >= '0' && c <= '7';
        }

        private static boolean isAsciiDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static boolean isIdentifier(String s) {
            if (s.isEmpty() || !(Character.isLetter(s.codePointAt(0)) || s.charAt(0) == '_')) {
                return false;
            }
            return s.codePoints().allMatch(c -> Character.isLetterOrDigit(c) || c == '_');
        }
    }
}
