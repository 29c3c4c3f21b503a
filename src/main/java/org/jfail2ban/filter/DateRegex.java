package org.jfail2ban.filter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
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
 */
final class DateRegex {

    final Pattern pattern;
    /** Python group name by group number (index 0 unused); null for unnamed groups. */
    private final String[] names;
    /**
     * True when the expression can only match at the start of the input ({@code ^} first, no
     * top-level alternative, no multi-line flag): {@code lookingAt} then answers like
     * {@code find} without trying every position.
     */
    final boolean anchoredAtStart;

    private DateRegex(Pattern pattern, String[] names, boolean anchoredAtStart) {
        this.pattern = pattern;
        this.names = names;
        this.anchoredAtStart = anchoredAtStart;
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

    /** Translates and compiles; IllegalArgumentException names the expression and the position. */
    static DateRegex compile(String python) {
        Translator t = new Translator(python);
        String java = t.translate();
        try {
            Pattern p = Pattern.compile(java, t.javaFlags());
            return new DateRegex(p, t.names.toArray(new String[0]), t.anchoredAtStart && !t.multiline);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + python + "': "
                    + e.getDescription(), e);
        }
    }

    /** One pass over the Python expression, writing the java.util.regex one. */
    private static final class Translator {
        private final String src;
        private final StringBuilder out = new StringBuilder();
        private final List<String> names = new ArrayList<>();
        /** Numbers of the groups still open, innermost last. */
        private final Deque<Integer> open = new ArrayDeque<>();
        private int pos;
        private int depth;
        private boolean ignoreCase;
        private boolean multiline;
        private boolean dotAll;
        private boolean verbose;
        private boolean ascii;
        private boolean anchoredAtStart;
        private boolean topLevelAlternative;

        Translator(String src) {
            this.src = src;
            names.add(null);
        }

        int javaFlags() {
            int f = Pattern.UNIX_LINES;
            if (!ascii) {
                f |= Pattern.UNICODE_CHARACTER_CLASS;
            }
            if (ignoreCase) {
                f |= Pattern.CASE_INSENSITIVE | (ascii ? 0 : Pattern.UNICODE_CASE);
            }
            if (multiline) {
                f |= Pattern.MULTILINE;
            }
            if (dotAll) {
                f |= Pattern.DOTALL;
            }
            if (verbose) {
                f |= Pattern.COMMENTS;
            }
            return f;
        }

        private IllegalArgumentException error(String what, int at) {
            return new IllegalArgumentException(what + " at position " + at + " in regular expression '" + src + "'");
        }

