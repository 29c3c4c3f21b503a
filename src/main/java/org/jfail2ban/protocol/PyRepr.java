package org.jfail2ban.protocol;

import java.util.List;
import java.util.Map;

/**
 * Writes values the way Python's {@code repr()} does: fail2ban prints its command stream
 * ({@code fail2ban-client -d}) and some replies as Python literals, and scripts read them.
 *
 * <p>Java values map as: String to str, Integer/Long to int, Double to float, Boolean to
 * bool, null to None, List to list, {@link Tuple} to tuple, Map to dict.
 */
public final class PyRepr {

    private PyRepr() {
    }

    /** A Python tuple, which prints in parentheses. */
    public record Tuple(List<?> items) {
        public static Tuple of(Object... items) {
            return new Tuple(List.of(items));
        }
    }

    /** Python's {@code str()}: a string as it is, anything else as its repr. */
    public static String str(Object v) {
        return v instanceof String ? (String) v : repr(v);
    }

    public static String repr(Object v) {
        StringBuilder sb = new StringBuilder();
        append(sb, v);
        return sb.toString();
    }

    public static void append(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("None");
        } else if (v instanceof String) {
            appendStr(sb, (String) v);
        } else if (v instanceof Boolean) {
            sb.append(((Boolean) v) ? "True" : "False");
        } else if (v instanceof Double || v instanceof Float) {
            sb.append(floatRepr(((Number) v).doubleValue()));
        } else if (v instanceof Number) {
            sb.append(v);
        } else if (v instanceof Tuple) {
            List<?> items = ((Tuple) v).items();
            sb.append('(');
            appendItems(sb, items);
            if (items.size() == 1) {
                sb.append(',');
            }
            sb.append(')');
        } else if (v instanceof List) {
            sb.append('[');
            appendItems(sb, (List<?>) v);
            sb.append(']');
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                append(sb, e.getKey());
                sb.append(": ");
                append(sb, e.getValue());
            }
            sb.append('}');
        } else {
            appendStr(sb, v.toString());
        }
    }

    private static void appendItems(StringBuilder sb, List<?> items) {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            append(sb, items.get(i));
        }
    }

    /** Python 3 float repr: shortest round-trip digits, ".0" on integral values, "inf", "nan". */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return String.format("%.1f", d);
        }
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        // Java writes 1.0E-5; Python writes 1e-05
        String mant = s.substring(0, e);
        if (mant.endsWith(".0")) {
            mant = mant.substring(0, mant.length() - 2);
        }
        int exp = Integer.parseInt(s.substring(e + 1));
        if (exp >= -4 && exp < 16) {
            return new java.math.BigDecimal(mant + "E" + exp).toPlainString();
        }
        return mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    private static void appendStr(StringBuilder sb, String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                sb.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else if (c < 0x7f || isPrintable(c)) {
                sb.appendCodePoint(c);
            } else if (c <= 0xff) {
                sb.append(String.format("\\x%02x", c));
            } else if (c <= 0xffff) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.append(String.format("\\U%08x", c));
            }
        }
        sb.append(quote);
    }

    /** Python's str.isprintable for a non-ASCII code point: not a control, format, separator or unassigned. */
    private static boolean isPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        switch (Character.getType(c)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SPACE_SEPARATOR:
                return false;
            default:
                return true;
        }
    }
}
