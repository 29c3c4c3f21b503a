package org.jfail2ban.server;

import java.util.ServiceLoader;
import org.jfail2ban.action.Action;
import org.jfail2ban.action.CommandAction;
import org.jfail2ban.ban.BanLedger;

/**
 * Makes the action of {@code set JAIL addaction NAME}: a command action from action.d by
 * default. The action work plugs in its own (native backends) by listing an implementation in
 * {@code META-INF/services/org.jfail2ban.server.ActionFactory}; {@link #load()} finds it.
 */
@FunctionalInterface
public interface ActionFactory {

    ActionFactory COMMAND = (jail, name, ledger) -> new CommandAction(jail, name);

    /**
     * @param ledger the server's ban ledger: which jails still hold an address (an action that
     *               does not know jails must keep an address blocked until the last one lets go)
     */
    Action create(String jail, String name, BanLedger ledger);

    /** The factory found through ServiceLoader, or {@link #COMMAND}. */
    static ActionFactory load() {
        return ServiceLoader.load(ActionFactory.class).findFirst().orElse(COMMAND);
    }
}
