package org.jfail2ban.filter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Host name lookups for {@code usedns}, without letting a slow resolver stall a filter: every
 * lookup runs on a small pool of its own threads, the caller waits at most {@code timeout}, and
 * every answer (also "none", also one still on its way) is cached for five minutes as fail2ban
 * caches it. A lookup that times out is not asked again while it is pending; its answer, when
 * it comes, fills the cache for the next line.
 */
public final class HostResolver implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HostResolver.class.getName());
    private static final int MAX_ENTRIES = 1000;
    private static final Duration TTL = Duration.ofMinutes(5);

    private final Clock clock;
    private final Duration timeout;
    private final Function<String, InetAddress[]> lookup;
    private final Function<IpAddr, String> reverse;
    private final Map<String, Entry<List<IpAddr>>> names = new LinkedHashMap<>();
    private final Map<IpAddr, Entry<String>> addresses = new LinkedHashMap<>();
    private ExecutorService pool;

    private record Entry<T>(CompletableFuture<T> value, Instant expires) {
    }

    /** A cached or new lookup; only a new one is waited for, a pending old one answers "none" at once. */
    private record Lookup<T>(CompletableFuture<T> value, boolean fresh) {
    }

    /** A resolver using the system's resolver. */
    public HostResolver(Clock clock, Duration timeout) {
        this(clock, timeout, HostResolver::systemLookup, HostResolver::systemReverse);
    }

    /** A resolver with lookups of one's own (tests). */
    HostResolver(Clock clock, Duration timeout, Function<String, InetAddress[]> lookup, Function<IpAddr, String> reverse) {
        this.clock = clock;
        this.timeout = timeout;
        this.lookup = lookup;
        this.reverse = reverse;
    }

    private static InetAddress[] systemLookup(String name) {
        try {
            return InetAddress.getAllByName(name);
        } catch (UnknownHostException | SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "Unable to find a corresponding IP address for {0}: {1}", name, e.getMessage());
            return new InetAddress[0];
        }
    }

    private static String systemReverse(IpAddr ip) {
        try {
            InetAddress a = InetAddress.getByAddress(ip.bytes());
            String n = a.getCanonicalHostName();
            return n.equals(a.getHostAddress()) ? null : n;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The addresses of a host name: IPv4 first, then IPv6; empty when unknown or too slow. */
    public List<IpAddr> addresses(String name) {
        Lookup<List<IpAddr>> f;
        synchronized (this) {
            f = cached(names, name, n -> {
                List<IpAddr> v4 = new ArrayList<>();
                List<IpAddr> v6 = new ArrayList<>();
                for (InetAddress a : lookup.apply(n)) {
                    IpAddr ip = IpAddr.parseOrNull(a.getHostAddress().replaceFirst("%.*$", ""));
                    if (ip != null && !v4.contains(ip) && !v6.contains(ip)) {
                        (ip.isIPv4() ? v4 : v6).add(ip);
                    }
                }
                v4.addAll(v6);
                return List.copyOf(v4);
            });
        }
        List<IpAddr> r = await(f);
        return r == null ? List.of() : r;
    }

    /** The host name of an address (PTR), or null when unknown or too slow. */
    public String name(IpAddr ip) {
        Lookup<String> f;
        synchronized (this) {
            f = cached(addresses, ip, reverse);
        }
        return await(f);
    }

    private <K, T> Lookup<T> cached(Map<K, Entry<T>> cache, K key, Function<K, T> fn) {
        Instant now = clock.instant();
        Entry<T> e = cache.get(key);
        if (e != null && e.expires.isAfter(now)) {
            return new Lookup<>(e.value, false);
        }
        if (cache.size() >= MAX_ENTRIES) {
            // oldest first; stop once an entry still valid made room
            for (Iterator<Entry<T>> it = cache.values().iterator(); it.hasNext(); ) {
                Entry<T> old = it.next();
                it.remove();
                if (old.expires.isAfter(now) && cache.size() < MAX_ENTRIES) {
                    break;
                }
            }
        }
        CompletableFuture<T> f = CompletableFuture.supplyAsync(() -> fn.apply(key), pool());
        cache.put(key, new Entry<>(f, now.plus(TTL)));
        return new Lookup<>(f, true);
    }

    private <T> T await(Lookup<T> l) {
        if (!l.fresh && !l.value.isDone()) {
            return null;
        }
        try {
            return l.value.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            ThreadPoolExecutor p = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "f2b/dns");
                t.setDaemon(true);
                return t;
            });
            p.allowCoreThreadTimeOut(true);
            pool = p;
        }
        return pool;
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }
}
