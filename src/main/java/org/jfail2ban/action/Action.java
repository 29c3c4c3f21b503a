package org.jfail2ban.action;

import java.util.List;
import java.util.Map;

/**
 * One action of a jail: a command action from action.d or a native backend. The jail runs its
 * actions in order on one worker thread, so an action never sees an unban before its ban.
 */
public interface Action {

    /** The action's name in its jail ({@code iptables-multiport}, or the name given by {@code actname}). */
    String name();

    void start() throws ActionException;

    void stop() throws ActionException;

    void ban(BanInfo ban) throws ActionException;

    void unban(BanInfo ban) throws ActionException;

    /** Bans several at once; native backends send one batch to the kernel. */
    default void banAll(List<BanInfo> bans) throws ActionException {
        for (BanInfo b : bans) {
            ban(b);
        }
    }

    /** Unbans several at once. */
    default void unbanAll(List<BanInfo> bans) throws ActionException {
        for (BanInfo b : bans) {
            unban(b);
        }
    }

    /**
     * Removes all bans of this action at once. Returns false when the action has no way to, and
     * the jail unbans one by one instead.
     */
    default boolean flush() throws ActionException {
        return false;
    }

    /** Re-reads properties after a reload of the configuration. */
    default void reload() throws ActionException {
    }

    /** The properties {@code get JAIL actionproperties ACT} lists, name to value. */
    Map<String, String> properties();

    /** Sets a property ({@code set JAIL action ACT NAME VALUE}). */
    void setProperty(String name, String value);

    /**
     * Gives the action the server's ledger of shared blocking targets, before {@code start()}.
     * The server makes one {@link SharedTargets} and passes it to every action of every jail, so
     * that an address stays blocked on a target that jails share (hosts.deny, a route, an ipset
     * named alike, the same unban command) until the last jail's ban of it ends.
     */
    default void useSharedTargets(SharedTargets targets) {
    }

    /** The method names {@code get JAIL actionmethods ACT} lists. */
    default List<String> methods() {
        return List.of("ban", "flush", "reload", "start", "stop", "unban");
    }
}
