package org.jfail2ban.ban;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfail2ban.filter.IpAddr;

/**
 * Counts failures per id inside findtime and hands out a {@link Ticket} when an id reaches
 * maxretry, as fail2ban's fail manager does: an id whose failures span more than findtime has
 * its count scaled down to the rate inside the window, so a slow steady attacker still gets
 * banned while an occasional typo does not. Thread-safe.
 */
public final class FailCounter {

    private static final long CLEANUP_INTERVAL = 5_000;

    private static final class Entry {
        long first;
        long last;
        int retry;
        int failures;
        final ArrayDeque<String> matches = new ArrayDeque<>();
        final Map<String, String> tags = new HashMap<>();
        IpAddr ip;
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private int maxRetry = 3;
    private double findTime = 600;
    private int maxMatches = 5;
    private long total;
    private long nextCleanup = Long.MIN_VALUE;

    public synchronized void setMaxRetry(int maxRetry) {
        this.maxRetry = maxRetry;
    }

    public synchronized int maxRetry() {
        return maxRetry;
    }

    /** Seconds; fractions allowed. */
    public synchronized void setFindTime(double seconds) {
        this.findTime = seconds;
    }

    public synchronized double findTime() {
        return findTime;
    }

    public synchronized void setMaxMatches(int maxMatches) {
        this.maxMatches = maxMatches;
        for (Entry e : entries.values()) {
            trim(e);
        }
    }

    public synchronized int maxMatches() {
        return maxMatches;
    }

    /**
     * Counts a failure.
     *
     * @param time  when it happened (epoch ms)
     * @param count how much it counts (1, or the number of lines of a manual attempt)
     * @param now   the current time, for the periodic clean-up
     * @return the ticket when the id reached maxretry (it is then forgotten here), else null
     */
    public synchronized Ticket add(String id, IpAddr ip, long time, List<String> lines, Map<String, String> tags,
            int count, long now) {
        long window = Math.round(findTime * 1000);
        Entry e = entries.get(id);
        if (e == null) {
            e = new Entry();
            e.first = time;
            e.last = time;
            e.retry = count;
            e.failures = 1;
            e.ip = ip;
            entries.put(id, e);
        } else {
            if (time > e.last) {
                if (e.first < time - window && time > e.first) {
                    // scale the count to the rate seen so far, applied to one findtime window
                    e.retry = (int) Math.rint(e.retry / ((time - e.first) / 1000.0) * findTime);
                    e.first = time - window;
                }
                e.last = time;
            }
            e.retry += count;
            e.failures += 1;
        }
        if (maxMatches > 0) {
            e.matches.addAll(lines);
        }
        e.tags.putAll(tags);
        trim(e);
        total++;
        Ticket t = null;
        if (e.retry >= maxRetry) {
            entries.remove(id);
            t = new Ticket(id, e.ip, e.last, e.retry, e.failures, new ArrayList<>(e.matches), e.tags,
                    Ticket.JAIL_BANTIME, 0, false);
        }
        if (now >= nextCleanup) {
            cleanup(now);
        }
        return t;
    }

    private void trim(Entry e) {
        if (maxMatches <= 0) {
            e.matches.clear();
        }
        while (e.matches.size() > maxMatches) {
            e.matches.removeFirst();
        }
    }

    /** Forgets the ids whose last failure is older than findtime. */
    public synchronized void cleanup(long now) {
        nextCleanup = now + CLEANUP_INTERVAL;
        long limit = now - Math.round(findTime * 1000);
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            if (it.next().last <= limit) {
                it.remove();
            }
        }
    }

    /** Ids currently failing (inside findtime). */
    public synchronized int size(long now) {
        cleanup(now);
        return entries.size();
    }

    /** Failures counted since the jail was created. */
    public synchronized long total() {
        return total;
    }

    /**
     * What is counted for one id, as the store keeps it between restarts.
     *
     * @param first    the time of the first failure still counted (epoch ms)
     * @param last     the time of the last failure (epoch ms)
     * @param retry    the count compared with maxretry
     * @param failures the failures seen
     * @param matches  their lines, oldest first, at most maxmatches
     * @param tags     the values the filter captured
     */
    public record Count(String id, IpAddr ip, long first, long last, int retry, int failures, List<String> matches,
            Map<String, String> tags) {
        public Count {
            matches = List.copyOf(matches);
            tags = Map.copyOf(tags);
        }
    }

    /** The count of an id, or null when none is held (never failed, banned, or out of findtime). */
    public synchronized Count count(String id) {
        Entry e = entries.get(id);
        return e == null ? null : new Count(id, e.ip, e.first, e.last, e.retry, e.failures, new ArrayList<>(e.matches), e.tags);
    }

    /**
     * Takes back a count kept before a restart: the id goes on from there. Not counted in
     * {@link #total()}, which counts the failures this run has seen.
     */
    public synchronized void restore(Count c) {
        Entry e = new Entry();
        e.first = c.first();
        e.last = c.last();
        e.retry = c.retry();
        e.failures = c.failures();
        e.ip = c.ip();
        e.matches.addAll(c.matches());
        e.tags.putAll(c.tags());
        trim(e);
        entries.put(c.id(), e);
    }

    /** The failures currently counted for an id inside findtime (0 when none). */
    public synchronized int attempts(String id) {
        Entry e = entries.get(id);
        return e == null ? 0 : e.retry;
    }
}
