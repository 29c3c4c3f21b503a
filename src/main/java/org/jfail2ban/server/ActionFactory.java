package org.jfail2ban.server;

import org.jfail2ban.action.Action;
import org.jfail2ban.action.CommandAction;

/**
 * Makes the action of {@code set JAIL addaction NAME}: a command action from action.d by
 * default. The action work may pass its own (native backends) to the {@link Server}.
 */
@FunctionalInterface
public interface ActionFactory {

    ActionFactory COMMAND = CommandAction::new;

    Action create(String jail, String name);
}
