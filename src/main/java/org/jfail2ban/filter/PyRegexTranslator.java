package org.jfail2ban.filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rewrites a pattern of Python's {@code re} dialect (as fail2ban's filters are written) into an
 * equivalent java.util.regex pattern.
 *
 * <p>The pattern is parsed the way Python's parser reads it, so the same patterns are accepted
 * and rejected, with Python's error messages and positions. What Java lacks is emulated:
 * <ul>
 * <li>every capturing group gets the Java name {@code g<number>}: Java names allow neither
 * {@code _} nor non-ASCII letters, and naming by number keeps backreferences exact;</li>
 * <li>a conditional {@code (?(g)yes|no)} becomes {@code (?:\k<hN>yes|(?!\k<hN>)no)}, where
 * {@code hN} is an empty group placed at the end of group N: a backreference to an empty
 * capture matches the empty string when the group took part and fails when it did not, and
 * Java restores captures on backtracking, so this tests exactly "group N has matched";</li>
 * <li>global flags anywhere in the pattern apply to all of it (Python before 3.11 did so;
 * fail2ban's filters were written for that);</li>
 * <li>{@code \d \w \s \b} get Python 3's Unicode meaning, {@code .}, {@code ^} and {@code $}
 * Python's line semantics (only {@code \n} ends a line), {@code \Z} is {@code \z}.</li>
 * </ul>
 */
final class PyRegexTranslator {

    // Python's flag bits (their values do not matter outside this class).
    static final int I = 1;
    static final int M = 2;
    static final int S = 4;
    static final int X = 8;
    static final int A = 16;
    static final int U = 32;

    private static final String FLAG_LETTERS = "imsxauL";
    private static final String SPECIAL = ".\\[{()*+?^$|";
    private static final String WHITESPACE = " \t\n\r\u000B\f";

    /**
     * Python 3 {@code \s} for str patterns (str.isspace()): Unicode's White_Space and the four
     * information separators U+001C..U+001F; as two predicates it is much quicker in
     * java.util.regex than the same set spelled out.
     */
    private static final String SPACE_UNI = "\\p{IsWhite_Space}\\x{1C}-\\x{1F}";
    private static final String SPACE_ASCII = "\\t\\n\\x{0B}\\f\\r ";
    /** Python 3 {@code \w}: letters, all numbers, underscore; the ASCII ranges first make the common case quick. */
    private static final String WORD_UNI = "a-zA-Z0-9_\\p{L}\\p{N}";
    private static final String WORD_ASCII = "a-zA-Z0-9_";
    private static final String DIGIT_UNI = "\\p{Nd}";
    private static final String DIGIT_ASCII = "0-9";

    /** The translation of one pattern. */
    /**
     * @param groupNames Python group names by group number (index 0 unused, null for unnamed)
     * @param anchored   the pattern can only match at the start ({@code ^} or {@code \A} first)
     * @param javaGroup  the Java group number of each Python group (index = Python group number)
     * @param srcMap     for each char of {@code java}, the position in the Python pattern it came from
     * @param first      for an anchored pattern, the characters a match can start with; null when unknown
     */
    record Result(String java, int javaFlags, String[] groupNames, int[] javaGroup, boolean anchored, int[] srcMap,
            FirstChars first) {
        /** The position in the Python pattern, in code points as Python counts, of a Java pattern index. */
        int sourcePosition(String pattern, int javaIndex) {
            if (srcMap.length == 0) {
                return 0;
            }
            int i = Math.max(0, Math.min(javaIndex, srcMap.length - 1));
            return pattern.codePointCount(0, Math.min(srcMap[i], pattern.length()));
        }
    }

    /** A pattern Python would refuse; position in UTF-16 units of the pattern. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        final int position;

        SyntaxError(String message, int position) {
            super(message, null, false, false);
            this.position = position;
        }
    }

    /** Thrown inside a pass that met a global verbose flag it did not assume: parse again from the start. */
    private static final class Restart extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Restart() {
            super(null, null, false, false);
        }
    }

    private enum Kind { NONE, AT, REPEAT, ATOM }

    private final String p;
    private final int assumedGlobal;
    private final Set<Integer> assumedCondRefs;

    // tokenizer: `next` is the current token (one char, or a backslash and one char), index past it
    private int index;
    private String next;

    private final StringBuilder out = new StringBuilder();
    private final List<Integer> srcMap = new ArrayList<>();
    private int srcOfToken;

    private final Map<String, Integer> groupDict = new HashMap<>();
    private final List<String> groupNames = new ArrayList<>(List.of(""));
    private final List<Boolean> groupClosed = new ArrayList<>(List.of(Boolean.TRUE));
    private final List<Integer> javaGroup = new ArrayList<>(List.of(0));
    private int javaGroups;
    private final Map<Integer, Integer> condRefPos = new HashMap<>();
    private int foundGlobal;
    private boolean anchored;
    /** What the first top-level branch starts with after its ^ (see {@link FirstChars}). */
    private FirstChars topFirst;
    /** The first characters of the item just parsed (null: unknown; TRANSPARENT: no item), read by parseSeq. */
    private FirstChars itemFirst;
    /** The minimum count of the quantifier just parsed. */
    private long lastMin;
    private static final FirstChars UNSET = new FirstChars();
    private static final FirstChars TRANSPARENT = new FirstChars();

    private PyRegexTranslator(String pattern, int assumedGlobal, Set<Integer> assumedCondRefs) {
        this.p = pattern;
        this.assumedGlobal = assumedGlobal;
        this.assumedCondRefs = assumedCondRefs;
    }

    /**
     * Translates {@code pattern} compiled with the Python flags {@code flags} (only {@link #M} is
     * used by fail2ban).
     */
    static Result translate(String pattern, int flags) throws SyntaxError {
        int global = flags;
        Set<Integer> condRefs = new HashSet<>();
        for (int pass = 0; ; pass++) {
            PyRegexTranslator t = new PyRegexTranslator(pattern, global, condRefs);
            try {
                Result r = t.run();
                int all = global | t.foundGlobal;
                if (all == global && condRefs.containsAll(t.condRefPos.keySet())) {
                    return r;
                }
                global = all;
                condRefs.addAll(t.condRefPos.keySet());
            } catch (Restart e) {
                global |= t.foundGlobal;
            }
            if (pass > 4) {
                throw new IllegalStateException("translation does not settle: " + pattern);
            }
        }
    }

    private Result run() throws SyntaxError {
        advance();
        parseSub(0, (assumedGlobal & X) != 0, assumedGlobal);
        if (next != null) {
            throw error("unbalanced parenthesis", 0);
        }
        for (Map.Entry<Integer, Integer> e : condRefPos.entrySet()) {
            if (e.getKey() >= groupNames.size()) {
                throw new SyntaxError("invalid group reference " + e.getKey(), e.getValue());
            }
        }
        int g = assumedGlobal;
        int jf = Pattern.UNIX_LINES;
        if ((g & A) == 0) {
            jf |= Pattern.UNICODE_CASE;
        }
        if ((g & I) != 0) {
            jf |= Pattern.CASE_INSENSITIVE;
        }
        if ((g & S) != 0) {
            jf |= Pattern.DOTALL;
        }
        int[] map = new int[srcMap.size()];
        for (int i = 0; i < map.length; i++) {
            map[i] = srcMap.get(i);
        }
        int[] jg = new int[javaGroup.size()];
        for (int i = 0; i < jg.length; i++) {
            jg[i] = javaGroup.get(i);
        }
        return new Result(out.toString(), jf, groupNames.toArray(new String[0]), jg, anchored, map, anchored ? topFirst : null);
    }

    // ---------------------------------------------------------------- tokenizer

    private void advance() throws SyntaxError {
        int i = index;
        if (i >= p.length()) {
            next = null;
            return;
        }
        int cp = p.codePointAt(i);
        int n = Character.charCount(cp);
        if (cp == '\\') {
            if (i + 1 >= p.length()) {
                throw new SyntaxError("bad escape (end of pattern)", p.length() - 1);
            }
            int c2 = p.codePointAt(i + 1);
            n += Character.charCount(c2);
        }
        next = p.substring(i, i + n);
        index = i + n;
    }

    private boolean match(String s) throws SyntaxError {
        if (s.equals(next)) {
            advance();
            return true;
        }
        return false;
    }

    private String get() throws SyntaxError {
        String t = next;
        advance();
        return t;
    }

    private int tell() {
        return index - (next == null ? 0 : next.length());
    }

    private SyntaxError error(String msg, int offset) {
        return new SyntaxError(msg, tell() - offset);
    }

    private String getWhile(int n, String charset) throws SyntaxError {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (next == null || next.length() != 1 || charset.indexOf(next.charAt(0)) < 0) {
                break;
            }
            r.append(next);
            advance();
        }
        return r.toString();
    }

    private String getUntil(String terminator, String name) throws SyntaxError {
        StringBuilder r = new StringBuilder();
        while (true) {
            String c = next;
            advance();
            if (c == null) {
                if (r.length() == 0) {
                    throw error("missing " + name, 0);
                }
                throw error("missing " + terminator + ", unterminated name", r.length());
            }
            if (c.equals(terminator)) {
                if (r.length() == 0) {
                    throw error("missing " + name, 1);
                }
                break;
            }
            r.append(c);
        }
        return r.toString();
    }

    private void checkGroupName(String name, int offset) throws SyntaxError {
        if (!isIdentifier(name)) {
            throw error("bad character in group name " + pyStr(name), name.length() + offset);
        }
    }

    static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean ok = i == 0
                    ? cp == '_' || Character.isUnicodeIdentifierStart(cp)
                    : Character.isUnicodeIdentifierPart(cp) && !Character.isIdentifierIgnorable(cp);
            if (!ok) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** repr() of a str, as Python's messages quote names. */
    private static String pyStr(String s) {
        return org.jfail2ban.protocol.PyRepr.repr(s);
    }

    // ---------------------------------------------------------------- emission

    private void emit(String s) {
        out.append(s);
        for (int i = 0; i < s.length(); i++) {
            srcMap.add(srcOfToken);
        }
    }

    private void emitLiteral(int cp) {
        StringBuilder sb = new StringBuilder(8);
        appendLiteral(sb, cp, false);
        emit(sb.toString());
    }

    private static void appendLiteral(StringBuilder sb, int cp, boolean inClass) {
        if (cp < 128 && (Character.isLetterOrDigit(cp))) {
            sb.append((char) cp);
        } else if (cp < 0x20 || cp == 0x7f || Character.getType(cp) == Character.SURROGATE) {
            sb.append("\\x{").append(Integer.toHexString(cp)).append('}');
        } else if (inClass ? "[]\\^-&".indexOf(cp) >= 0 : "\\^$.|?*+()[]{}".indexOf(cp) >= 0) {
            sb.append('\\').append((char) cp);
        } else {
            sb.appendCodePoint(cp);
        }
    }

    private static String word(int flags) {
        return (flags & A) != 0 ? WORD_ASCII : WORD_UNI;
    }

    private static String space(int flags) {
        return (flags & A) != 0 ? SPACE_ASCII : SPACE_UNI;
    }

    private static String digit(int flags) {
        return (flags & A) != 0 ? DIGIT_ASCII : DIGIT_UNI;
    }

    /** Class content (without brackets) for a category escape letter, and whether it is negated. */
    private static String categoryBody(char c, int flags) {
        switch (Character.toLowerCase(c)) {
            case 'd':
                return digit(flags);
            case 'w':
                return word(flags);
            default:
                return space(flags);
        }
    }

    // ---------------------------------------------------------------- parser

    /** An alternation {@code a|b|c}; returns what its matches can start with (null: unknown, or empty possible). */
    private FirstChars parseSub(int nested, boolean verbose, int flags) throws SyntaxError {
        boolean first = true;
        FirstChars union = new FirstChars();
        while (true) {
            FirstChars f = parseSeq(nested, verbose, flags, first && nested == 0);
            if (first && nested == 0) {
                topFirst = f;
            }
            union = union == null || f == null ? null : union.addAll(f);
            first = false;
            if (!match("|")) {
                break;
            }
            if (nested == 0) {
                anchored = false; // another top-level branch may match anywhere
            }
            srcOfToken = tell() - 1;
            emit("|");
        }
        return union;
    }

    /**
     * A sequence up to {@code |} or {@code )}; returns what its matches can start with: the
     * first characters of its first item when that item is not optional, else null (unknown).
     */
    private FirstChars parseSeq(int nested, boolean verbose, int flags, boolean topFirst) throws SyntaxError {
        Kind last = Kind.NONE;
        boolean atStart = true;
        FirstChars decided = UNSET;
        FirstChars pending = UNSET;
        boolean ic = (flags & I) != 0;
        while (true) {
            String tok = next;
            if (tok == null || tok.equals("|") || tok.equals(")")) {
                break;
            }
            srcOfToken = tell();
            advance();
            if (verbose) {
                if (tok.length() == 1 && WHITESPACE.indexOf(tok.charAt(0)) >= 0) {
                    continue;
                }
                if (tok.equals("#")) {
                    while (true) {
                        String c = get();
                        if (c == null || c.equals("\n")) {
                            break;
                        }
                    }
                    continue;
                }
            }
            boolean quant = false;
            itemFirst = null;
            if (tok.charAt(0) == '\\') {
                last = escape(tok, flags);
                if (topFirst && atStart && tok.equals("\\A")) {
                    anchored = true;
                    itemFirst = TRANSPARENT;
                }
            } else if (SPECIAL.indexOf(tok.charAt(0)) < 0) {
                emitLiteral(tok.codePointAt(0));
                itemFirst = new FirstChars().add(tok.codePointAt(0), ic);
                last = Kind.ATOM;
            } else if (tok.equals("[")) {
                charClass(flags);
                last = Kind.ATOM;
            } else if ("*+?{".contains(tok)) {
                Kind k = quantifier(tok, last);
                if (k == null) {
                    emitLiteral('{');
                    itemFirst = new FirstChars().add('{', ic);
                    last = Kind.ATOM;
                } else {
                    last = k;
                    quant = true;
                }
            } else if (tok.equals(".")) {
                emit(".");
                itemFirst = (flags & S) != 0 ? new FirstChars().addRange(0, 127, false).anyNonAscii()
                        : new FirstChars().add('\n', false).complement();
                last = Kind.ATOM;
            } else if (tok.equals("(")) {
                Kind k = group(nested, verbose, flags);
                if (k == null) {
                    continue; // comment or global flags: nothing emitted
                }
                last = k;
            } else if (tok.equals("^")) {
                if ((flags & M) != 0) {
                    emit("(?<![^\\n])");
                } else {
                    emit("^");
                    if (topFirst && atStart) {
                        anchored = true;
                        itemFirst = TRANSPARENT;
                    }
                }
                last = Kind.AT;
            } else if (tok.equals("$")) {
                emit((flags & M) != 0 ? "(?=\\n|\\z)" : "$");
                last = Kind.AT;
            } else {
                throw new IllegalStateException("unexpected token " + tok);
            }
            atStart = false;
            if (quant) {
                if (decided == UNSET && pending != UNSET) {
                    decided = lastMin == 0 ? null : pending; // the first item's own quantifier
                }
            } else if (itemFirst != TRANSPARENT) {
                if (decided == UNSET && pending != UNSET) {
                    decided = pending; // the first item had no quantifier
                }
                if (pending == UNSET) {
                    pending = itemFirst;
                }
            }
        }
        if (decided == UNSET) {
            decided = pending == UNSET ? null : pending; // an empty sequence matches the empty string
        }
        return decided;
    }

    /** Applies a quantifier to the item before it; null when a '{' is no quantifier (then a literal). */
    private Kind quantifier(String tok, Kind last) throws SyntaxError {
        int here = tell();
        String q;
        if (tok.equals("{")) {
            if ("}".equals(next)) {
                return null;
            }
            String lo = getWhile(Integer.MAX_VALUE, "0123456789");
            String hi;
            if (match(",")) {
                hi = getWhile(Integer.MAX_VALUE, "0123456789");
            } else {
                hi = lo;
            }
            if (!match("}")) {
                index = here;
                advance();
                return null;
            }
            long min = 0;
            long max = -1;
            if (!lo.isEmpty()) {
                min = parseCount(lo);
            }
            if (!hi.isEmpty()) {
                max = parseCount(hi);
                if (max < min) {
                    throw error("min repeat greater than max repeat", tell() - here);
                }
            }
            q = "{" + min + (hi.equals(lo) && !lo.isEmpty() ? "" : "," + (max < 0 ? "" : String.valueOf(max))) + "}";
            lastMin = min;
        } else {
            q = tok;
            lastMin = tok.equals("+") ? 1 : 0;
        }
        if (last == Kind.NONE || last == Kind.AT) {
            throw error("nothing to repeat", tell() - here + tok.length());
        }
        if (last == Kind.REPEAT) {
            throw error("multiple repeat", tell() - here + tok.length());
        }
        if (match("?")) {
            q += "?";
        } else if (match("+")) {
            q += "+";
        }
        emit(q);
        return Kind.REPEAT;
    }

    private long parseCount(String digits) throws SyntaxError {
        long v;
        try {
            v = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            v = Long.MAX_VALUE;
        }
        if (v >= Integer.MAX_VALUE) {
            throw error("the repetition number is too large", 0);
        }
        return v;
    }

    /** A group of any kind, after its '('; null when nothing was emitted (comment, global flags). */
    private Kind group(int nested, boolean verbose, int flags) throws SyntaxError {
        int start = tell() - 1;
        boolean capture = true;
        boolean atomic = false;
        String name = null;
        int addFlags = 0;
        int delFlags = 0;
        if (match("?")) {
            String c = get();
            if (c == null) {
                throw error("unexpected end of pattern", 0);
            }
            if (c.equals("P")) {
                if (match("<")) {
                    name = getUntil(">", "group name");
                    checkGroupName(name, 1);
                } else if (match("=")) {
                    String ref = getUntil(")", "group name");
                    checkGroupName(ref, 1);
                    Integer gid = groupDict.get(ref);
                    if (gid == null) {
                        throw error("unknown group name " + pyStr(ref), ref.length() + 1);
                    }
                    if (!groupClosed.get(gid)) {
                        throw error("cannot refer to an open group", ref.length() + 1);
                    }
                    emit("\\k<g" + gid + ">");
                    itemFirst = null;
                    return Kind.ATOM;
                } else {
                    String c2 = get();
                    if (c2 == null) {
                        throw error("unexpected end of pattern", 0);
                    }
                    throw error("unknown extension ?P" + c2, c2.length() + 2);
                }
            } else if (c.equals(":")) {
                capture = false;
            } else if (c.equals("#")) {
                while (true) {
                    if (next == null) {
                        throw error("missing ), unterminated comment", tell() - start);
                    }
                    if (get().equals(")")) {
                        break;
                    }
                }
                return null;
            } else if (c.equals("=") || c.equals("!") || c.equals("<")) {
                String kind = c;
                if (c.equals("<")) {
                    String c2 = get();
                    if (c2 == null) {
                        throw error("unexpected end of pattern", 0);
                    }
                    if (!c2.equals("=") && !c2.equals("!")) {
                        throw error("unknown extension ?<" + c2, c2.length() + 2);
                    }
                    kind = "<" + c2;
                }
                emit("(?" + kind);
                parseSub(nested + 1, verbose, flags);
                if (!match(")")) {
                    throw error("missing ), unterminated subpattern", tell() - start);
                }
                emit(")");
                itemFirst = null; // zero width: the next item decides, which this does not follow
                return Kind.ATOM;
            } else if (c.equals("(")) {
                Kind k = conditional(nested, verbose, flags, start);
                itemFirst = null;
                return k;
            } else if (c.equals(">")) {
                capture = false;
                atomic = true;
            } else if (c.length() == 1 && (FLAG_LETTERS.indexOf(c.charAt(0)) >= 0 || c.equals("-"))) {
                int[] f = parseFlags(c);
                if (f == null) {
                    return null; // global flags: applied to the whole pattern
                }
                addFlags = f[0];
                delFlags = f[1];
                capture = false;
            } else {
                throw error("unknown extension ?" + c, c.length() + 1);
            }
        }
        int gid = -1;
        if (capture) {
            gid = groupNames.size();
            if (name != null) {
                Integer old = groupDict.get(name);
                if (old != null) {
                    throw error("redefinition of group name " + pyStr(name) + " as group " + gid
                            + "; was group " + old, name.length() + 1);
                }
                groupDict.put(name, gid);
            }
            groupNames.add(name);
            groupClosed.add(Boolean.FALSE);
            javaGroup.add(++javaGroups);
            emit("(?<g" + gid + ">");
        } else if (atomic) {
            emit("(?>");
        } else if (addFlags != 0 || delFlags != 0) {
            emit("(?" + javaFlags(addFlags) + (javaFlags(delFlags).isEmpty() ? "" : "-" + javaFlags(delFlags)) + ":");
        } else {
            emit("(?:");
        }
        boolean subVerbose = (verbose || (addFlags & X) != 0) && (delFlags & X) == 0;
        FirstChars inner = parseSub(nested + 1, subVerbose, (flags | addFlags) & ~delFlags);
        if (!match(")")) {
            throw error("missing ), unterminated subpattern", tell() - start);
        }
        if (capture) {
            groupClosed.set(gid, Boolean.TRUE);
            if (assumedCondRefs.contains(gid)) {
                javaGroups++;
                emit("(?<h" + gid + ">)");
            }
        }
        emit(")");
        itemFirst = inner;
        return Kind.ATOM;
    }

    private static String javaFlags(int f) {
        String s = "";
        if ((f & I) != 0) {
            s += "i";
        }
        if ((f & S) != 0) {
            s += "s";
        }
        return s;
    }

    /** {@code (?(name)yes|no)}, after its {@code (?(}. */
    private Kind conditional(int nested, boolean verbose, int flags, int start) throws SyntaxError {
        String cond = getUntil(")", "group name");
        int gid;
        if (isIdentifier(cond)) {
            Integer g = groupDict.get(cond);
            if (g == null) {
                throw error("unknown group name " + pyStr(cond), cond.length() + 1);
            }
            gid = g;
        } else {
            try {
                gid = Integer.parseInt(cond);
                if (gid < 0 || !cond.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw error("bad character in group name " + pyStr(cond), cond.length() + 1);
            }
            if (gid == 0) {
                throw error("bad group number", cond.length() + 1);
            }
            if (gid >= 1 << 30) {
                throw error("invalid group reference " + gid, cond.length() + 1);
            }
        }
        condRefPos.putIfAbsent(gid, tell() - cond.length() - 1);
        String ref = "\\k<h" + gid + ">";
        emit("(?:" + ref + "(?:");
        parseSeq(nested + 1, verbose, flags, false);
        emit(")|(?!" + ref + ")(?:");
        if (match("|")) {
            parseSeq(nested + 1, verbose, flags, false);
            if ("|".equals(next)) {
                throw error("conditional backref with more than two branches", 0);
            }
        }
        if (!match(")")) {
            throw error("missing ), unterminated subpattern", tell() - start);
        }
        emit("))");
        return Kind.ATOM;
    }

    /** Flags after {@code (?}; null for global flags {@code (?i)}, else {add, del} of a scoped group. */
    private int[] parseFlags(String c) throws SyntaxError {
        int add = 0;
        int del = 0;
        String ch = c;
        if (!ch.equals("-")) {
            while (true) {
                int flag = flagBit(ch);
                if (ch.equals("L")) {
                    throw error("bad inline flags: cannot use 'L' flag with a str pattern", 0);
                }
                add |= flag;
                if ((flag & (A | U)) != 0 && (add & (A | U)) != flag) {
                    throw error("bad inline flags: flags 'a', 'u' and 'L' are incompatible", 0);
                }
                ch = get();
                if (ch == null) {
                    throw error("missing -, : or )", 0);
                }
                if (ch.equals(")") || ch.equals("-") || ch.equals(":")) {
                    break;
                }
                if (ch.length() != 1 || FLAG_LETTERS.indexOf(ch.charAt(0)) < 0) {
                    throw error(Character.isLetter(ch.codePointAt(0)) ? "unknown flag" : "missing -, : or )", ch.length());
                }
            }
        }
        if (ch.equals(")")) {
            foundGlobal |= add;
            if ((add & X) != 0 && (assumedGlobal & X) == 0) {
                throw new Restart();
            }
            return null;
        }
        if (ch.equals("-")) {
            ch = get();
            if (ch == null) {
                throw error("missing flag", 0);
            }
            if (ch.length() != 1 || FLAG_LETTERS.indexOf(ch.charAt(0)) < 0) {
                throw error(Character.isLetter(ch.codePointAt(0)) ? "unknown flag" : "missing flag", ch.length());
            }
            while (true) {
                int flag = flagBit(ch);
                if ((flag & (A | U)) != 0 || ch.equals("L")) {
                    throw error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", 0);
                }
                del |= flag;
                ch = get();
                if (ch == null) {
                    throw error("missing :", 0);
                }
                if (ch.equals(":")) {
                    break;
                }
                if (ch.length() != 1 || FLAG_LETTERS.indexOf(ch.charAt(0)) < 0) {
                    throw error(Character.isLetter(ch.codePointAt(0)) ? "unknown flag" : "missing :", ch.length());
                }
            }
        }
        if ((add & del) != 0) {
            throw error("bad inline flags: flag turned on and off", 1);
        }
        return new int[] {add, del};
    }

    private static int flagBit(String c) {
        switch (c) {
            case "i":
                return I;
            case "m":
                return M;
            case "s":
                return S;
            case "x":
                return X;
            case "a":
                return A;
            case "u":
                return U;
            default:
                return 0; // L: refused by the caller
        }
    }

    // ---------------------------------------------------------------- escapes

    /** An escape outside a class. */
    private Kind escape(String tok, int flags) throws SyntaxError {
        char c = tok.charAt(1);
        String w = word(flags);
        switch (c) {
            case 'A':
                emit("\\A");
                return Kind.AT;
            case 'Z':
                emit("\\z");
                return Kind.AT;
            case 'b':
                emit("(?:(?<=[" + w + "])(?![" + w + "])|(?<![" + w + "])(?=[" + w + "]))");
                return Kind.AT;
            case 'B':
                // both sides alike; Python's \B never matches in an empty string
                emit("(?:(?<=[" + w + "])(?=[" + w + "])|(?<![" + w + "])(?![" + w + "])(?:(?<=[\\s\\S])|(?=[\\s\\S])))");
                return Kind.AT;
            case 'd':
            case 'w':
            case 's':
            case 'D':
            case 'W':
            case 'S':
                emit((Character.isUpperCase(c) ? "[^" : "[") + categoryBody(c, flags) + "]");
                itemFirst = categoryFirst(c, flags);
                return Kind.ATOM;
            default:
                break;
        }
        boolean ic = (flags & I) != 0;
        int lit = simpleEscape(c);
        if (lit >= 0) {
            emitLiteral(lit);
            itemFirst = new FirstChars().add(lit, ic);
            return Kind.ATOM;
        }
        if (c == 'x' || c == 'u' || c == 'U' || c == 'N') {
            int v = codeEscape(tok);
            emitLiteral(v);
            itemFirst = new FirstChars().add(v, ic);
            return Kind.ATOM;
        }
        if (c == '0') {
            String e = tok + getWhile(2, "01234567");
            int v = Integer.parseInt(e.substring(1), 8);
            emitLiteral(v);
            itemFirst = new FirstChars().add(v, ic);
            return Kind.ATOM;
        }
        if (c >= '1' && c <= '9') {
            String e = tok;
            if (next != null && next.length() == 1 && Character.isDigit(next.charAt(0)) && next.charAt(0) < 128) {
                e += get();
                if (isOct(e.charAt(1)) && isOct(e.charAt(2)) && next != null && next.length() == 1 && isOct(next.charAt(0))) {
                    e += get();
                    int v = Integer.parseInt(e.substring(1), 8);
                    if (v > 0377) {
                        throw error("octal escape value " + e + " outside of range 0-0o377", e.length());
                    }
                    emitLiteral(v);
                    itemFirst = new FirstChars().add(v, ic);
                    return Kind.ATOM;
                }
            }
            int group = Integer.parseInt(e.substring(1));
            if (group < groupNames.size()) {
                if (!groupClosed.get(group)) {
                    throw error("cannot refer to an open group", e.length());
                }
                emit("\\k<g" + group + ">");
                return Kind.ATOM;
            }
            throw error("invalid group reference " + group, e.length() - 1);
        }
        if (tok.length() == 2 && isAsciiLetter(c)) {
            throw error("bad escape " + tok, tok.length());
        }
        emitLiteral(tok.codePointAt(1));
        itemFirst = new FirstChars().add(tok.codePointAt(1), ic);
        return Kind.ATOM;
    }

    /** The first characters of {@code \d \w \s} and their negations. */
    private static FirstChars categoryFirst(char c, int flags) {
        FirstChars f = new FirstChars();
        switch (Character.toLowerCase(c)) {
            case 'd':
                f.addRange('0', '9', false);
                break;
            case 'w':
                f.addRange('a', 'z', false).addRange('A', 'Z', false).addRange('0', '9', false).add('_', false);
                break;
            default:
                f.addRange(9, 13, false).addRange(0x1c, 0x20, false);
                break;
        }
        if ((flags & A) == 0) {
            f.anyNonAscii();
        }
        return Character.isUpperCase(c) ? f.complement() : f;
    }

    private static boolean isOct(char c) {
        return c >= '0' && c <= '7';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** The code of \a \f \n \r \t \v \\ (and \b, only inside classes: the caller decides), or -1. */
    private static int simpleEscape(char c) {
        switch (c) {
            case 'a':
                return 7;
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'v':
                return 0x0B;
            case '\\':
                return '\\';
            default:
                return -1;
        }
    }

    /** \xhh, \\uhhhh, \\Uhhhhhhhh, \N{NAME}. */
    private int codeEscape(String tok) throws SyntaxError {
        char c = tok.charAt(1);
        if (c == 'N') {
            if (!match("{")) {
                throw error("missing {", 0);
            }
            String name = getUntil("}", "character name");
            try {
                return Character.codePointOf(name);
            } catch (IllegalArgumentException e) {
                throw error("undefined character name " + pyStr(name), name.length() + 4);
            }
        }
        int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        String e = tok + getWhile(digits, "0123456789abcdefABCDEF");
        if (e.length() != digits + 2) {
            throw error("incomplete escape " + e, e.length());
        }
        long v = Long.parseLong(e.substring(2), 16);
        if (v > Character.MAX_CODE_POINT) {
            throw error("bad escape " + e, e.length());
        }
        return (int) v;
    }

    // ---------------------------------------------------------------- classes

    /** One member of a class: a literal (code >= 0) or a category escape (cat != 0). */
    private record ClassItem(int code, char cat) {
    }

    private ClassItem classEscape(String tok) throws SyntaxError {
        char c = tok.charAt(1);
        if (c == 'b') {
            return new ClassItem('\b', (char) 0);
        }
        int lit = simpleEscape(c);
        if (lit >= 0) {
            return new ClassItem(lit, (char) 0);
        }
        if ("dDsSwW".indexOf(c) >= 0) {
            return new ClassItem(-1, c);
        }
        if (c == 'x' || c == 'u' || c == 'U' || c == 'N') {
            return new ClassItem(codeEscape(tok), (char) 0);
        }
        if (isOct(c)) {
            String e = tok + getWhile(2, "01234567");
            int v = Integer.parseInt(e.substring(1), 8);
            if (v > 0377) {
                throw error("octal escape value " + e + " outside of range 0-0o377", e.length());
            }
            return new ClassItem(v, (char) 0);
        }
        if (tok.length() == 2 && (isAsciiLetter(c) || Character.isDigit(c) && c < 128)) {
            throw error("bad escape " + tok, tok.length());
        }
        return new ClassItem(tok.codePointAt(1), (char) 0);
    }

    private void charClass(int flags) throws SyntaxError {
        int here = tell() - 1;
        boolean negate = match("^");
        StringBuilder body = new StringBuilder();
        boolean any = false;
        boolean ic = (flags & I) != 0;
        FirstChars first = new FirstChars();
        while (true) {
            String tok = get();
            if (tok == null) {
                throw error("unterminated character set", tell() - here);
            }
            if (tok.equals("]") && any) {
                break;
            }
            ClassItem c1 = tok.charAt(0) == '\\' ? classEscape(tok) : new ClassItem(tok.codePointAt(0), (char) 0);
            if (match("-")) {
                String that = get();
                if (that == null) {
                    throw error("unterminated character set", tell() - here);
                }
                if (that.equals("]")) {
                    appendClassItem(body, c1, flags);
                    appendLiteral(body, '-', true);
                    first.addAll(classItemFirst(c1, flags)).add('-', ic);
                    any = true;
                    break;
                }
                ClassItem c2 = that.charAt(0) == '\\' ? classEscape(that) : new ClassItem(that.codePointAt(0), (char) 0);
                if (c1.cat != 0 || c2.cat != 0 || c2.code < c1.code) {
                    throw error("bad character range " + tok + "-" + that, tok.length() + 1 + that.length());
                }
                appendLiteral(body, c1.code, true);
                body.append('-');
                appendLiteral(body, c2.code, true);
                first.addRange(c1.code, c2.code, ic);
            } else {
                appendClassItem(body, c1, flags);
                first.addAll(classItemFirst(c1, flags));
            }
            any = true;
        }
        emit("[" + (negate ? "^" : "") + body + "]");
        itemFirst = negate ? first.complement() : first;
    }

    private static FirstChars classItemFirst(ClassItem item, int flags) {
        return item.cat == 0 ? new FirstChars().add(item.code, (flags & I) != 0) : categoryFirst(item.cat, flags);
    }

    private static void appendClassItem(StringBuilder body, ClassItem item, int flags) {
        if (item.cat == 0) {
            appendLiteral(body, item.code, true);
        } else if (Character.isLowerCase(item.cat)) {
            body.append(categoryBody(item.cat, flags));
        } else {
            body.append("[^").append(categoryBody(item.cat, flags)).append(']');
        }
    }

}
