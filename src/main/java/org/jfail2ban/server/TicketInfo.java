package org.jfail2ban.server;

import java.net.InetAddress;
import java.time.Clock;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jfail2ban.action.BanInfo;
import org.jfail2ban.action.SharedTargets;
import org.jfail2ban.ban.Ban;
import org.jfail2ban.filter.IpAddr;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.store.MergedBans;

/**
 * What a jail tells its actions about one ban. Tags are computed when an action first asks for
 * them and kept: {@code <ip-host>} costs a DNS query, {@code <ipmatches>} a database read.
 */
final class TicketInfo implements BanInfo {

    private final Jail jail;
    private final Ban ban;
    private final Map<String, String> cache = new HashMap<>();

    TicketInfo(Jail jail, Ban ban) {
        this.jail = jail;
        this.ban = ban;
    }

    @Override
    public String id() {
        return ban.id();
    }

    @Override
    public IpAddr ip() {
        return ban.ip();
    }

    @Override
    public boolean restored() {
        return ban.restored();
    }

    @Override
    public long until(Clock clock) {
        long secs = ban.banTime();
        // as the tags give it: the start in whole seconds ("time" truncated) plus bantime
        return secs < 0 ? SharedTargets.FOREVER : Math.floorDiv(ban.start(), 1000) + secs;
    }

    @Override
    public synchronized String tag(String name) {
        if (cache.containsKey(name)) {
            return cache.get(name);
        }
        String v = compute(name);
        cache.put(name, v);
        return v;
    }

    private String compute(String name) {
        IpAddr ip = ban.ip();
        switch (name) {
            case "ip":
            case "fid":
                return ban.id();
            case "family":
                return ip == null ? "" : ip.family().tag();
            case "ip-rev":
                return ip == null ? "" : ip.ptr("");
            case "ip-host":
                return ip == null ? "" : hostName(ip);
            case "failures":
                return Integer.toString(ban.failures());
            case "time":
                return PyRepr.repr(ban.start() / 1000.0);
            case "bantime":
                return Long.toString(ban.banTime());
            case "bancount":
                return Integer.toString(ban.banCount());
            case "restored":
                return ban.restored() ? "1" : "0";
            case "matches":
                return String.join("\n", ban.matches());
            case "ipmatches":
                return String.join("\n", history(true).matches());
            case "ipjailmatches":
                return String.join("\n", history(false).matches());
            case "ipfailures":
                return Integer.toString(history(true).failures());
            case "ipjailfailures":
                return Integer.toString(history(false).failures());
            case "jail.banned":
                return Integer.toString(jail.bannedCount());
            case "jail.banned_total":
                return Long.toString(jail.banTotal());
            case "jail.found":
                return Integer.toString(jail.failedCount());
            case "jail.found_total":
                return Long.toString(jail.failTotal());
            default:
                if (name.startsWith("F-") || name.startsWith("f-")) {
                    return ban.tags().get(name.substring(2).toLowerCase(Locale.ROOT));
                }
                return ban.tags().get(name);
        }
    }

    /** The id's bans merged over the database's history; without a database this ban's own. */
    private MergedBans history(boolean allJails) {
        MergedBans h = null;
        try {
            h = jail.store().mergedBans(ban.id(), allJails ? null : jail.name());
        } catch (RuntimeException e) {
            jail.log("actions").error("Failed to get %s bans merged, jail '%s': %s", allJails ? "all" : "jail", jail.name(), e);
        }
        return h != null ? h : new MergedBans(ban.id(), ban.failures(), ban.matches());
    }

    private static String hostName(IpAddr ip) {
        try {
            InetAddress a = InetAddress.getByAddress(ip.bytes());
            String host = a.getCanonicalHostName();
            return host.equals(a.getHostAddress()) ? "" : host;
        } catch (UnknownHostException | SecurityException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "{'ip': " + PyRepr.repr(ban.id()) + ", 'failures': " + ban.failures()
                + ", 'time': " + PyRepr.repr(ban.start() / 1000.0) + "}";
    }
}
