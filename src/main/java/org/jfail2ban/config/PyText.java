package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The few string rules of Python 3 that decide how fail2ban reads its files: what counts as
 * whitespace (str.isspace, regex \s), what a word character is (regex \w), how keys are
 * lowercased, how values print (str()). Reading configuration the same way as fail2ban means
 * using the same definitions, not Java's slightly different ones.
 */
final class PyText {

    private PyText() {
    }

    /** Python's str.isspace for one code point. */
    static boolean isSpace(int c) {
        if (c < 0x80) {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
        }
        if (Character.getType(c) == Character.SPACE_SEPARATOR) {
            return true;
        }
        byte d = Character.getDirectionality(c);
        return d == Character.DIRECTIONALITY_WHITESPACE
                || d == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || d == Character.DIRECTIONALITY_SEGMENT_SEPARATOR;
    }

    /** Python's regex \w on str: letters, digits (any script), underscore. */
    static boolean isWord(int c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }
        int t = Character.getType(c);
        return Character.isLetter(c) || t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER
                || t == Character.OTHER_NUMBER;
    }

    /** Python's str.strip(). */
    static String strip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return b == 0 && e == s.length() ? s : s.substring(b, e);
    }

    /** Python's str.rstrip(). */
    static String rstrip(String s) {
        int e = s.length();
        while (e > 0 && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return e == s.length() ? s : s.substring(0, e);
    }

    /** Python's str.lower(), which configparser applies to every key. */
    static String lower(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
                return s.toLowerCase(Locale.ROOT);
            }
        }
        return s;
    }

    /** Python's str() of a value fail2ban keeps: str, bool, int; None prints as None. */
    static String str(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean) {
            return ((Boolean) v) ? "True" : "False";
        }
        return v.toString();
    }

    /** Python's str.split('\n'). */
    static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** Python's int(str): optional sign, decimal digits with single underscores between them. */
    static Integer parseInt(String text) {
        String t = strip(text);
        int i = 0;
        boolean neg = false;
        if (i < t.length() && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
            neg = t.charAt(i) == '-';
            i++;
        }
        if (i >= t.length()) {
            return null;
        }
        StringBuilder digits = new StringBuilder();
        boolean lastUnderscore = true;
        for (; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '_') {
                if (lastUnderscore) {
                    return null;
                }
                lastUnderscore = true;
            } else if (Character.isDigit(c)) {
                digits.append(Character.digit(c, 10));
                lastUnderscore = false;
            } else {
                return null;
            }
        }
        if (lastUnderscore) {
            return null;
        }
        try {
            long v = Long.parseLong(digits.toString());
            v = neg ? -v : v;
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                return null;
            }
            return (int) v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** fail2ban's boolean reading: 1, on, true, yes (any case) are true; anything else is false. */
    static boolean asBool(String v) {
        String l = PyText.lower(v);
        return l.equals("1") || l.equals("on") || l.equals("true") || l.equals("yes");
    }

    /** The words fail2ban's readers and the server agree on as booleans. */
    static boolean isBoolWord(String v) {
        switch (lower(v)) {
            case "1": case "on": case "true": case "yes":
            case "0": case "off": case "false": case "no":
                return true;
            default:
                return false;
        }
    }

    /** Python's splitext(path)[0]: drops the last extension of the last path element. */
    static String dropExtension(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot <= slash + 1) {
            return path;
        }
        // a leading run of dots in the file name is not an extension
        for (int i = slash + 1; i < dot; i++) {
            if (path.charAt(i) != '.') {
                return path.substring(0, dot);
            }
        }
        return path;
    }
}
