package org.jfail2ban.filter;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pattern in Python's {@code re} dialect, compiled for java.util.regex (see
 * {@link PyRegexTranslator}). Knows its Python group names and where each lives in the Java
 * pattern.
 */
final class PyRegex {

    private final String source;
    private final Pattern pattern;
    private final String[] names;
    private final int[] javaGroup;
    private final boolean anchored;
    private final FirstChars first;

    private PyRegex(String source, Pattern pattern, PyRegexTranslator.Result r) {
        this.source = source;
        this.pattern = pattern;
        this.names = r.groupNames();
        this.javaGroup = r.javaGroup();
        this.anchored = r.anchored();
        this.first = r.first();
    }

    /**
     * Compiles a Python pattern.
     *
     * @param shown the regex to name in an error message (the one the user wrote)
     * @throws RegexException with Python's message and position when Python would refuse it
     */
    static PyRegex compile(String source, boolean multiline, String shown) {
        PyRegexTranslator.Result r;
        try {
            r = PyRegexTranslator.translate(source, multiline ? PyRegexTranslator.M : 0);
        } catch (PyRegexTranslator.SyntaxError e) {
            int pos = source.codePointCount(0, Math.max(0, Math.min(e.position, source.length())));
            throw new RegexException(message(source, e.getMessage(), pos), shown, pos);
        }
        try {
            return new PyRegex(source, Pattern.compile(r.java(), r.javaFlags()), r);
        } catch (PatternSyntaxException e) {
            int pos = r.sourcePosition(source, e.getIndex());
            String what = e.getDescription();
            if (what.startsWith("Look-behind")) {
                what = "look-behind requires fixed-width pattern";
            }
            throw new RegexException(message(source, what, pos), shown, pos);
        } catch (StackOverflowError e) {
            throw new RegexException(message(source, "pattern too deeply nested", 0), shown, 0);
        }
    }

    /** Python's message: {@code msg at position N} (with line and column in a multi-line pattern). */
    private static String message(String source, String msg, int pos) {
        String m = msg + " at position " + pos;
        int cut = source.offsetByCodePoints(0, Math.min(pos, source.codePointCount(0, source.length())));
        if (source.indexOf('\n') >= 0) {
            int line = 1;
            for (int i = 0; i < cut; i++) {
                if (source.charAt(i) == '\n') {
                    line++;
                }
            }
            int col = source.codePointCount(source.lastIndexOf('\n', cut - 1) + 1, cut) + 1;
            m += " (line " + line + ", column " + col + ")";
        }
        return "Unable to compile regular expression '" + source + "':\n" + m;
    }

    String source() {
        return source;
    }

    Pattern pattern() {
        return pattern;
    }

    /** Number of Python groups. */
    int groupCount() {
        return names.length - 1;
    }

    /** The Python name of group {@code g} (1-based), or null for an unnamed group. */
    String name(int g) {
        return names[g];
    }

    /** The Java group number of Python group {@code g}. */
    int javaGroup(int g) {
        return javaGroup[g];
    }

    /** The Python group number of {@code name}, or -1. */
    int group(String name) {
        for (int g = 1; g < names.length; g++) {
            if (name.equals(names[g])) {
                return g;
            }
        }
        return -1;
    }

    /**
     * True when a search of {@code text} cannot succeed because the pattern is anchored and the
     * text starts with a character no match starts with: saves running the matcher at all.
     */
    boolean cannotMatch(String text) {
        return first != null && !text.isEmpty() && !first.accepts(text.charAt(0));
    }

    /** Python's {@code re.search}: true when the pattern matches anywhere in the matcher's text. */
    boolean search(Matcher m) {
        return anchored ? m.lookingAt() : m.find();
    }

    /** The Java pattern (for tests and debugging). */
    @Override
    public String toString() {
        return pattern.pattern();
    }
}
