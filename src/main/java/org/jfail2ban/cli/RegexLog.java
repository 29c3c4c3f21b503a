package org.jfail2ban.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * fail2ban-regex's log: the messages of the filter at or above {@code --log-level} (default
 * critical: none), printed on stdout among the report as fail2ban prints them ({@code E: text}).
 */
final class RegexLog {

    private RegexLog() {
    }

    static void configure(String level, PrintWriter out) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Level l = level(level);
        root.setLevel(l);
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    out.println(getFormatter().format(r));
                }
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                flush();
            }
        };
        h.setLevel(l);
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                return letter(r.getLevel()) + ": " + formatMessage(r);
            }
        });
        root.addHandler(h);
    }

    private static String letter(Level l) {
        if (l.intValue() >= Level.SEVERE.intValue()) {
            return "E";
        }
        if (l.intValue() >= Level.WARNING.intValue()) {
            return "W";
        }
        if (l.intValue() >= Level.INFO.intValue()) {
            return "I";
        }
        return "D";
    }

    /** fail2ban's level names (and numbers) as java.util.logging levels. */
    static Level level(String name) {
        String n = name == null ? "critical" : name.strip().toLowerCase(Locale.ROOT);
        switch (n) {
            case "critical":
            case "fatal":
                return Level.OFF;
            case "error":
                return Level.SEVERE;
            case "warning":
            case "warn":
                return Level.WARNING;
            case "notice":
            case "info":
                return Level.INFO;
            case "debug":
                return Level.FINE;
            case "traceback":
            case "heavydebug":
                return Level.ALL;
            default:
                try {
                    int v = Integer.parseInt(n);
                    return v >= 50 ? Level.OFF : v >= 40 ? Level.SEVERE : v >= 30 ? Level.WARNING : v >= 20 ? Level.INFO : Level.FINE;
                } catch (NumberFormatException e) {
                    return Level.OFF;
                }
        }
    }
}
