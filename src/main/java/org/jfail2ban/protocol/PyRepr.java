package org.jfail2ban.protocol;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
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

    /**
     * Python 3 float repr: the shortest digits that read back as the same double (the nearest
     * such when there are two), fixed notation for exponents -4 to 15 with ".0" on whole values,
     * "1e+16" style beyond, "inf", "nan".
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return d == 0 && 1 / d < 0 ? "-0.0" : (long) d + ".0";
        }
        StringBuilder sb = new StringBuilder(24);
        if (d < 0) {
            sb.append('-');
            d = -d;
        }
        // Java's own digits are the shortest when there are at most 15 of them and d is normal
        // (no two decimals of 15 digits name the same normal double); before Java 19 longer
        // ones, and those of subnormals, may carry digits too many
        String t = Double.toString(d);
        int e = t.indexOf('E');
        String mant = e < 0 ? t : t.substring(0, e);
        int dot = mant.indexOf('.');
        String digits = mant.substring(0, dot) + mant.substring(dot + 1);
        int point = dot + (e < 0 ? 0 : Integer.parseInt(t.substring(e + 1)));
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        digits = stripZeros(digits.substring(lead));
        point -= lead;
        if (digits.length() > 15 || d < Double.MIN_NORMAL) {
            BigDecimal shortest = shortest(d);
            digits = stripZeros(shortest.unscaledValue().toString());
            point = shortest.precision() - shortest.scale();
        }
        int exp = point - 1;
        if (exp >= -4 && exp < 16) {
            if (point <= 0) {
                sb.append("0.").append("0".repeat(-point)).append(digits);
            } else if (point >= digits.length()) {
                sb.append(digits).append("0".repeat(point - digits.length())).append(".0");
            } else {
                sb.append(digits, 0, point).append('.').append(digits, point, digits.length());
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            if (Math.abs(exp) < 10) {
                sb.append('0');
            }
            sb.append(Math.abs(exp));
        }
        return sb.toString();
    }

    /** The fewest significant digits that read back as d (positive, finite), nearest first. */
    private static BigDecimal shortest(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int p = 1; p < 17; p++) {
            BigDecimal nearest = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (nearest.doubleValue() == d) {
                return nearest;
            }
            // next to a power of two the gap below is half the gap above: the far side may fit
            for (RoundingMode m : new RoundingMode[] {RoundingMode.DOWN, RoundingMode.UP}) {
                BigDecimal other = exact.round(new MathContext(p, m));
                if (other.doubleValue() == d) {
                    return other;
                }
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }

    private static String stripZeros(String digits) {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return digits.substring(0, end);
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
