package org.jfail2ban.server;

import java.time.Clock;
import org.jfail2ban.action.Action;
import org.jfail2ban.action.CommandAction;
import org.jfail2ban.action.SharedTargets;

/**
 * Makes the action of {@code set JAIL addaction NAME}: a command action from action.d (which
 * is a native backend when its properties name one). Tests give their own.
 */
@FunctionalInterface
public interface ActionFactory {

    ActionFactory COMMAND = CommandAction::new;

    /**
     * @param targets the server's one ledger of shared blocking targets: an address stays blocked
     *                on a target jails share until the last jail's ban of it ends
     * @param clock   the server's clock
     */
    Action create(String jail, String name, SharedTargets targets, Clock clock);
}
