package org.jfail2ban.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time spans as fail2ban reads them: {@code 600}, {@code 10m}, {@code 1h 30m}, {@code 1d12h},
 * {@code 1w}, {@code 1mo}, {@code 1y}, {@code -1} (forever), and small sums like
 * {@code 1year-6mo} or {@code 1h+30min}.
 *
 * <p>fail2ban rewrites the text into arithmetic (each unit becomes {@code *seconds}, groups
 * standing side by side are added) and evaluates it. We do the same rewrite and evaluate the
 * result with a small calculator of our own that knows numbers, {@code + - * / // % **} and
 * parentheses, nothing else. Units (any case): s, sec, second(s); m, mm, min, minute(s); h, hh,
 * hou, hour(s); d, dd, da, day(s); w, ww, wee, week(s); mo, mon, month(s) (a twelfth of
 * 365.25 days); y, yy, yea, year(s) (365.25 days).
 */
public final class TimeSpan {

    private static final Pattern GLUED = Pattern.compile("(?<=[a-zA-Z])(\\d)");
    private static final Pattern SIDE_BY_SIDE = Pattern.compile("(\\d)\\s+(\\d)");
    private static final Pattern[] UNITS = {
        unit("days?|da|dd?"), unit("weeks?|wee?|ww?"), unit("months?|mon?"), unit("years?|yea?|yy?"),
        unit("seconds?|sec?|ss?"), unit("minutes?|min?|mm?"), unit("hours?|hou?|hh?"),
    };
    private static final String[] FACTORS = {
        "*86400", "*604800", "*2629800.0", "*31557600.0", "*1", "*60", "*3600",
    };

    private TimeSpan() {
    }

    private static Pattern unit(String names) {
        return Pattern.compile("(?<=[0-9\\s])(" + names + ")\\b", Pattern.CASE_INSENSITIVE);
    }

    /** The span in seconds; fractions are kept. Throws IllegalArgumentException naming the text. */
    public static double seconds(String text) {
        return evaluate(text).doubleValue();
    }

    /**
     * The span in seconds as fail2ban computes it: a Long when the arithmetic stays in whole
     * numbers ({@code 10m} = 600), a Double otherwise ({@code 1mo} = 2629800.0, {@code 1.5h}).
     */
    public static Number evaluate(String text) {
        if (text == null) {
            throw new IllegalArgumentException("Wrong time span: no value");
        }
        String expr = arithmetic(text);
        try {
            return new Calc(expr).run();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("Wrong time span '" + text + "' (too large)");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Wrong time span '" + text + "' (" + e.getMessage()
                    + "; write e.g. 600, 10m, 1h 30m, 1d12h, 1w, 1mo, 1y or -1 for ever)");
        }
    }

    /** The rewrite of units into arithmetic, e.g. {@code 1d12h} to {@code 1*86400+12*3600}. */
    static String arithmetic(String text) {
        String v = GLUED.matcher(text).replaceAll(" $1");
        for (int i = 0; i < UNITS.length; i++) {
            v = UNITS[i].matcher(v).replaceAll(Matcher.quoteReplacement(FACTORS[i]));
        }
        return SIDE_BY_SIDE.matcher(v).replaceAll("$1+$2");
    }

    /**
     * A short readable span the way fail2ban prints one: at most three groups, rounded to fit,
     * e.g. 1y 3w 4d, 2d 7h 15m, 59m 50s, 0.
     */
    public static String format(double seconds) {
        double s = seconds;
        StringBuilder r = new StringBuilder();
        if (s >= 31536000) {
            long d = (long) Math.rint(s / 86400);
            r.append(d / 365).append("y ");
            d %= 365;
            if (d >= 7) {
                r.append(d / 7).append("w ");
                d %= 7;
            }
            if (d != 0) {
                r.append(d).append("d ");
            }
        } else if (s >= 604800) {
            long h = (long) Math.rint(s / 3600);
            r.append(h / 168).append("w ");
            h %= 168;
            if (h >= 24) {
                r.append(h / 24).append("d ");
                h %= 24;
            }
            if (h != 0) {
                r.append(h).append("h ");
            }
        } else if (s >= 86400) {
            long m = (long) Math.rint(s / 60);
            r.append(m / 1440).append("d ");
            m %= 1440;
            if (m >= 60) {
                r.append(m / 60).append("h ");
                m %= 60;
            }
            if (m != 0) {
                r.append(m).append("m ");
            }
        } else if (s >= 3595) {
            long t = (long) Math.rint(s / 10);
            r.append(t / 360).append("h ");
            t %= 360;
            if (t >= 6) {
                r.append(t / 6).append("m ");
            }
        } else {
            if (s >= 60) {
                r.append(number(Math.floor(s / 60))).append("m ");
                s = s - 60 * Math.floor(s / 60);
            }
            if (s != 0) {
                r.append(number(s)).append("s ");
            } else if (seconds == 0) {
                r.append("0 ");
            }
        }
        return r.length() == 0 ? "" : r.substring(0, r.length() - 1);
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Numbers, + - * / // % **, parentheses; Python's precedence and int/float rules. */
    private static final class Calc {
        private final String s;
        private int i;

        Calc(String s) {
            this.s = s;
        }

        Number run() {
            skip();
            if (i >= s.length()) {
                throw new IllegalArgumentException("empty");
            }
            Number v = sum();
            skip();
            if (i < s.length()) {
                throw new IllegalArgumentException("unexpected '" + s.substring(i) + "'");
            }
            return v;
        }

        private void skip() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\f')) {
                i++;
            }
        }

        private boolean eat(String op) {
            skip();
            if (s.startsWith(op, i)) {
                i += op.length();
                return true;
            }
            return false;
        }

        private Number sum() {
            Number v = product();
            while (true) {
                if (eat("+")) {
                    v = add(v, product(), 1);
                } else if (eat("-")) {
                    v = add(v, product(), -1);
                } else {
                    return v;
                }
            }
        }

        private Number product() {
            Number v = unary();
            while (true) {
                skip();
                if (s.startsWith("**", i)) {
                    return v;
                } else if (eat("//")) {
                    v = floorDiv(v, unary());
                } else if (eat("*")) {
                    v = mul(v, unary());
                } else if (eat("/")) {
                    Number d = unary();
                    if (d.doubleValue() == 0) {
                        throw new IllegalArgumentException("division by zero");
                    }
                    v = v.doubleValue() / d.doubleValue();
                } else if (eat("%")) {
                    v = mod(v, unary());
                } else {
                    return v;
                }
            }
        }

        private Number unary() {
            if (eat("-")) {
                Number v = unary();
                return v instanceof Long ? (Number) Math.negateExact((Long) v) : (Number) (-v.doubleValue());
            }
            if (eat("+")) {
                return unary();
            }
            return power();
        }

        private Number power() {
            Number base = atom();
            if (eat("**")) {
                Number exp = unary();
                if (base instanceof Long && exp instanceof Long && (Long) exp >= 0) {
                    long r = 1;
                    long b = (Long) base;
                    for (long e = (Long) exp; e > 0; e >>= 1) {
                        if ((e & 1) != 0) {
                            r = Math.multiplyExact(r, b);
                        }
                        if (e > 1) {
                            b = Math.multiplyExact(b, b);
                        }
                    }
                    return r;
                }
                if (base.doubleValue() == 0 && exp.doubleValue() < 0) {
                    throw new IllegalArgumentException("zero to a negative power");
                }
                return Math.pow(base.doubleValue(), exp.doubleValue());
            }
            return base;
        }

        private Number atom() {
            skip();
            if (eat("(")) {
                Number v = sum();
                if (!eat(")")) {
                    throw new IllegalArgumentException("missing ')'");
                }
                return v;
            }
            int start = i;
            boolean dot = false;
            boolean exp = false;
            while (i < s.length()) {
                char c = s.charAt(i);
                if ((c >= '0' && c <= '9') || c == '_') {
                    i++;
                } else if (c == '.' && !dot && !exp) {
                    dot = true;
                    i++;
                } else if ((c == 'e' || c == 'E') && !exp && i > start) {
                    exp = true;
                    i++;
                    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                        i++;
                    }
                } else {
                    break;
                }
            }
            String lit = s.substring(start, i);
            if (lit.isEmpty() || lit.equals(".")) {
                throw new IllegalArgumentException(i < s.length() ? "unexpected '" + s.substring(i) + "'" : "number expected");
            }
            if (lit.contains("__") || lit.startsWith("_") || lit.endsWith("_") || lit.contains("_.")
                    || lit.contains("._") || lit.matches(".*_[eE].*|.*[eE][+-]?_.*")) {
                throw new IllegalArgumentException("bad number '" + lit + "'");
            }
            String plain = lit.replace("_", "");
            try {
                if (!dot && !exp) {
                    if (plain.length() > 1 && plain.charAt(0) == '0' && !plain.matches("0+")) {
                        throw new IllegalArgumentException("leading zeros in '" + lit + "'");
                    }
                    return Long.parseLong(plain);
                }
                return Double.parseDouble(plain);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number '" + lit + "'");
            }
        }

        private static Number add(Number a, Number b, int sign) {
            if (a instanceof Long && b instanceof Long) {
                return sign > 0 ? Math.addExact((Long) a, (Long) b) : Math.subtractExact((Long) a, (Long) b);
            }
            return a.doubleValue() + sign * b.doubleValue();
        }

        private static Number mul(Number a, Number b) {
            if (a instanceof Long && b instanceof Long) {
                return Math.multiplyExact((Long) a, (Long) b);
            }
            return a.doubleValue() * b.doubleValue();
        }

        private static Number floorDiv(Number a, Number b) {
            if (b.doubleValue() == 0) {
                throw new IllegalArgumentException("division by zero");
            }
            if (a instanceof Long && b instanceof Long) {
                return Math.floorDiv((Long) a, (Long) b);
            }
            return Math.floor(a.doubleValue() / b.doubleValue());
        }

        private static Number mod(Number a, Number b) {
            if (b.doubleValue() == 0) {
                throw new IllegalArgumentException("division by zero");
            }
            if (a instanceof Long && b instanceof Long) {
                return Math.floorMod((Long) a, (Long) b);
            }
            double x = a.doubleValue();
            double y = b.doubleValue();
            double r = x % y;
            return r != 0 && (r < 0) != (y < 0) ? r + y : r;
        }
    }
}
