package org.jfail2ban.store;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of fail2ban's {@code data} columns: a ticket's data dictionary, written as UTF-8 bytes
 * (fail2ban binds them as a BLOB) and read back from text or blob alike. Whole numbers come back
 * as {@code Long} so that {@code "failures": 3} is written again as 3, never as 3.0.
 *
 * <p>Our own small reader and writer rather than a general library: a restore reads a hundred
 * thousand of these, and the values are only strings, numbers, booleans, lists and maps.
 * Like Python's {@code json}, they accept and write {@code NaN} and {@code Infinity}.
 */
final class Json {

    private Json() {
    }

    static byte[] write(Map<String, Object> data) {
        StringBuilder sb = new StringBuilder(256);
        value(sb, data);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            string(sb, (String) v);
        } else if (v instanceof Boolean) {
            sb.append((Boolean) v ? "true" : "false");
        } else if (v instanceof Double) {
            double d = (Double) v;
            sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Double.toString(d));
        } else if (v instanceof Number) {
            sb.append(v);
        } else if (v instanceof Map<?, ?>) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                value(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Collection<?>) {
            sb.append('[');
            boolean first = true;
            for (Object x : (Collection<?>) v) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                value(sb, x);
            }
            sb.append(']');
        } else {
            string(sb, v.toString());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /**
     * Parses a data column. Like fail2ban, a value that is no JSON object becomes an empty
     * dictionary rather than an error: one damaged row must not stop a restore.
     */
    static Map<String, Object> read(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Map.of();
        }
        try {
            Reader r = new Reader(new String(bytes, StandardCharsets.UTF_8));
            r.space();
            if (r.peek() != '{') {
                return Map.of();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) r.value();
            r.space();
            return r.at == r.s.length() ? m : Map.of();
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return Map.of();
        }
    }

    private static final class Reader {
        final String s;
        int at;

        Reader(String s) {
            this.s = s;
        }

        char peek() {
            return at < s.length() ? s.charAt(at) : '\0';
        }

        void space() {
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                at++;
            }
        }

        void expect(char c) {
            space();
            if (peek() != c) {
                throw new IllegalArgumentException("'" + c + "' expected at " + at);
            }
            at++;
        }

        Object value() {
            space();
            char c = peek();
            switch (c) {
                case '{': {
                    at++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    space();
                    if (peek() == '}') {
                        at++;
                        return Collections.unmodifiableMap(m);
                    }
                    while (true) {
                        space();
                        String key = string();
                        expect(':');
                        m.put(key, value());
                        space();
                        char d = s.charAt(at++);
                        if (d == '}') {
                            return Collections.unmodifiableMap(m);
                        }
                        if (d != ',') {
                            throw new IllegalArgumentException("',' or '}' expected at " + at);
                        }
                    }
                }
                case '[': {
                    at++;
                    List<Object> l = new ArrayList<>();
                    space();
                    if (peek() == ']') {
                        at++;
                        return Collections.unmodifiableList(l);
                    }
                    while (true) {
                        l.add(value());
                        space();
                        char d = s.charAt(at++);
                        if (d == ']') {
                            return Collections.unmodifiableList(l);
                        }
                        if (d != ',') {
                            throw new IllegalArgumentException("',' or ']' expected at " + at);
                        }
                    }
                }
                case '"':
                    return string();
                default:
                    return literal();
            }
        }

        String string() {
            if (peek() != '"') {
                throw new IllegalArgumentException("string expected at " + at);
            }
            int start = ++at;
            // the common case: no escapes
            while (true) {
                char c = s.charAt(at);
                if (c == '"') {
                    return s.substring(start, at++);
                }
                if (c == '\\') {
                    break;
                }
                at++;
            }
            StringBuilder sb = new StringBuilder(s.substring(start, at));
            while (true) {
                char c = s.charAt(at++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(at++);
                switch (e) {
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'u':
                        sb.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default: sb.append(e); break; // \" \\ \/
                }
            }
        }

        Object literal() {
            int start = at;
            while (at < s.length() && ",}] \n\r\t".indexOf(s.charAt(at)) < 0) {
                at++;
            }
            String t = s.substring(start, at);
            switch (t) {
                case "true": return Boolean.TRUE;
                case "false": return Boolean.FALSE;
                case "null": return null;
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
            if (t.isEmpty()) {
                throw new IllegalArgumentException("value expected at " + start);
            }
            if (t.indexOf('.') < 0 && t.indexOf('e') < 0 && t.indexOf('E') < 0) {
                BigInteger b = new BigInteger(t);
                return b.bitLength() < 64 ? (Object) b.longValue() : b;
            }
            return new BigDecimal(t).doubleValue();
        }
    }

    /** A copy of a data map holding only JSON values (sets become lists, as fail2ban writes them). */
    static Map<String, Object> normalize(Map<String, ?> data) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : data.entrySet()) {
            if (e.getValue() != null) {
                m.put(e.getKey(), normalizeValue(e.getValue()));
            }
        }
        return Collections.unmodifiableMap(m);
    }

    private static Object normalizeValue(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double
                || v instanceof BigInteger) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float || v instanceof BigDecimal) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Collection<?>) {
            List<Object> l = new ArrayList<>();
            for (Object x : (Collection<?>) v) {
                l.add(normalizeValue(x));
            }
            return Collections.unmodifiableList(l);
        }
        if (v instanceof Map<?, ?>) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                m.put(String.valueOf(e.getKey()), normalizeValue(e.getValue()));
            }
            return Collections.unmodifiableMap(m);
        }
        // anything else is kept by its text, as fail2ban's JSON adapter does
        return v.toString();
    }
}
