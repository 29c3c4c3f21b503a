package org.jfail2ban.server;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A log line layout in Python's logging notation ({@code %(asctime)s %(name)-24s[%(process)d]:
 * %(levelname)-7s %(message)s}), so a {@code logtarget} option {@code format=...} written for
 * fail2ban works here too. Knows asctime, name, process, levelname, levelno, message.
 */
final class LogFormat {

    /** fail2ban's default layout, with and without the time and the padding. */
    static LogFormat standard(boolean time, boolean padding) {
        String f = padding ? "%(name)-24s[%(process)d]: %(levelname)-7s %(message)s"
                : "%(name)s[%(process)d]: %(levelname)s %(message)s";
        return new LogFormat(time ? "%(asctime)s " + f : f);
    }

    private static final Pattern FIELD = Pattern.compile("%\\((\\w+)\\)(-?)(\\d*)(?:\\.(\\d+))?([sd])|%%");

    private record Part(String literal, String field, boolean left, int width, int precision) {
    }

    private final List<Part> parts = new ArrayList<>();

    LogFormat(String format) {
        Matcher m = FIELD.matcher(format);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                parts.add(new Part(format.substring(last, m.start()), null, false, 0, -1));
            }
            if (m.group().equals("%%")) {
                parts.add(new Part("%", null, false, 0, -1));
            } else {
                parts.add(new Part(null, m.group(1), !m.group(2).isEmpty(),
                        m.group(3).isEmpty() ? 0 : Integer.parseInt(m.group(3)),
                        m.group(4) == null ? -1 : Integer.parseInt(m.group(4))));
            }
            last = m.end();
        }
        if (last < format.length()) {
            parts.add(new Part(format.substring(last), null, false, 0, -1));
        }
    }

    /**
     * A message as one line: line breaks are written as the two characters {@code \n} and
     * {@code \r}. A record's text can carry what others wrote (an action's error output, a
     * host name, a captured user); a line break in it must not start a line of its own in the
     * log, which could pass for a record of ours (a forged "Ban" that recidive would count).
     */
    static String oneLine(String message) {
        if (message.indexOf('\n') < 0 && message.indexOf('\r') < 0) {
            return message;
        }
        return message.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Lays out one record. */
    String format(String asctime, String name, long pid, String levelName, int level, String message) {
        StringBuilder sb = new StringBuilder(80 + message.length());
        for (Part p : parts) {
            if (p.literal != null) {
                sb.append(p.literal);
                continue;
            }
            String v = switch (p.field) {
                case "asctime" -> asctime;
                case "name" -> name;
                case "process" -> Long.toString(pid);
                case "levelname" -> levelName;
                case "levelno" -> Integer.toString(level);
                case "message" -> oneLine(message);
                default -> "";
            };
            if (p.precision >= 0 && v.length() > p.precision) {
                v = v.substring(0, p.precision);
            }
            int pad = p.width - v.length();
            if (pad > 0 && !p.left) {
                sb.append(" ".repeat(pad));
            }
            sb.append(v);
            if (pad > 0 && p.left) {
                sb.append(" ".repeat(pad));
            }
        }
        return sb.toString();
    }
}
