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

    /** The whole stream: server options, then each enabled jail, then the jails' starts. */
    public static List<List<Object>> commands(Path dir) throws ConfigException {
        throw new ConfigException("configuration reading is not implemented yet: " + dir);
    }
}
