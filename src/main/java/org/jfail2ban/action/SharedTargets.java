package org.jfail2ban.action;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who holds which address on which shared blocking target, across all jails of one server.
 *
 * <p>Some blocking places know nothing about jails: one {@code /etc/hosts.deny}, one routing
 * table, an ipset that several jails name alike, two jails whose command actions would run
 * exactly the same unban command. When sshd's short ban of an address ends while recidive's long
 * ban of it still runs, the address must stay blocked. Every action that writes to such a
 * target records its ban here ({@code hold}) and asks before it removes the address
 * ({@code release}); only the last holder's unban touches the target.
 *
 * <p>The server makes one instance and gives it to every action before {@code start()}
 * ({@link Action#useSharedTargets}); an action left without one keeps a private instance and
 * protects only against itself. Thread-safe: the jails' worker threads share it.
 */
public final class SharedTargets {

    /** The expiry of a ban that never ends. */
    public static final long FOREVER = Long.MAX_VALUE;

    /** target -> address -> holder -> end of that holder's ban (epoch seconds, or FOREVER). */
    private final Map<String, Map<String, Map<String, Long>>> holds = new HashMap<>();
    /** target -> holders that use the target (started and not stopped). */
    private final Map<String, Set<String>> users = new HashMap<>();
    private final Map<String, ReentrantLock> locks = new HashMap<>();

    public SharedTargets() {
    }

    /**
     * Records that {@code holder} blocks {@code address} on {@code target} until {@code until}.
     *
     * @return the latest end among all holders of that address, this one included
     */
    synchronized long hold(String target, String address, String holder, long until) {
        Map<String, Long> h = holds.computeIfAbsent(target, k -> new HashMap<>())
                .computeIfAbsent(address, k -> new HashMap<>());
        h.put(holder, until);
        long max = until;
        for (long u : h.values()) {
            max = Math.max(max, u);
        }
        return max;
    }

    /** Whether a holder other than {@code holder} blocks {@code address} on {@code target}. */
    synchronized boolean heldByOthers(String target, String address, String holder) {
        Map<String, Long> h = holdersOf(target, address);
        return h != null && (h.size() > 1 || (h.size() == 1 && !h.containsKey(holder)));
    }

    /**
     * Ends {@code holder}'s block of {@code address}.
     *
     * @return true when no other holder blocks it: the caller removes it from the target
     */
    synchronized boolean release(String target, String address, String holder) {
        Map<String, Map<String, Long>> byAddr = holds.get(target);
        if (byAddr == null) {
            return true;
        }
        Map<String, Long> h = byAddr.get(address);
        if (h == null) {
            return true;
        }
        h.remove(holder);
        if (h.isEmpty()) {
            byAddr.remove(address);
            if (byAddr.isEmpty()) {
                holds.remove(target);
            }
            return true;
        }
        return false;
    }

    /** Whether anyone but {@code holder} blocks any address on {@code target}. */
    synchronized boolean anyHeldByOthers(String target, String holder) {
        Map<String, Map<String, Long>> byAddr = holds.get(target);
        if (byAddr == null) {
            return false;
        }
        for (Map<String, Long> h : byAddr.values()) {
            if (h.size() > 1 || !h.containsKey(holder)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Ends all of {@code holder}'s blocks on {@code target}.
     *
     * @return the addresses nobody else holds: the caller removes those
     */
    synchronized List<String> releaseAll(String target, String holder) {
        List<String> last = new ArrayList<>();
        Map<String, Map<String, Long>> byAddr = holds.get(target);
        if (byAddr == null) {
            return last;
        }
        for (var it = byAddr.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().remove(holder) != null && e.getValue().isEmpty()) {
                last.add(e.getKey());
                it.remove();
            }
        }
        if (byAddr.isEmpty()) {
            holds.remove(target);
        }
        return last;
    }

    /** Registers {@code holder} as a user of {@code target}; true when it is the first one. */
    synchronized boolean attach(String target, String holder) {
        Set<String> u = users.computeIfAbsent(target, k -> new HashSet<>());
        boolean first = u.isEmpty();
        u.add(holder);
        return first;
    }

    /** Unregisters {@code holder}; true when no user of {@code target} is left. */
    synchronized boolean detach(String target, String holder) {
        Set<String> u = users.get(target);
        if (u == null) {
            return true;
        }
        u.remove(holder);
        if (u.isEmpty()) {
            users.remove(target);
            return true;
        }
        return false;
    }

    /** A lock for edits of one target (a file) by actions of several jails. */
    synchronized ReentrantLock lock(String target) {
        return locks.computeIfAbsent(target, k -> new ReentrantLock());
    }

    private Map<String, Long> holdersOf(String target, String address) {
        Map<String, Map<String, Long>> byAddr = holds.get(target);
        return byAddr == null ? null : byAddr.get(address);
    }
}
