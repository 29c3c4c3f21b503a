package org.jfail2ban.action;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Bans with iptables, without a shell and in batches: per jail a chain {@code f2b-NAME} in the
 * filter table (IPv4 and IPv6) whose one rule matches an ipset of banned addresses
 * ({@code f2b-NAME}, {@code f2b-NAME6}), and one jump to it from the parent chain for the jail's
 * ports. The chain's rule count stays constant; bans and unbans are one {@code ipset restore}
 * each; start and stop are one {@code iptables-restore --noflush} per family.
 *
 * <p>Properties as our iptables.conf names them: {@code iptables} (the program and its options,
 * per family), {@code ipset}, {@code name}, {@code chain} (the parent chain), {@code type}
 * ({@code multiport}, {@code allports}, {@code oneport}), {@code port}, {@code protocol},
 * {@code blocktype} (per family).
 */
final class IptablesBackend implements Backend {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,25}");
    private static final Pattern CHAIN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,28}");
    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9]*");
    private static final Pattern PORTS = Pattern.compile("[A-Za-z0-9_\\-]+(?:[:\\-][A-Za-z0-9_\\-]+)?"
            + "(?:,[A-Za-z0-9_\\-]+(?:[:\\-][A-Za-z0-9_\\-]+)?)*");
    private static final Pattern BLOCKTYPE = Pattern.compile("[A-Za-z0-9_ \\-]+");

    /** One family's tools, set, and rule texts. */
    private record Family(String tag, List<String> iptables, List<String> restore, String set, String ipsetFamily,
                          String blocktype) {
    }

    private final BackendContext ctx;
    private final Ipset ipset;
    private final String chain;
    private final String parent;
    private final List<String> jumpMatches;
    private final Map<String, Family> families = new LinkedHashMap<>();

    IptablesBackend(BackendContext ctx) throws ActionException {
        this.ctx = ctx;
        this.ipset = new Ipset(ctx, ctx.program("ipset", "", "ipset"));
        String name = ctx.checked("name", "", ctx.jail(), NAME);
        this.chain = "f2b-" + name;
        this.parent = ctx.checked("chain", "", "INPUT", CHAIN);
        this.jumpMatches = jumpMatches(ctx);
        families.put("inet4", family(ctx, "inet4", "iptables -w", "f2b-" + name, "inet",
                "REJECT --reject-with icmp-port-unreachable"));
        families.put("inet6", family(ctx, "inet6", "ip6tables -w", "f2b-" + name + "6", "inet6",
                "REJECT --reject-with icmp6-port-unreachable"));
    }

    private static Family family(BackendContext ctx, String fam, String defProgram, String set,
                                 String ipsetFamily, String defBlock) throws ActionException {
        List<String> ipt = ctx.program("iptables", fam, defProgram);
        List<String> restore = new ArrayList<>(ipt);
        int tool = -1;
        for (int i = 0; i < restore.size(); i++) {
            String base = restore.get(i).substring(restore.get(i).lastIndexOf('/') + 1);
            if (base.matches("ip6?tables(-legacy|-nft)?")) {
                tool = i;
                break;
            }
        }
        if (tool < 0) {
            throw new ActionException(ctx.what() + ": cannot tell the iptables program in 'iptables': " + ipt);
        }
        restore.set(tool, restore.get(tool) + "-restore");
        restore.add("--noflush");
        String block = ctx.checked("blocktype", fam, defBlock, BLOCKTYPE);
        if (fam.equals("inet6")) {
            block = block.replace("icmp-port-unreachable", "icmp6-port-unreachable");
        }
        return new Family(fam, ipt, restore, set, ipsetFamily, block);
    }

    private static List<String> jumpMatches(BackendContext ctx) throws ActionException {
        String type = ctx.checked("type", "", "multiport", Pattern.compile("multiport|allports|oneport"));
        String ports = ctx.get("port", "ssh").replaceAll("\\s+", "");
        if (!type.equals("allports") && !PORTS.matcher(ports).matches()) {
            throw new ActionException(ctx.what() + ": invalid port '" + ports + "'");
        }
        List<String> out = new ArrayList<>();
        for (String p : ctx.get("protocol", "tcp").split("[,\\s]+")) {
            if (p.isEmpty()) {
                continue;
            }
            if (!WORD.matcher(p).matches()) {
                throw new ActionException(ctx.what() + ": invalid protocol '" + p + "'");
            }
            out.add(switch (type) {
                case "allports" -> "-p " + p;
                case "oneport" -> "-p " + p + " --dport " + ports;
                default -> "-p " + p + " -m multiport --dports " + ports;
            });
        }
        return out;
    }

    private String jump(String match) {
        return match + " -j " + chain;
    }

    @Override
    public void start() throws ActionException {
        ctx.shared().attach("iptables:" + chain, ctx.holder());
        Map<String, String> sets = new LinkedHashMap<>();
        families.values().forEach(f -> sets.put(f.set(), f.ipsetFamily()));
        ipset.create(sets);
        for (Family f : families.values()) {
            StringBuilder b = new StringBuilder("*filter\n");
            // declaring the chain under --noflush empties it: its content is exactly ours
            b.append(':').append(chain).append(" - [0:0]\n");
            b.append("-A ").append(chain).append(" -m set --match-set ").append(f.set()).append(" src -j ")
                    .append(f.blocktype()).append('\n');
            b.append("-A ").append(chain).append(" -j RETURN\n");
            for (String m : jumpMatches) {
                if (!exists(f, m)) {
                    b.append("-I ").append(parent).append(' ').append(jump(m)).append('\n');
                }
            }
            b.append("COMMIT\n");
            ctx.runOk(f.restore(), b.toString(), "start (" + f.tag() + ")");
        }
    }

    private boolean exists(Family f, String match) throws ActionException {
        List<String> argv = new ArrayList<>(f.iptables());
        argv.add("-C");
        argv.add(parent);
        argv.addAll(List.of(jump(match).split(" ")));
        return ctx.run(argv, null).ok();
    }

    private boolean chainExists(Family f) throws ActionException {
        return ctx.run(BackendContext.concat(f.iptables(), "-S", chain), null).ok();
    }

    @Override
    public void stop() throws ActionException {
        if (!ctx.shared().detach("iptables:" + chain, ctx.holder())) {
            return; // another jail of the same name still uses the chain and sets
        }
        ActionException failure = null;
        for (Family f : families.values()) {
            StringBuilder b = new StringBuilder("*filter\n");
            for (String m : jumpMatches) {
                if (exists(f, m)) {
                    b.append("-D ").append(parent).append(' ').append(jump(m)).append('\n');
                }
            }
            if (chainExists(f)) {
                b.append("-F ").append(chain).append('\n').append("-X ").append(chain).append('\n');
            }
            b.append("COMMIT\n");
            try {
                ctx.runOk(f.restore(), b.toString(), "stop (" + f.tag() + ")");
            } catch (ActionException e) {
                failure = e;
            }
        }
        var present = ipset.names();
        StringBuilder b = new StringBuilder();
        for (Family f : families.values()) {
            ctx.shared().releaseAll(Ipset.target(f.set()), ctx.holder());
            if (present.contains(f.set())) {
                b.append("destroy ").append(f.set()).append('\n');
            }
        }
        ipset.restore(b.toString(), "destroying sets");
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void banAll(List<BanInfo> bans) throws ActionException {
        StringBuilder b = new StringBuilder();
        List<String> bad = Bans.addresses(bans, true,
                (ip, ban) -> Ipset.holdAndAdd(b, ctx, families.get(ip.family().tag()).set(), ip, ban));
        String script = b.toString();
        if (!ipset.tryRestore(script)) {
            start(); // the sets or the chain are gone: make them again, then once more
            ipset.restore(script, "ban");
        }
        Bans.reject(ctx, "ban", bad, "not a single address");
    }

    @Override
    public void unbanAll(List<BanInfo> bans) throws ActionException {
        StringBuilder b = new StringBuilder();
        List<String> bad = Bans.addresses(bans, true,
                (ip, ban) -> Ipset.releaseAndDel(b, ctx, families.get(ip.family().tag()).set(), ip));
        ipset.restore(b.toString(), "unban");
        Bans.reject(ctx, "unban", bad, "not a single address");
    }

    @Override
    public boolean flush() throws ActionException {
        StringBuilder b = new StringBuilder();
        for (Family f : families.values()) {
            String target = Ipset.target(f.set());
            if (ctx.shared().anyHeldByOthers(target, ctx.holder())) {
                return false;
            }
        }
        for (Family f : families.values()) {
            ctx.shared().releaseAll(Ipset.target(f.set()), ctx.holder());
            b.append("flush ").append(f.set()).append('\n');
        }
        ipset.restore(b.toString(), "flush");
        return true;
    }

}
