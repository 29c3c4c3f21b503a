package org.jfail2ban.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Turns a configuration tree (fail2ban.conf, jail.conf, jail.d, filter.d, action.d and their
 * .local overlays) into the command stream a server executes, in fail2ban's order.
 *
 * <p>STUB of the foundation commit; the configuration work fills it in. A command is a
 * {@code List<Object>} of String, Integer/Long/Double/Boolean and nested lists, as fail2ban's
 * own commands are Python lists.
 */
public final class Configurator {

    private Configurator() {
    }

    /**
     * The stream fail2ban's {@code readConfig()} gives: server options from fail2ban.conf, then
     * each enabled jail ({@code add}, its {@code set}s, its actions), then the {@code start}s.
     * What {@code fail2ban-client -d} prints, one command per line.
     */
    public static List<List<Object>> commands(Path dir) throws ConfigException {
        return commands(dir, null);
    }

    /**
     * The stream for one jail only (fail2ban's {@code readConfig(jail)}, used by
     * {@code reload JAIL}); {@code jail == null} means all.
     */
    public static List<List<Object>> commands(Path dir, String jail) throws ConfigException {
        throw new ConfigException("configuration reading is not implemented yet: " + dir);
    }

    /**
     * The [Definition] options of fail2ban.conf with its .local and fail2ban.d overlays
     * (socket, pidfile, loglevel, logtarget, syslogsocket, dbfile, ...): what the client needs
     * before it can talk to a server.
     */
    public static java.util.Map<String, String> serverOptions(Path dir) throws ConfigException {
        throw new ConfigException("configuration reading is not implemented yet: " + dir);
    }
}
