package org.jfail2ban.protocol;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's JSON: one reader and one writer for the places we speak it, each place a
 * {@link Style}. Values are null, Boolean, String, Long (whole numbers that fit), BigInteger
 * (larger ones, as Python's int), Double (any number with a fraction or an exponent, so
 * {@code 600} and {@code 600.0} stay apart as fail2ban keeps them), List and Map (keys in order).
 *
 * <p>Our own codec rather than gson for two reasons: the client is a short-lived process whose
 * start-up time is what a user feels (this class loads in well under a millisecond), and the
 * store must write the bytes Python writes and read a hundred thousand ban records at a start.
 */
public final class Json {

    /** How values are written. */
    public enum Style {
        /**
         * Our socket: compact, one line per message. NaN and infinities are not JSON and travel
         * as null; U+2028 and U+2029 are escaped too, as some line readers end lines there.
         */
        WIRE(",", ":"),
        /**
         * Python's {@code json.dumps(v, ensure_ascii=False)}, as fail2ban writes the data column
         * of its database: ", " and ": " between items, NaN, Infinity and -Infinity written as
         * words, floats as Python's repr, text other than control characters as it is.
         */
        PYTHON(", ", ": "),
        /**
         * Python's {@code json.dumps(v)} with its defaults, as fail2ban's client hands the
         * options of a Python action over: {@link #PYTHON} with every character outside
         * printable ASCII escaped ({@code \u00fc}, a surrogate pair for one beyond U+FFFF).
         */
        PYTHON_ASCII(", ", ": ");

        private final String comma;
        private final String colon;

        Style(String comma, String colon) {
            this.comma = comma;
            this.colon = colon;
        }
    }

    /**
     * Deepest nesting read: commands and a ticket's data nest a few levels, so far deeper is
     * a hostile peer or a damaged row, and the reader must not run out of the server's small
     * thread stacks (-Xss256k) before it says so.
     */
    private static final int MAX_DEPTH = 64;

    private final String text;
    private final boolean python;
    private int pos;

    private Json(String text, boolean python) {
        this.text = text;
        this.python = python;
    }

    /**
     * Parses one value of strict JSON, as our socket carries it: lists and maps come back
     * modifiable. Throws IllegalArgumentException naming the offset of a fault.
     */
    public static Object parse(String text) {
        return new Json(text, false).whole();
    }

    /**
     * Parses one value as Python's {@code json.loads} does: also {@code NaN}, {@code Infinity}
     * and {@code -Infinity}. Lists and maps come back unmodifiable, values to keep. Throws
     * IllegalArgumentException naming the offset of a fault.
     */
    public static Object parsePython(String text) {
        return new Json(text, true).whole();
    }

    /** The value as {@link Style#WIRE}. */
    public static String write(Object v) {
        return write(v, Style.WIRE);
    }

    public static void write(StringBuilder sb, Object v) {
        write(sb, v, Style.WIRE);
    }

    public static String write(Object v, Style style) {
        StringBuilder sb = new StringBuilder(128);
        write(sb, v, style);
        return sb.toString();
    }

