package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Python literals fail2ban prints ({@code ['set', 'sshd', 'maxretry', 5]}) into Java
 * values: str to String, int to Long, float to Double, bool to Boolean, None to null, list and
 * tuple to List, dict to Map. Also brings our own values to that form, so both sides compare
 * with equals().
 */
final class PyLiteral {

    private final String s;
    private int i;

    private PyLiteral(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        PyLiteral p = new PyLiteral(text);
        Object v = p.value();
        p.skip();
        if (p.i != text.length()) {
            throw p.error("trailing text");
        }
        return v;
    }

    /** Our value in the form {@link #parse} gives: Integer to Long, lists copied. */
    static Object normalize(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                out.add(normalize(o));
            }
            return out;
        }
        if (v instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                out.put(normalize(e.getKey()), normalize(e.getValue()));
            }
            return out;
        }
        return v;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at " + i + " in: " + s);
    }

    private void skip() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private Object value() {
        skip();
        if (i >= s.length()) {
            throw error("value expected");
        }
        char c = s.charAt(i);
        if (c == '[' || c == '(') {
            return sequence(c == '[' ? ']' : ')');
        }
        if (c == '{') {
            return dict();
        }
        if (c == '\'' || c == '"') {
            return string();
        }
        if (s.startsWith("True", i)) {
            i += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("False", i)) {
            i += 5;
            return Boolean.FALSE;
        }
        if (s.startsWith("None", i)) {
            i += 4;
            return null;
        }
        return number();
    }

    private List<Object> sequence(char close) {
        i++;
        List<Object> out = new ArrayList<>();
        skip();
        while (s.charAt(i) != close) {
            out.add(value());
            skip();
            if (s.charAt(i) == ',') {
                i++;
                skip();
            } else if (s.charAt(i) != close) {
                throw error("',' or '" + close + "' expected");
            }
        }
        i++;
        return out;
    }

    private Map<Object, Object> dict() {
        i++;
        Map<Object, Object> out = new LinkedHashMap<>();
        skip();
        while (s.charAt(i) != '}') {
            Object k = value();
            skip();
            if (s.charAt(i) != ':') {
                throw error("':' expected");
            }
            i++;
            out.put(k, value());
            skip();
            if (s.charAt(i) == ',') {
                i++;
                skip();
            }
        }
        i++;
        return out;
    }

    private String string() {
        char q = s.charAt(i++);
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = s.charAt(i++);
            if (c == q) {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case '\\': sb.append('\\'); break;
                case '\'': sb.append('\''); break;
                case '"': sb.append('"'); break;
                case 'x':
                    sb.append((char) Integer.parseInt(s.substring(i, i + 2), 16));
                    i += 2;
                    break;
                case 'u':
                    sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                    break;
                case 'U':
                    sb.appendCodePoint(Integer.parseInt(s.substring(i, i + 8), 16));
                    i += 8;
                    break;
                default:
                    sb.append('\\').append(e);
            }
        }
    }

    private Object number() {
        int start = i;
        while (i < s.length() && "+-0123456789.eEinfa".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String t = s.substring(start, i);
        if (t.isEmpty()) {
            throw error("value expected");
        }
        if (t.matches("[+-]?\\d+")) {
            return Long.parseLong(t);
        }
        if (t.equals("inf")) {
            return Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(t);
    }
}
