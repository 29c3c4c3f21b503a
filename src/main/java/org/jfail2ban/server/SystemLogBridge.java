package org.jfail2ban.server;

import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.jfail2ban.protocol.LevelNames;

/**
 * The log sources, the store and the actions log through {@link System.Logger} (they do not
 * depend on the server); a running daemon sends those records to its own log, in fail2ban's
 * layout and under fail2ban's logger names, instead of the JDK's default of stderr (which a
 * detached daemon has on /dev/null).
 */
public final class SystemLogBridge extends Handler implements AutoCloseable {

    /** Our package to fail2ban's logger of the same role. */
    private static final Map<String, String> NAMES = Map.of(
            "org.jfail2ban.source", "fail2ban.filter",
            "org.jfail2ban.store", "fail2ban.database",
            "org.jfail2ban.action", "fail2ban.actions",
            "org.jfail2ban.ban", "fail2ban.observer",
            "org.jfail2ban.filter", "fail2ban.filter");

    private final ServerLog log;
    private final SimpleFormatter text = new SimpleFormatter();
    /** Held: the JDK keeps its loggers by weak reference, and with them their handlers. */
    private final java.util.logging.Logger root = java.util.logging.Logger.getLogger("org.jfail2ban");

    private SystemLogBridge(ServerLog log) {
        this.log = log;
    }

    /** Routes every record of {@code org.jfail2ban.*} to {@code log} until closed. */
    public static SystemLogBridge install(ServerLog log) {
        SystemLogBridge b = new SystemLogBridge(log);
        b.root.setUseParentHandlers(false);
        b.root.setLevel(Level.ALL);
        b.root.addHandler(b);
        return b;
    }

    @Override
    public void publish(LogRecord r) {
        int level = level(r.getLevel());
        if (!log.isEnabled(level)) {
            return;
        }
        Object[] params = r.getParameters();
        if (params != null) {
            // numbers as they are ("pos = 62311"), not in the locale's groups
            Object[] plain = params.clone();
            for (int i = 0; i < plain.length; i++) {
                if (plain[i] instanceof Number) {
                    plain[i] = plain[i].toString();
                }
            }
            r.setParameters(plain);
        }
        String message = text.formatMessage(r);
        if (r.getThrown() != null && log.isEnabled(LevelNames.DEBUG)) {
            message += " (" + r.getThrown() + ")";
        }
        log.write(level, name(r.getLoggerName()), message);
    }

    private static String name(String logger) {
        if (logger != null) {
            for (Map.Entry<String, String> e : NAMES.entrySet()) {
                if (logger.startsWith(e.getKey())) {
                    return e.getValue();
                }
            }
        }
        return "fail2ban.server";
    }

    private static int level(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return LevelNames.ERROR;
        }
        if (v >= Level.WARNING.intValue()) {
            return LevelNames.WARNING;
        }
        if (v >= Level.INFO.intValue()) {
            return LevelNames.INFO;
        }
        return v >= Level.FINE.intValue() ? LevelNames.DEBUG : LevelNames.HEAVYDEBUG;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        root.setUseParentHandlers(true);
    }
}
