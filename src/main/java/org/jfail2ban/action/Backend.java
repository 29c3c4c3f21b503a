package org.jfail2ban.action;

import java.util.List;

/**
 * A native backend behind a {@link CommandAction} whose property {@code native} names it: the
 * same operations as a command action, done without a shell and in batches.
 */
interface Backend {

    /** Makes what the bans need (tables, sets, chains); nothing for backends that need nothing. */
    default void start() throws ActionException {
    }

    void stop() throws ActionException;

    void banAll(List<BanInfo> bans) throws ActionException;

    void unbanAll(List<BanInfo> bans) throws ActionException;

    /** Removes all of this backend's bans at once; false when it cannot (one by one, then). */
    default boolean flush() throws ActionException {
        return false;
    }
}
