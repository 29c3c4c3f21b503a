package org.jfail2ban.ban;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Who is banned, by which jail, until when: one ledger for the whole server, so "which jails
 * still hold this address" is a map lookup (an address banned by sshd and by recidive must stay
 * blocked until the last of its bans ends).
 *
 * <p>Ends of bans sit in a priority queue; one scheduler thread sleeps until the earliest and
 * hands each due ban to a callback (the jail's action worker, which unbans it). Time comes from
 * the injected clock; tests drive expiry through {@link #due(long)} without the thread.
 */
public final class BanLedger implements AutoCloseable {

    private record Due(long end, Ban ban) {
    }

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, LinkedHashMap<String, Ban>> byJail = new HashMap<>();
    /**
     * The jails holding each id, in the order they banned it. Immutable lists, replaced on each
     * change: nearly every id is held by one jail, and a one-element list costs a tenth of a set
     * (100,000 bans restored at once).
     */
    private final Map<String, List<String>> holders = new HashMap<>();
    private final Map<String, Long> jailBanTime = new HashMap<>();
    private final PriorityQueue<Due> queue = new PriorityQueue<>((a, b) -> Long.compare(a.end, b.end));
    private Thread scheduler;
    private boolean closed;

    public BanLedger(Clock clock) {
        this.clock = clock;
    }

    /** Starts the scheduler thread; {@code onDue} is called on it for each ban whose time is up. */
    public void start(Consumer<Ban> onDue) {
        lock.lock();
        try {
            if (scheduler != null) {
                return;
            }
            scheduler = new Thread(() -> schedule(onDue), "f2b/unban");
            scheduler.setDaemon(true);
            scheduler.start();
        } finally {
            lock.unlock();
        }
    }

    private void schedule(Consumer<Ban> onDue) {
        lock.lock();
        try {
            while (!closed) {
                Due d = queue.peek();
                if (d == null) {
                    changed.await();
                    continue;
                }
                long wait = d.end - clock.millis();
                if (wait >= 0) {
                    // wake at least once a minute: the wall clock may have jumped meanwhile
                    changed.await(Math.min(wait + 1, 60_000), TimeUnit.MILLISECONDS);
                    continue;
                }
                queue.poll();
                if (isCurrent(d)) {
                    lock.unlock();
                    try {
                        onDue.accept(d.ban);
                    } finally {
                        lock.lock();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private boolean isCurrent(Due d) {
        Map<String, Ban> m = byJail.get(d.ban.jail());
        return m != null && m.get(d.ban.id()) == d.ban && d.ban.end() == d.end;
    }

    /** Sets the bantime (seconds, -1 for ever) that the jail's bans follow, re-timing them. */
    public void setJailBanTime(String jail, long seconds) {
        lock.lock();
        try {
            jailBanTime.put(jail, seconds);
            Map<String, Ban> m = byJail.get(jail);
            if (m != null) {
                for (Ban b : m.values()) {
                    if (b.followsJail()) {
                        b.setBanTime(seconds, true);
                        enqueue(b);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private long banTimeOf(String jail) {
        return jailBanTime.getOrDefault(jail, 600L);
    }

    /** Seconds a ticket would be banned for in this jail now. */
    public long banTimeFor(String jail, Ticket t) {
        lock.lock();
        try {
            return t.banTime() == Ticket.JAIL_BANTIME ? banTimeOf(jail) : t.banTime();
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #add} did. */
    public record Added(Ban ban, boolean isNew, boolean prolonged) {
    }

    /**
     * Bans a ticket in a jail. When the jail already bans the id, the existing ban is kept and
     * prolonged if the new one would end later; {@code isNew} is then false.
     */
    public Added add(String jail, Ticket t) {
        lock.lock();
        try {
            Ban ban = new Ban(jail, t, banTimeOf(jail));
            Map<String, Ban> m = byJail.computeIfAbsent(jail, j -> new LinkedHashMap<>());
            Ban old = m.get(t.id());
            if (old != null) {
                boolean prolonged = false;
                if (ban.end() > old.end()) {
                    long secs = ban.banTime();
                    if (secs >= 0) {
                        long diff = (t.time() - old.start()) / 1000;
                        if (diff > 0) {
                            secs += diff;
                        }
                    }
                    old.setBanTime(secs, false);
                    enqueue(old);
                    prolonged = true;
                }
                return new Added(old, false, prolonged);
            }
            m.put(t.id(), ban);
            holders.merge(t.id(), List.of(jail), BanLedger::plus);
            enqueue(ban);
            return new Added(ban, true, false);
        } finally {
            lock.unlock();
        }
    }

    private static List<String> plus(List<String> jails, List<String> more) {
        List<String> out = new ArrayList<>(jails);
        for (String j : more) {
            if (!out.contains(j)) {
                out.add(j);
            }
        }
        return List.copyOf(out);
    }

    /** The list without the jail; null (the map entry goes) when none is left. */
    private static List<String> minus(List<String> jails, String jail) {
        List<String> out = new ArrayList<>(jails);
        out.remove(jail);
        return out.isEmpty() ? null : List.copyOf(out);
    }

    private void enqueue(Ban b) {
        long end = b.end();
        if (end == Long.MAX_VALUE) {
            return;
        }
        if (queue.size() > 1024 && queue.size() > 2 * live()) {
            compact();
        }
        Due head = queue.peek();
        queue.add(new Due(end, b));
        if (head == null || end < head.end) {
            changed.signalAll();
        }
    }

    private int live() {
        int n = 0;
        for (Map<String, Ban> m : byJail.values()) {
            n += m.size();
        }
        return n;
    }

    /**
     * Drops the queue entries of bans lifted or re-timed meanwhile: without it, a stream of
     * bans lifted by hand would leave their entries until their old end passed.
     */
    private void compact() {
        queue.clear();
        for (Map<String, Ban> m : byJail.values()) {
            for (Ban b : m.values()) {
                if (b.end() != Long.MAX_VALUE) {
                    queue.add(new Due(b.end(), b));
                }
            }
        }
        changed.signalAll();
    }

    /** Entries in the expiry queue, stale ones included; for tests. */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    public Ban get(String jail, String id) {
        lock.lock();
        try {
            Map<String, Ban> m = byJail.get(jail);
            return m == null ? null : m.get(id);
        } finally {
            lock.unlock();
        }
    }

    /** Removes a ban; null when the jail does not ban the id. */
    public Ban remove(String jail, String id) {
        lock.lock();
        try {
            return removeLocked(jail, id);
        } finally {
            lock.unlock();
        }
    }

    private Ban removeLocked(String jail, String id) {
        Map<String, Ban> m = byJail.get(jail);
        Ban b = m == null ? null : m.remove(id);
        if (b != null) {
            holders.computeIfPresent(id, (k, h) -> minus(h, jail));
        }
        return b;
    }

    /** Removes a ban only if its time is up at {@code now} (it may have been prolonged). */
    public Ban removeIfDue(String jail, String id, long now) {
        lock.lock();
        try {
            Ban b = get(jail, id);
            if (b == null || now <= b.end()) {
                return null;
            }
            return removeLocked(jail, id);
        } finally {
            lock.unlock();
        }
    }

    /** Removes all bans of a jail, in the order they were made. */
    public List<Ban> removeAll(String jail) {
        lock.lock();
        try {
            List<Ban> out = new ArrayList<>(bans(jail));
            for (Ban b : out) {
                removeLocked(jail, b.id());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The jail's bans in the order they were made. */
    public List<Ban> bans(String jail) {
        lock.lock();
        try {
            Map<String, Ban> m = byJail.get(jail);
            return m == null ? List.of() : new ArrayList<>(m.values());
        } finally {
            lock.unlock();
        }
    }

    public int count(String jail) {
        lock.lock();
        try {
            Map<String, Ban> m = byJail.get(jail);
            return m == null ? 0 : m.size();
        } finally {
            lock.unlock();
        }
    }

    /** The jails that currently ban the id, in the order they banned it. */
    public Set<String> jailsHolding(String id) {
        lock.lock();
        try {
            List<String> h = holders.get(id);
            return h == null ? Set.of() : new LinkedHashSet<>(h);
        } finally {
            lock.unlock();
        }
    }

    /** The bans whose time is up at {@code now}, without removing them. */
    public List<Ban> due(long now) {
        lock.lock();
        try {
            List<Ban> out = new ArrayList<>();
            for (Map<String, Ban> m : byJail.values()) {
                for (Ban b : m.values()) {
                    if (now > b.end()) {
                        out.add(b);
                    }
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets a jail entirely (its bans must have been removed). */
    public void forgetJail(String jail) {
        lock.lock();
        try {
            for (Ban b : bans(jail)) {
                removeLocked(jail, b.id());
            }
            byJail.remove(jail);
            jailBanTime.remove(jail);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