        String translate() {
            globalFlags();
            boolean first = true;
            while (pos < src.length()) {
                char c = src.charAt(pos);
                if (first && c == '^') {
                    anchoredAtStart = true;
                }
                first = false;
                switch (c) {
                    case '\\' -> escape(false);
                    case '[' -> charClass();
                    case '(' -> groupOpen();
                    case ')' -> {
                        if (open.isEmpty()) {
                            throw error("unbalanced parenthesis", pos);
                        }
                        open.pop();
                        depth--;
                        out.append(')');
                        pos++;
                    }
                    case '{' -> brace();
                    case '}' -> {
                        out.append("\\}");
                        pos++;
                    }
                    case '|' -> {
                        if (depth == 0) {
                            topLevelAlternative = true;
                        }
                        out.append('|');
                        pos++;
                    }
                    case '#' -> {
                        if (verbose) {
                            int nl = src.indexOf('\n', pos);
                            int end = nl < 0 ? src.length() : nl;
                            out.append(src, pos, end);
                            pos = end;
                        } else {
                            out.append("\\#");
                            pos++;
                        }
                    }
                    default -> {
                        out.append(c);
                        pos++;
                    }
                }
            }
            if (!open.isEmpty()) {
                throw error("missing ), unterminated subpattern", src.length());
            }
            anchoredAtStart &= !topLevelAlternative;
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

        private void groupOpen() {
            int start = pos;
            if (!src.startsWith("(?", pos)) {
                capture(null);
                pos++;
                return;
            }
            if (src.startsWith("(?P<", pos)) {
                int close = src.indexOf('>', pos + 4);
                if (close < 0) {
                    throw error("missing >, unterminated name", pos + 4);
                }
                String name = src.substring(pos + 4, close);
                if (!isIdentifier(name)) {
                    throw error("bad character in group name '" + name + "'", pos + 4);
                }
                if (names.contains(name)) {
                    throw error("redefinition of group name '" + name + "'", pos + 4);
                }
                capture(name);
                pos = close + 1;
                return;
            }
            if (src.startsWith("(?P=", pos)) {
                int close = src.indexOf(')', pos + 4);
                if (close < 0) {
                    throw error("missing ), unterminated name", pos + 4);
                }
                String name = src.substring(pos + 4, close);
                int g = names.indexOf(name);
                if (g < 1) {
                    throw error("unknown group name '" + name + "'", pos + 4);
                }
                backReference(g, pos);
                pos = close + 1;
                return;
            }
            if (src.startsWith("(?#", pos)) {
                int close = src.indexOf(')', pos);
                if (close < 0) {
                    throw error("missing ), unterminated comment", pos);
                }
                pos = close + 1;
                return;
            }
            if (src.startsWith("(?(", pos)) {
                throw error("conditional groups (?(name)yes|no) are not supported in a datepattern", pos);
            }
            for (String lead : new String[] {"(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>"}) {
                if (src.startsWith(lead, pos)) {
                    open.push(0);
                    depth++;
                    out.append(lead);
                    pos += lead.length();
                    return;
                }
            }
            // scoped flags (?i:...) (?-i:...); global ones are only allowed at the start
            int i = pos + 2;
            StringBuilder on = new StringBuilder();
            StringBuilder off = new StringBuilder();
            boolean minus = false;
            while (i < src.length()) {
                char f = src.charAt(i);
                if (f == '-' && !minus) {
                    minus = true;
                } else if ("aiLmsux".indexOf(f) >= 0) {
                    String j = switch (f) {
                        case 'i', 'm', 's', 'x' -> String.valueOf(f);
                        case 'a' -> "";
                        case 'u' -> "";
                        default -> throw error("bad inline flags: cannot use 'L' flag with a str pattern", i);
                    };
                    if (f == 'a') {
                        (minus ? on : off).append('U');
                    }
                    (minus ? off : on).append(j);
                } else {
                    break;
                }
                i++;
            }
            if (i < src.length() && src.charAt(i) == ':' && i > pos + 2) {
                open.push(0);
                depth++;
                out.append("(?").append(on);
                if (off.length() > 0) {
                    out.append('-').append(off);
                }
                out.append(':');
                pos = i + 1;
                return;
            }
            if (i < src.length() && src.charAt(i) == ')' && i > pos + 2) {
                throw error("global flags not at the start of the expression", start);
            }
            throw error("unknown extension " + src.substring(pos + 1, Math.min(src.length(), pos + 4)), start);
        }

        private void capture(String name) {
            names.add(name);
            open.push(names.size() - 1);
            depth++;
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

        /** Python takes {@code {} as a quantifier only when it reads as one; else it is a brace. */
        private void brace() {
            int i = pos + 1;
            int loStart = i;
            while (i < src.length() && isAsciiDigit(src.charAt(i))) {
                i++;
            }
            String lo = src.substring(loStart, i);
            String hi = null;
            boolean comma = false;
            if (i < src.length() && src.charAt(i) == ',') {
                comma = true;
                int hiStart = ++i;
                while (i < src.length() && isAsciiDigit(src.charAt(i))) {
                    i++;
                }
                hi = src.substring(hiStart, i);
            }
            boolean closed = i < src.length() && src.charAt(i) == '}';
            if (!closed || (lo.isEmpty() && !comma)) {
                out.append("\\{");
                pos++;
                return;
            }
            out.append('{').append(lo.isEmpty() ? "0" : lo);
            if (comma) {
                out.append(',').append(hi);
            }
            out.append('}');
            pos = i + 1;
        }

        private void charClass() {
            int start = pos;
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
                literalInClass(cp);
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
                    literalInClass(8);
                    return 8;
                }
                default -> {
                    int cp = escapedCodePoint(true);
                    literalInClass(cp);
                    return cp;
                }
            }
        }

        private void literalInClass(int cp) {
            if (cp < 128 && !Character.isLetterOrDigit(cp)) {
                out.append('\\').append((char) cp);
            } else if (cp >= 128) {
                out.append("\\x{").append(Integer.toHexString(cp)).append('}');
            } else {
                out.append((char) cp);
            }
        }

        private void escape(boolean inClass) {
            if (pos + 1 >= src.length()) {
                throw error("bad escape (end of pattern)", pos);
            }
            char e = src.charAt(pos + 1);
            switch (e) {
                case 'A', 'b', 'B', 'd', 'D', 's', 'S', 'w', 'W' -> {
                    out.append('\\').append(e);
                    pos += 2;
                    return;
                }
                case 'Z' -> {
                    out.append("\\z");
                    pos += 2;
                    return;
                }
                default -> {
                    // handled below
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
                    return;
                }
            }
            int cp = escapedCodePoint(inClass);
            if (cp < 128 && !Character.isLetterOrDigit(cp)) {
                out.append('\\').append((char) cp);
            } else {
                out.append("\\x{").append(Integer.toHexString(cp)).append('}');
            }
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
                    return hex(2, 2, at);
                case 'u':
                    return hex(4, 4, at);
                case 'U': {
                    int cp = hex(8, 8, at);
                    if (cp > Character.MAX_CODE_POINT) {
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
                // up to three octal digits
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

        private int hex(int min, int max, int at) {
            int v = 0;
            int n = 0;
            while (n < max && pos < src.length() && Character.digit(src.charAt(pos), 16) >= 0
                    && src.charAt(pos) < 128) {
                v = v * 16 + Character.digit(src.charAt(pos), 16);
                pos++;
                n++;
            }
            if (n < min) {
                throw error("incomplete escape " + src.substring(at, pos), at);
            }
            return v;
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