    /**
     * Appends the value. Sets and other iterables and {@link PyRepr.Tuple} are written as lists,
     * map keys and values of other types as their text, as fail2ban does with what json cannot
     * write.
     */
    public static void write(StringBuilder sb, Object v, Style style) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            writeString(sb, s, style);
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Long || v instanceof Integer || v instanceof BigInteger || v instanceof Short
                || v instanceof Byte) {
            sb.append(v);
        } else if (v instanceof Number n) {
            writeFloat(sb, n.doubleValue(), style);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(style.comma);
                }
                first = false;
                writeString(sb, String.valueOf(e.getKey()), style);
                sb.append(style.colon);
                write(sb, e.getValue(), style);
            }
            sb.append('}');
        } else if (v instanceof Iterable<?> items) {
            sb.append('[');
            boolean first = true;
            for (Object o : items) {
                if (!first) {
                    sb.append(style.comma);
                }
                first = false;
                write(sb, o, style);
            }
            sb.append(']');
        } else if (v instanceof PyRepr.Tuple t) {
            write(sb, t.items(), style);
        } else {
            writeString(sb, v.toString(), style);
        }
    }

    private static void writeFloat(StringBuilder sb, double d, Style style) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            if (style == Style.WIRE) {
                sb.append("null");
            } else {
                sb.append(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            }
        } else {
            sb.append(PyRepr.floatRepr(d));
        }
    }

    private static void writeString(StringBuilder sb, String s, Style style) {
        sb.append('"');
        int plain = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!escaped(c, style)) {
                continue;
            }
            sb.append(s, plain, i);
            plain = i + 1;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    // as Python: four lowercase hex digits, a pair of them for a surrogate pair
                    sb.append("\\u");
                    for (int shift = 12; shift >= 0; shift -= 4) {
                        sb.append(Character.forDigit((c >> shift) & 0xf, 16));
                    }
                }
            }
        }
        sb.append(s, plain, s.length()).append('"');
    }

    private static boolean escaped(char c, Style style) {
        if (c < 0x20 || c == '"' || c == '\\') {
            return true;
        }
        return switch (style) {
            case WIRE -> c == 0x7f || c == '\u2028' || c == '\u2029';
            case PYTHON -> false;
            case PYTHON_ASCII -> c >= 0x7f;
        };
    }

    // ---- the reader

    private Object whole() {
        skipSpace();
        Object v = value(0);
        skipSpace();
        if (pos != text.length()) {
            throw fault("unexpected text after the value");
        }
        return v;
    }

    private IllegalArgumentException fault(String what) {
        return new IllegalArgumentException("bad JSON at offset " + pos + ": " + what);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                break;
            }
            pos++;
        }
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw fault("nested too deeply");
        }
        if (pos >= text.length()) {
            throw fault("a value is missing");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            case 'N':
                return python ? literal("NaN", Double.NaN) : unexpected(c);
            case 'I':
                return python ? literal("Infinity", Double.POSITIVE_INFINITY) : unexpected(c);
            default:
                if (c == '-' && python && text.startsWith("-Infinity", pos)) {
                    return literal("-Infinity", Double.NEGATIVE_INFINITY);
                }
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                return unexpected(c);
        }
    }

    private Object unexpected(char c) {
        throw fault("unexpected character '" + c + "'");
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, pos)) {
            throw fault("expected " + word);
        }
        pos += word.length();
        return v;
    }

    /**
     * JSON's number grammar, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, read as Python does:
     * a fraction or exponent without digits is not part of the number, so the fault is named
     * where it starts ("1." is the number 1 followed by a stray '.').
     */
    private Object number() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) == '0') {
            pos++;
        } else if (digits() == 0) {
            pos = start;
            throw fault("expected a value");
        }
        int whole = pos;
        if (pos + 1 < text.length() && text.charAt(pos) == '.' && isDigit(text.charAt(pos + 1))) {
            pos++;
            digits();
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            int mark = pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (digits() == 0) {
                pos = mark;
            }
        }
        if (pos != whole) {
            return Double.parseDouble(text.substring(start, pos));
        }
        if (pos - start <= 18) {
            // the common case (a count, a time): no BigInteger on the way
            long n = 0;
            for (int i = text.charAt(start) == '-' ? start + 1 : start; i < pos; i++) {
                n = n * 10 + (text.charAt(i) - '0');
            }
            return text.charAt(start) == '-' ? -n : n;
        }
        BigInteger b = new BigInteger(text.substring(start, pos));
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private int digits() {
        int start = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        return pos - start;
    }

    private String string() {
        int open = pos++;
        int start = pos;
        // the common case: no escape, the text is a substring
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                return text.substring(start, pos++);
            }
            if (c == '\\') {
                break;
            }
            pos++;
        }
        StringBuilder sb = new StringBuilder(text.length() - start).append(text, start, pos);
        while (true) {
            if (pos >= text.length()) {
                pos = open;
                throw fault("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                pos = open;
                throw fault("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> sb.append(hex4());
                default -> {
                    pos -= 2;
                    throw fault("bad escape \\" + e);
                }
            }
        }
    }

    private char hex4() {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = pos + i < text.length() ? hexDigit(text.charAt(pos + i)) : -1;
            if (d < 0) {
                pos--;
                throw fault("bad \\u escape");
            }
            v = v << 4 | d;
        }
        pos += 4;
        return (char) v;
    }

    /** An ASCII hex digit's value, else -1 (Character.digit would take other scripts' digits). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private List<Object> array(int depth) {
        pos++;
        List<Object> out = new ArrayList<>();
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == ']') {
            pos++;
            return frozen(out);
        }
        while (true) {
            skipSpace();
            out.add(value(depth + 1));
            skipSpace();
            if (pos >= text.length()) {
                throw fault("unterminated array");
            }
            char c = text.charAt(pos++);
            if (c == ']') {
                return frozen(out);
            }
            if (c != ',') {
                pos--;
                throw fault("expected ',' or ']'");
            }
        }
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> out = new LinkedHashMap<>();
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == '}') {
            pos++;
            return frozen(out);
        }
        while (true) {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw fault("expected a key");
            }
            String key = string();
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != ':') {
                throw fault("expected ':'");
            }
            pos++;
            skipSpace();
            out.put(key, value(depth + 1));
            skipSpace();
            if (pos >= text.length()) {
                throw fault("unterminated object");
            }
            char c = text.charAt(pos++);
            if (c == '}') {
                return frozen(out);
            }
            if (c != ',') {
                pos--;
                throw fault("expected ',' or '}'");
            }
        }
    }

    private List<Object> frozen(List<Object> l) {
        return python ? Collections.unmodifiableList(l) : l;
    }

    private Map<String, Object> frozen(Map<String, Object> m) {
        return python ? Collections.unmodifiableMap(m) : m;
    }
}
