package org.jfail2ban.action;

import java.util.List;
import java.util.regex.Pattern;
import org.jfail2ban.filter.IpAddr;

/**
 * Bans by routing: a route of type {@code unreachable} (or {@code blackhole}, {@code prohibit})
 * for each banned address, so the host answers nothing to it on any port. All routes of a batch
 * go through one {@code ip -batch -}.
 *
 * <p>A route is per address, not per jail: an address banned by two jails keeps its route until
 * the last of their bans ends ({@link SharedTargets}).
 */
final class RouteBackend implements Backend {

    private static final Pattern TYPES = Pattern.compile("unreachable|blackhole|prohibit|throw");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_]*");

    private final BackendContext ctx;
    private final List<String> ip;
    private final String type;
    private final String table;
    private final String target;

    RouteBackend(BackendContext ctx) throws ActionException {
        this.ctx = ctx;
        this.ip = ctx.program("iproute", "", "ip");
        this.type = ctx.checked("blocktype", "", "unreachable", TYPES);
        this.table = ctx.checked("table", "", "", TABLE);
        this.target = "route:" + String.join(" ", ip) + ":" + (table.isEmpty() ? "main" : table);
    }

    private String route(String verb, IpAddr addr) {
        return "route " + verb + " " + type + " " + addr + (table.isEmpty() ? "" : " table " + table) + "\n";
    }

    @Override
    public void stop() {
        ctx.shared().releaseAll(target, ctx.holder());
    }

    @Override
    public void banAll(List<BanInfo> bans) throws ActionException {
        StringBuilder b = new StringBuilder();
        List<String> bad = Bans.addresses(bans, false, (a, ban) -> {
            boolean others = ctx.shared().heldByOthers(target, a.toString(), ctx.holder());
            ctx.shared().hold(target, a.toString(), ctx.holder(), ban.until(ctx.clock()));
            if (!others) {
                b.append(route("replace", a)); // replace: a route left from before is no error
            }
        });
        if (b.length() > 0) {
            ctx.runOk(BackendContext.concat(ip, "-batch", "-"), b.toString(), "ban");
        }
        Bans.reject(ctx, "ban", bad, "not an address");
    }

    @Override
    public void unbanAll(List<BanInfo> bans) throws ActionException {
        StringBuilder b = new StringBuilder();
        Bans.addresses(bans, false, (a, ban) -> {
            if (ctx.shared().release(target, a.toString(), ctx.holder())) {
                b.append(route("del", a));
            }
        });
        if (b.length() == 0) {
            return;
        }
        // -force goes on past a route someone removed already; only that error is forgiven
        ProcessRunner.Result r = ctx.run(BackendContext.concat(ip, "-force", "-batch", "-"), b.toString());
        if (!r.ok()) {
            for (String l : r.err().split("\n")) {
                if (!l.isBlank() && !l.contains("No such process") && !l.startsWith("Command failed")) {
                    throw new ActionException(ctx.what() + ": unban failed: " + r.diagnostic());
                }
            }
        }
    }
}
