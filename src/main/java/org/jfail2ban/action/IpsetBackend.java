package org.jfail2ban.action;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keeps banned addresses in ipsets that the administrator's own firewall rules refer to by
 * name ({@code -m set --match-set f2b-sshd src}, a firewalld or shorewall rule): {@code ipmset}
 * for IPv4, {@code ipmset6} (default: the same name with a 6) for IPv6. Several jails may name the same set: an address stays in it, with the
 * longest of their ban times, until the last of their bans ends.
 *
 * <p>Start creates a set that does not exist; stop destroys only a set it created, and only
 * when no other jail uses it; from a set that was there before, it removes just the addresses
 * it added.
 */
final class IpsetBackend implements Backend {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,30}");

    private final BackendContext ctx;
    private final Ipset ipset;
    /** family tag -> set name. */
    private final Map<String, String> sets = new LinkedHashMap<>();
    private final List<String> created = new ArrayList<>();

    IpsetBackend(BackendContext ctx) throws ActionException {
        this.ctx = ctx;
        this.ipset = new Ipset(ctx, ctx.program("ipset", "", "ipset"));
        String name = ctx.checked("name", "", ctx.jail(), Pattern.compile("[A-Za-z0-9_.\\-]+"));
        String v4 = ctx.checked("ipmset", "", "f2b-" + name, NAME);
        String v6 = ctx.checked("ipmset6", "", v4 + "6", NAME);
        if (v6.equals(v4)) {
            throw new ActionException(ctx.what() + ": 'ipmset' and 'ipmset6' name the same set: one set cannot hold "
                    + "both families");
        }
        sets.put("inet4", v4);
        sets.put("inet6", v6);
    }

    @Override
    public void start() throws ActionException {
        Set<String> present = ipset.names();
        Map<String, String> missing = new LinkedHashMap<>();
        sets.forEach((fam, set) -> {
            if (!present.contains(set)) {
                missing.put(set, fam.equals("inet4") ? "inet" : "inet6");
            }
        });
        ipset.create(missing);
        created.addAll(missing.keySet());
        for (String set : sets.values()) {
            ctx.shared().attach("ipset-set:" + set, ctx.holder());
        }
    }

    @Override
    public void stop() throws ActionException {
        Set<String> present = ipset.names();
        StringBuilder b = new StringBuilder();
        for (String set : sets.values()) {
            List<String> last = ctx.shared().releaseAll(Ipset.target(set), ctx.holder());
            boolean lastUser = ctx.shared().detach("ipset-set:" + set, ctx.holder());
            if (!present.contains(set)) {
                continue;
            }
            if (lastUser && created.contains(set)) {
                b.append("destroy ").append(set).append('\n');
            } else {
                last.forEach(a -> Ipset.del(b, set, a));
            }
        }
        created.clear();
        if (!ipset.tryRestore(b.toString())) {
            // a set still referenced by a firewall rule cannot be destroyed: leave it, empty of ours
            StringBuilder empty = new StringBuilder();
            for (String set : sets.values()) {
                if (present.contains(set)) {
                    empty.append("flush ").append(set).append('\n');
                }
            }
            ipset.restore(empty.toString(), "stop");
        }
    }

    @Override
    public void banAll(List<BanInfo> bans) throws ActionException {
        StringBuilder b = new StringBuilder();
        List<String> bad = Bans.addresses(bans, true,
                (ip, ban) -> Ipset.holdAndAdd(b, ctx, sets.get(ip.family().tag()), ip, ban));
        if (!ipset.tryRestore(b.toString())) {
            start(); // a set is gone: make it again, then once more
            ipset.restore(b.toString(), "ban");
        }
        Bans.reject(ctx, "ban", bad, "not a single address");
    }

    @Override
    public void unbanAll(List<BanInfo> bans) throws ActionException {
        StringBuilder b = new StringBuilder();
        Bans.addresses(bans, true, (ip, ban) -> Ipset.releaseAndDel(b, ctx, sets.get(ip.family().tag()), ip));
        ipset.restore(b.toString(), "unban");
    }
}
