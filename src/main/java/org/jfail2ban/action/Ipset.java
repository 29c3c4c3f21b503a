package org.jfail2ban.action;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jfail2ban.filter.IpAddr;

/**
 * The {@code ipset} tool, driven in batches: one {@code ipset -exist restore} per operation,
 * whatever the number of addresses. Sets are {@code hash:ip} with timeout support, so each
 * address carries its own ban time and the kernel drops it even if the daemon is gone.
 */
final class Ipset {

    /** The longest timeout the kernel accepts, in seconds; longer bans are kept forever (0). */
    static final long MAX_TIMEOUT = 2147483;

    private final BackendContext ctx;
    private final List<String> program;

    Ipset(BackendContext ctx, List<String> program) {
        this.ctx = ctx;
        this.program = program;
    }

    /** Names of the sets that exist now. */
    Set<String> names() throws ActionException {
        ProcessRunner.Result r = ctx.runOk(BackendContext.concat(program, "list", "-n"), null, "listing sets");
        Set<String> out = new HashSet<>();
        for (String l : r.out().split("\n")) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        return out;
    }

    /** Creates the sets (name -> "inet" or "inet6") unless they exist. */
    void create(Map<String, String> sets) throws ActionException {
        StringBuilder b = new StringBuilder();
        sets.forEach((name, family) -> b.append("create ").append(name).append(" hash:ip family ").append(family)
                .append(" hashsize 1024 maxelem 1000000 timeout 0\n"));
        restore(b.toString(), "creating sets " + sets.keySet());
    }

    /** Runs a restore script; {@code -exist} makes adds of present and deletes of absent entries no error. */
    void restore(String script, String doing) throws ActionException {
        if (!script.isEmpty()) {
            ctx.runOk(BackendContext.concat(program, "-exist", "restore"), script, doing);
        }
    }

    /** Same, returning whether it worked instead of failing. */
    boolean tryRestore(String script) throws ActionException {
        return script.isEmpty() || ctx.run(BackendContext.concat(program, "-exist", "restore"), script).ok();
    }

    /**
     * Records the ban on the shared set and adds the address with the longest remaining time of
     * all the jails that hold it there.
     */
    static void holdAndAdd(StringBuilder b, BackendContext ctx, String set, IpAddr ip, BanInfo ban) {
        long until = ctx.shared().hold(target(set), ip.toString(), ctx.holder(), ban.until(ctx.clock()));
        add(b, set, ip.toString(), Bans.remainingUntil(until, ctx.clock()));
    }

    /** Ends the ban on the shared set; deletes the address when no other jail holds it there. */
    static void releaseAndDel(StringBuilder b, BackendContext ctx, String set, IpAddr ip) {
        if (ctx.shared().release(target(set), ip.toString(), ctx.holder())) {
            del(b, set, ip.toString());
        }
    }

    /** The shared-target identity of a set. */
    static String target(String set) {
        return "ipset:" + set;
    }

    static void add(StringBuilder b, String set, String address, long remaining) {
        long t = remaining < 0 || remaining > MAX_TIMEOUT ? 0 : remaining;
        b.append("add ").append(set).append(' ').append(address).append(" timeout ").append(t).append('\n');
    }

    static void del(StringBuilder b, String set, String address) {
        b.append("del ").append(set).append(' ').append(address).append('\n');
    }
}
