package org.jfail2ban.ban;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfail2ban.filter.IpAddr;

/**
 * The addresses a jail never bans: single addresses, networks (CIDR or mask), host names
 * (resolved, cached), the host's own addresses ({@code ignoreself}) and an external command
 * ({@code ignorecommand}, exit 0 = ignore) with an optional cache ({@code ignorecache}).
 * Thread-safe.
 */
public final class IgnoreList {

    /** Resolves a host name to its addresses; empty when it has none. */
    @FunctionalInterface
    public interface Resolver {
        List<IpAddr> resolve(String host);
    }

    private static final long DNS_CACHE_MILLIS = 300_000;
    private static final Pattern TAG = Pattern.compile("<([^<>\\s]+)>");
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/@%+=,-]*");

    private final Clock clock;
    private final Resolver resolver;
    private final Set<IpAddr> singles = new LinkedHashSet<>();
    private final List<IpAddr> networks = new ArrayList<>();
    private final Map<String, Resolved> dns = new LinkedHashMap<>();
    private boolean ignoreSelf = true;
    private Resolved self;
    private String command = "";
    private DecisionCache cache;

    private record Resolved(Set<IpAddr> addresses, long until) {
    }

    public IgnoreList(Clock clock, Resolver resolver) {
        this.clock = clock;
        this.resolver = resolver;
    }

    /** An ignore list resolving through the system's resolver. */
    public static IgnoreList system(Clock clock) {
        return new IgnoreList(clock, IgnoreList::systemResolve);
    }

    static List<IpAddr> systemResolve(String host) {
        try {
            List<IpAddr> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(host)) {
                IpAddr ip = IpAddr.parseOrNull(a.getHostAddress());
                if (ip != null) {
                    out.add(ip);
                }
            }
            return out;
        } catch (UnknownHostException | SecurityException e) {
            return List.of();
        }
    }

    /** Adds an address, network or host name; false when it is already there. */
    public synchronized boolean add(String text) {
        if (text.isEmpty()) {
            return false;
        }
        IpAddr ip = IpAddr.parse(text);
        if (singles.contains(ip) || networks.contains(ip)) {
            return false;
        }
        if (ip.isSingle()) {
            singles.add(ip);
        } else {
            networks.add(ip);
        }
        return true;
    }

    /** Removes an entry; throws IllegalArgumentException when it is not in the list. */
    public synchronized void remove(String text) {
        IpAddr ip = IpAddr.parse(text);
        if (!singles.remove(ip) && !networks.remove(ip)) {
            throw new IllegalArgumentException(text + " is not in the ignore list");
        }
    }

    public synchronized void clear() {
        singles.clear();
        networks.clear();
    }

    /** Networks and host names first, then single addresses, as fail2ban lists them. */
    public synchronized List<String> list() {
        List<String> out = new ArrayList<>();
        networks.forEach(n -> out.add(n.toString()));
        singles.forEach(s -> out.add(s.toString()));
        return out;
    }

    public synchronized void setIgnoreSelf(boolean value) {
        ignoreSelf = value;
    }

    public synchronized boolean ignoreSelf() {
        return ignoreSelf;
    }

    public synchronized void setCommand(String command) {
        this.command = command == null ? "" : command;
    }

    public synchronized String command() {
        return command;
    }

    /**
     * Sets the decision cache from fail2ban's option text ({@code key="<ip>", max-count=100,
     * max-time=5m}); an empty text turns it off.
     */
    public synchronized void setCache(String key, int maxCount, double maxTimeSeconds) {
        cache = key == null ? null : new DecisionCache(key, maxCount, Math.round(maxTimeSeconds * 1000));
    }

    /** {@code [key, max-count, max-time]} or null, as {@code get JAIL ignorecache} answers. */
    public synchronized List<Object> cacheSettings() {
        if (cache == null) {
            return null;
        }
        double secs = cache.maxMillis / 1000.0;
        Object time = secs == Math.rint(secs) ? (Object) (long) secs : (Object) secs;
        return List.of(cache.key, (long) cache.maxCount, time);
    }

    /**
     * Decides whether an id is ignored.
     *
     * @param tags looks up the values of tags ({@code ip}, {@code fid}, {@code F-USER} ...) for the
     *             command and the cache key; returns null for an unknown tag
     * @return why it is ignored ("ip", "dns", "ignoreself rule", "command"), or null when it is not
     */
    public String check(String id, IpAddr ip, Function<String, String> tags) {
        String key;
        DecisionCache c;
        synchronized (this) {
            c = cache;
        }
        key = c == null ? null : substitute(c.key, tags, false);
        if (c != null) {
            Boolean v = c.get(key, clock.millis());
            if (v != null) {
                return v ? "cache" : null;
            }
        }
        String why = checkLists(id, ip);
        if (why == null) {
            String cmd;
            synchronized (this) {
                cmd = command;
            }
            if (!cmd.isEmpty() && runCommand(substitute(cmd, tags, true))) {
                why = "command";
            }
        }
        if (c != null) {
            c.put(key, why != null, clock.millis());
        }
        return why;
    }

    private String checkLists(String id, IpAddr ip) {
        List<IpAddr> nets;
        synchronized (this) {
            if (ip == null) {
                IpAddr raw = IpAddr.parse(id);
                return singles.contains(raw) || networks.contains(raw) ? "ip" : null;
            }
            if (ignoreSelf && selfAddresses().contains(ip)) {
                return "ignoreself rule";
            }
            if (singles.contains(ip)) {
                return "ip";
            }
            nets = new ArrayList<>(networks);
        }
        for (IpAddr net : nets) {
            if (net.isValid()) {
                if (ip.isInNet(net)) {
                    return "ip";
                }
            } else if (resolve(net.raw()).contains(ip)) {
                return "dns";
            }
        }
        return null;
    }

    private Set<IpAddr> resolve(String host) {
        long now = clock.millis();
        synchronized (this) {
            Resolved r = dns.get(host);
            if (r != null && r.until > now) {
                return r.addresses;
            }
        }
        // resolved outside the lock: a slow resolver must not hold up the other jails' threads
        Set<IpAddr> addresses = new HashSet<>(resolver.resolve(host));
        synchronized (this) {
            dns.put(host, new Resolved(addresses, now + DNS_CACHE_MILLIS));
        }
        return addresses;
    }

    private Set<IpAddr> selfAddresses() {
        long now = clock.millis();
        if (self == null || self.until <= now) {
            Set<IpAddr> out = new HashSet<>();
            try {
                for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                        String text = a.getHostAddress();
                        int pct = text.indexOf('%');
                        IpAddr ip = IpAddr.parseOrNull(pct < 0 ? text : text.substring(0, pct));
                        if (ip != null) {
                            out.add(ip);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no interface list: the names below still give the usual ones
            }
            out.addAll(resolver.resolve("localhost"));
            try {
                InetAddress local = InetAddress.getLocalHost();
                out.addAll(resolver.resolve(local.getHostName()));
                out.addAll(resolver.resolve(local.getCanonicalHostName()));
            } catch (UnknownHostException | SecurityException e) {
                // a host without a resolvable name of its own
            }
            out.add(IpAddr.parse("127.0.0.1"));
            out.add(IpAddr.parse("::1"));
            self = new Resolved(out, now + DNS_CACHE_MILLIS);
        }
        return self.addresses;
    }

    /**
     * Replaces {@code <tag>}s by their values. For a shell command, a value is backslash-escaped
     * wherever it holds more than the characters of addresses and names, so a value taken from a
     * log line can never become shell syntax.
     */
    static String substitute(String template, Function<String, String> tags, boolean shell) {
        Matcher m = TAG.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = tags.apply(m.group(1));
            if (v == null) {
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group()));
                continue;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(shell ? shellEscape(v) : v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    static String shellEscape(String v) {
        if (SAFE.matcher(v).matches()) {
            return v;
        }
        StringBuilder sb = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\n') {
                sb.append("'\n'");
            } else if (Character.isLetterOrDigit(c) || "._:/@%+=,-".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append('\\').append(c);
            }
        }
        return sb.toString();
    }

    private static boolean runCommand(String cmd) {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A bounded, time-limited memory of decisions, least recently used out first. */
    private static final class DecisionCache {
        final String key;
        final int maxCount;
        final long maxMillis;
        private final LinkedHashMap<String, long[]> map = new LinkedHashMap<>(16, 0.75f, true);

        DecisionCache(String key, int maxCount, long maxMillis) {
            this.key = key;
            this.maxCount = Math.max(1, maxCount);
            this.maxMillis = maxMillis;
        }

        synchronized Boolean get(String k, long now) {
            long[] v = map.get(k);
            if (v == null || v[1] <= now) {
                return null;
            }
            return v[0] == 1;
        }

        synchronized void put(String k, boolean ignored, long now) {
            map.put(k, new long[] {ignored ? 1 : 0, now + maxMillis});
            while (map.size() > maxCount) {
                map.remove(map.keySet().iterator().next());
            }
        }
    }
}
