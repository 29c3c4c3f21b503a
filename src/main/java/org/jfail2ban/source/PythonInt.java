package org.jfail2ban.source;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Python's {@code int(bytes, base)} and {@code repr(bytes)}, for the PID of a journal entry: the
 * journal reader fail2ban uses converts PID fields with {@code int()}, and fail2ban prints what
 * does not convert as Python shows bytes.
 */
final class PythonInt {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9](_?[0-9])*");
    private static final Pattern LITERAL = Pattern.compile(
            "[+-]?(0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+|[1-9](_?[0-9])*|0(_?0)*)");

    private PythonInt() {
    }

    /** {@code int(raw, base)} for base 10 or 0 (literal prefixes), or null where Python raises. */
    static BigInteger parse(byte[] raw, int base) {
        long plain = plainDecimal(raw);
        if (plain >= 0) {
            return BigInteger.valueOf(plain);
        }
        String s = strip(new String(raw, StandardCharsets.ISO_8859_1));
        if (!(base == 10 ? DECIMAL : LITERAL).matcher(s).matches()) {
            return null;
        }
        s = s.replace("_", "");
        boolean negative = s.startsWith("-");
        if (s.startsWith("+") || s.startsWith("-")) {
            s = s.substring(1);
        }
        int radix = 10;
        if (base == 0 && s.length() > 1 && s.charAt(0) == '0') {
            char p = Character.toLowerCase(s.charAt(1));
            radix = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
            if (radix != 10) {
                s = s.substring(2);
            }
        }
        BigInteger n = new BigInteger(s, radix);
        return negative ? n.negate() : n;
    }

    /**
     * The value of up to 18 ASCII digits with no sign, space or underscore (every PID and
     * timestamp the journal writes itself), or -1: the common case, without a regex. Leading
     * zeros are fine in base 10, and in base 0 only a lone "0" has one.
     */
    static long plainDecimal(byte[] raw) {
        if (raw.length == 0 || raw.length > 18 || (raw[0] == '0' && raw.length > 1)) {
            return -1;
        }
        long v = 0;
        for (byte b : raw) {
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }

    private static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    /** Python's {@code str(b'...')}. */
    static String bytesRepr(byte[] raw) {
        boolean single = false;
        boolean dbl = false;
        for (byte b : raw) {
            single |= b == '\'';
            dbl |= b == '"';
        }
        char quote = single && !dbl ? '"' : '\'';
        StringBuilder sb = new StringBuilder("b").append(quote);
        for (byte b : raw) {
            int c = b & 0xff;
            if (c == quote || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.append(quote).toString();
    }
}
