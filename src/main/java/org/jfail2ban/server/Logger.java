package org.jfail2ban.server;

import java.util.List;
import org.jfail2ban.protocol.LevelNames;

/** A named logger of the server's log ({@code fail2ban.actions}, {@code fail2ban.jail} ...). */
public final class Logger {

    private final ServerLog log;
    private final String name;

    Logger(ServerLog log, String name) {
        this.log = log;
        this.name = name;
    }

    public boolean isEnabled(int level) {
        return log.isEnabled(level);
    }

    /** Logs {@code String.format(format, args)} (the format alone when there are no args). */
    public void log(int level, String format, Object... args) {
        if (log.isEnabled(level)) {
            log.write(level, name, args.length == 0 ? format : String.format(format, args));
        }
    }

    /** Logs several messages (already formatted) at one level, written together. */
    void logAll(int level, List<String> messages) {
        if (log.isEnabled(level)) {
            log.writeAll(level, name, messages);
        }
    }

    public void error(String format, Object... args) {
        log(LevelNames.ERROR, format, args);
    }

    public void warning(String format, Object... args) {
        log(LevelNames.WARNING, format, args);
    }

    public void notice(String format, Object... args) {
        log(LevelNames.NOTICE, format, args);
    }

    public void info(String format, Object... args) {
        log(LevelNames.INFO, format, args);
    }

    public void debug(String format, Object... args) {
        log(LevelNames.DEBUG, format, args);
    }
}
