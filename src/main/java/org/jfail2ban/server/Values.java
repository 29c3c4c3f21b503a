package org.jfail2ban.server;

import java.util.List;
import java.util.Locale;
import org.jfail2ban.config.TimeSpan;
import org.jfail2ban.protocol.PyRepr;

/**
 * Reads command arguments the way fail2ban's server does: a command from the command line holds
 * strings, one from the configuration stream may hold numbers already.
 */
final class Values {

    private Values() {
    }

    /** The argument as text (numbers as Python writes them). */
    static String str(Object v) {
        return PyRepr.str(v);
    }

    /** Python's {@code int(v)}; the error says what fail2ban says. */
    static int toInt(Object v) {
        if (v instanceof Number n) {
            return n.intValue();
        }
        String s = String.valueOf(v).strip();
        try {
            return Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid literal for int() with base 10: " + PyRepr.repr(String.valueOf(v)));
        }
    }

    /** fail2ban's boolean words: 1, on, true, yes (any case) are true, anything else false. */
    static boolean asBool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        String s = String.valueOf(v).toLowerCase(Locale.ROOT);
        return s.equals("1") || s.equals("on") || s.equals("true") || s.equals("yes");
    }

    /**
     * A time span in seconds as fail2ban gives it back: an integer unless the text had a
     * fraction ({@code 1.5h} is 5400.0).
     */
    static Number seconds(Object v) {
        if (v instanceof Number n) {
            return n;
        }
        String s = String.valueOf(v);
        double d;
        try {
            d = TimeSpan.seconds(s);
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        }
        if (s.indexOf('.') >= 0 || d != Math.rint(d) || Math.abs(d) >= 9.2e18) {
            return d;
        }
        return (long) d;
    }

    static String arg(List<?> cmd, int i) {
        if (i >= cmd.size()) {
            throw CommandException.invalid();
        }
        return str(cmd.get(i));
    }
}
