package org.jfail2ban.cli;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jfail2ban.protocol.LevelNames;

/**
 * What the client says on stderr, in fail2ban's layout ({@code 2026-11-22 10:00:00,123
 * fail2ban                [PID]: ERROR   NOK: ...}); -v and -q move the threshold as in fail2ban
 * (WARNING by default).
 */
final class ClientLog {

    /** Loaded on the first log line only: java.time's set-up is start-up time a quiet run need not pay. */
    private static final class Time {
        static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS", Locale.ROOT);
        static final long PID = ProcessHandle.current().pid();
    }

    private final PrintStream err;
    private int threshold = LevelNames.WARNING;

    ClientLog(PrintStream err) {
        this.err = err;
    }

    /** fail2ban's mapping of the verbosity (1 by default) to a level. */
    void setVerbose(int verbose) {
        threshold = verbose <= 0 ? LevelNames.ERROR : verbose == 1 ? LevelNames.WARNING
                : verbose == 2 ? LevelNames.INFO : verbose == 3 ? LevelNames.DEBUG : LevelNames.HEAVYDEBUG;
    }

    boolean isEnabled(int level) {
        return level >= threshold;
    }

    void log(int level, String message) {
        log(level, "fail2ban", message);
    }

    /** A line under another logger's name ({@code fail2ban.jailreader} ...), as fail2ban's readers log. */
    void log(int level, String name, String message) {
        if (level < threshold) {
            return;
        }
        StringBuilder sb = new StringBuilder(80 + message.length());
        sb.append(LocalDateTime.now().format(Time.FORMAT)).append(' ').append(name);
        sb.append(" ".repeat(Math.max(0, 24 - name.length())));
        sb.append('[').append(Time.PID).append("]: ");
        String ln = LevelNames.name(level);
        sb.append(ln).append(" ".repeat(Math.max(0, 7 - ln.length()))).append(' ').append(message);
        err.println(sb);
        err.flush();
    }

    void error(String message) {
        log(LevelNames.ERROR, message);
    }

    void warning(String message) {
        log(LevelNames.WARNING, message);
    }

    void info(String message) {
        log(LevelNames.INFO, message);
    }

    void debug(String message) {
        log(LevelNames.DEBUG, message);
    }
}
