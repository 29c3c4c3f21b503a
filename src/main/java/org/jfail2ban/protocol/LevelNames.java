package org.jfail2ban.protocol;

import java.util.Locale;

/**
 * fail2ban's log levels: Python's with NOTICE (25), MSG (18), TRACEDEBUG (7) and HEAVYDEBUG (5)
 * added, names as its log lines print them.
 */
public final class LevelNames {

    public static final int CRITICAL = 50;
    public static final int ERROR = 40;
    public static final int WARNING = 30;
    public static final int NOTICE = 25;
    public static final int INFO = 20;
    public static final int MSG = 18;
    public static final int DEBUG = 10;
    public static final int TRACEDEBUG = 7;
    public static final int HEAVYDEBUG = 5;

    private LevelNames() {
    }

    /** The name a log line shows for a level. */
    public static String name(int level) {
        return switch (level) {
            case CRITICAL -> "CRITICAL";
            case ERROR -> "ERROR";
            case WARNING -> "WARNING";
            case NOTICE -> "NOTICE";
            case INFO -> "INFO";
            case MSG -> "MSG";
            case DEBUG -> "DEBUG";
            case TRACEDEBUG -> "TRACE";
            case HEAVYDEBUG -> "HEAVY";
            case 0 -> "NOTSET";
            default -> level > 0 && level < 50 ? String.format("#%02d-Lev.", level) : "Level " + level;
        };
    }

    private static boolean isDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a level as {@code set loglevel} takes it: a name in any case or a number.
     * Throws IllegalArgumentException with fail2ban's wording.
     */
    public static int parse(String value) {
        String v = value.trim();
        if (!v.isEmpty() && isDigits(v)) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid log level " + PyRepr.repr(value));
            }
        }
        return switch (v.toUpperCase(Locale.ROOT)) {
            case "CRITICAL", "FATAL" -> CRITICAL;
            case "ERROR" -> ERROR;
            case "WARNING", "WARN" -> WARNING;
            case "NOTICE" -> NOTICE;
            case "INFO" -> INFO;
            case "MSG" -> MSG;
            case "DEBUG" -> DEBUG;
            case "TRACEDEBUG" -> TRACEDEBUG;
            case "HEAVYDEBUG" -> HEAVYDEBUG;
            case "NOTSET" -> 0;
            default -> throw new IllegalArgumentException("Invalid log level " + PyRepr.repr(value));
        };
    }
}
