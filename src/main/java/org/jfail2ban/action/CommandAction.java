package org.jfail2ban.action;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jfail2ban.config.TimeSpan;
import org.jfail2ban.filter.IpAddr;

/**
 * An action from action.d: shell commands for start, stop, check, ban, unban, flush, repair and
 * reload, with tags, run as fail2ban runs them — or, when the property {@code native} names a
 * backend ({@code nftables}, {@code iptables}, {@code ipset}, {@code hostsdeny}, {@code route},
 * {@code smtp}, {@code abuseipdb}), that backend doing the same without a shell and in batches.
 *
 * <p>Semantics kept from fail2ban: properties are tags, resolved recursively, with
 * {@code key?family=inet6} variants chosen per address family; a family-conditional action is
 * started on demand for the family of its first ban ({@code actionstart_on_demand} overrides);
 * a failed command is retried once, after {@code actioncheck} and, when the check fails,
 * {@code actionrepair} (or a stop and start of that family); {@code actionrepair_on_unban};
 * {@code norestored}; {@code timeout} ends the command's whole process group.
 *
 * <p>Values of a ban never become shell code: see {@link DynamicTags} for the rule.
 *
 * <p>Not thread-safe by design: a jail calls its actions from its one worker thread.
 */
public final class CommandAction implements Action {

    private static final System.Logger LOG = System.getLogger(CommandAction.class.getName());

    private static final List<String> OPERATIONS = List.of("actionstart", "actionstop", "actioncheck", "actionban",
            "actionreban", "actionunban", "actionflush", "actionrepair", "actionreload");

    private final String jail;
    private final String name;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Clock clock;
    private SharedTargets shared;
    private Map<String, String> environment = Map.of();

    private PropertyTags tags;
    /** Per family: bit 1 started, bit 2 holds bans (fail2ban's bookkeeping). */
    private final Map<String, Integer> started = new HashMap<>();
    /** Per operation and family, the command last run successfully (to not run it twice). */
    private final Map<String, Map<String, String>> executed = new HashMap<>();
    /** Shared targets this action has held addresses on. */
    private final Set<String> heldTargets = new HashSet<>();
    private Backend backend;
    private String hostFq;
    private String hostShort;

    /** An action of {@code jail} named {@code name}, with the system clock and no shared targets yet. */
    public CommandAction(String jail, String name) {
        this(jail, name, new SharedTargets(), Clock.systemUTC());
    }

    /**
     * An action of {@code jail} named {@code name}.
     *
     * @param shared the server's ledger of shared blocking targets (see {@link SharedTargets})
     * @param clock  the server's clock (remaining ban times of restored bans)
     */
    public CommandAction(String jail, String name, SharedTargets shared, Clock clock) {
        this.jail = jail;
        this.name = name;
        this.shared = Objects.requireNonNull(shared, "shared");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (String op : OPERATIONS) {
            properties.put(op, "");
        }
        properties.put("timeout", "60");
    }

    public String jail() {
        return jail;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void useSharedTargets(SharedTargets targets) {
        this.shared = Objects.requireNonNull(targets, "targets");
    }

    @Override
    public Map<String, String> properties() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    @Override
    public void setProperty(String key, String value) {
        if (key.equals("bantime")) {
            return; // a ban's own time always wins, as in fail2ban
        }
        properties.put(key, value == null ? "" : value);
        tags = null;
    }

    /** Extra environment for the commands (tests put a fake mailer first on PATH). */
    void environment(Map<String, String> env) {
        this.environment = Map.copyOf(env);
    }

    // ---- the Action operations ----

    @Override
    public void start() throws ActionException {
        String nat = prop("native");
        if (!nat.isBlank()) {
            backend = Backends.create(nat.strip(), context());
            backend.start();
            return;
        }
        backend = null;
        startFamilies(null, false);
    }

    @Override
    public void stop() throws ActionException {
        try {
            if (backend != null) {
                backend.stop();
                return;
            }
            stopFamilies(null);
        } finally {
            for (String t : heldTargets) {
                shared.releaseAll(t, holder());
            }
            heldTargets.clear();
        }
    }

    @Override
    public void ban(BanInfo ban) throws ActionException {
        banAll(List.of(ban));
    }

    @Override
    public void banAll(List<BanInfo> bans) throws ActionException {
        List<BanInfo> todo = bans;
        if (bool("norestored", false)) {
            todo = new ArrayList<>();
            for (BanInfo b : bans) {
                if (!b.restored()) {
                    todo.add(b);
                }
            }
        }
        if (todo.isEmpty()) {
            return;
        }
        if (backend != null) {
            backend.banAll(todo);
            return;
        }
        Bans.each(todo, b -> banOne(b, "actionban"));
    }

    @Override
    public void unban(BanInfo ban) throws ActionException {
        unbanAll(List.of(ban));
    }

    @Override
    public void unbanAll(List<BanInfo> bans) throws ActionException {
        if (backend != null) {
            backend.unbanAll(bans);
            return;
        }
        Bans.each(bans, this::unbanOne);
    }

    @Override
    public boolean flush() throws ActionException {
        if (backend != null) {
            return backend.flush();
        }
        if (prop("actionflush").isBlank()) {
            return false;
        }
        List<String> fams = new ArrayList<>();
        for (Map.Entry<String, Integer> e : started.entrySet()) {
            if ((e.getValue() & 3) == 3) {
                fams.add(e.getKey());
            }
        }
        if (fams.isEmpty()) {
            return true;
        }
        // a flush would take away what other jails still hold on the same target: unban one by one
        for (String f : fams) {
            String t = targetOf(f);
            if (t != null && shared.anyHeldByOthers(t, holder())) {
                return false;
            }
        }
        runOperation("actionflush", "flushing", fams, (f, ok) -> {
            if (ok && started.getOrDefault(f, 0) != 0) {
                started.put(f, started.get(f) & ~2);
                String t = targetOf(f);
                if (t != null) {
                    shared.releaseAll(t, holder());
                }
            }
        });
        return true;
    }

    @Override
    public void reload() throws ActionException {
        if (backend != null) {
            return; // a native backend reads its properties at start
        }
        runOperation("actionreload", "reloading", List.of(), null);
    }

    // ---- fail2ban's bookkeeping of families ----

    private void startFamilies(String family, boolean force) throws ActionException {
        if (startOnDemand()) {
            if (!force) {
                return;
            }
        } else if (!force && started.getOrDefault(family, 0) != 0) {
            return;
        }
        List<String> fams = family != null ? List.of(family) : families();
        runOperation("actionstart", "starting", fams, (f, ok) -> {
            if (ok) {
                forget("actionstop", f);
                started.put(f, 1);
            }
        });
    }

    private void stopFamilies(String family) throws ActionException {
        List<String> fams;
        if (family == null) {
            fams = new ArrayList<>();
            started.forEach((f, v) -> {
                if (v != 0) {
                    fams.add(f);
                }
            });
            if (fams.isEmpty()) {
                return;
            }
            started.clear();
        } else {
            if (!started.containsKey(family)) {
                return;
            }
            started.put(family, 0);
            fams = List.of(family);
        }
        runOperation("actionstop", "stopping", fams, (f, ok) -> {
            if (ok) {
                forget("actionstart", f);
            }
        });
    }

    private void banOne(BanInfo ban, String op) throws ActionException {
        String family = Bans.family(ban);
        if (startOnDemand() && started.getOrDefault(family, 0) == 0) {
            startFamilies(family, true);
        }
        String target = targetOf(family);
        boolean others = false;
        if (target != null) {
            others = shared.heldByOthers(target, ban.id(), holder());
            shared.hold(target, ban.id(), holder(), ban.until(clock));
            heldTargets.add(target);
        }
        if (!processCommand(op, ban, family)) {
            if (others) {
                // another jail's ban already blocks it on this very target
                LOG.log(Level.WARNING, "{0}: ban of {1} failed, it stays blocked by another jail", what(), ban.id());
            } else {
                throw new ActionException(what() + ": error banning " + ban.id());
            }
        }
        started.merge(family, 3, (a, b) -> a | b);
    }

    private void unbanOne(BanInfo ban) throws ActionException {
        String family = Bans.family(ban);
        if ((started.getOrDefault(family, 0) & 2) == 0) {
            return;
        }
        String target = targetOf(family);
        if (target != null && !shared.release(target, ban.id(), holder())) {
            LOG.log(Level.DEBUG, "{0}: {1} stays, another jail still bans it", what(), ban.id());
            return;
        }
        if (!processCommand("actionunban", ban, family)) {
            throw new ActionException(what() + ": error unbanning " + ban.id());
        }
    }

    /**
     * The identity of the blocking target a ban of this family writes to: the unban command as
     * configured, with only the ban's own values left open. Two actions (of two jails) that
     * would remove an address with exactly the same command act on the same thing; null for an
     * action that removes nothing (mail, reports).
     */
    private String targetOf(String family) {
        String unban;
        try {
            unban = tags().replace("<actionunban>", family);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return unban.isBlank() ? null : "command:" + unban.strip();
    }

    /** Runs a ban or unban command, with check, repair and one retry as fail2ban does. */
    private boolean processCommand(String op, BanInfo ban, String family) throws ActionException {
        int tries = 0;
        while (true) {
            if (tries > 0 && !prop("actioncheck").isBlank()) {
                boolean unban = op.equals("actionunban");
                int ret = invariantCheck(family, () -> {
                    if (unban && !bool("actionrepair_on_unban", false)) {
                        LOG.log(Level.ERROR, "{0}: invariant check failed, unban is impossible", what());
                        return false;
                    }
                    return true;
                }, !unban);
                if (ret != 1) {
                    return false;
                }
            }
            String cmd = operation(op, family);
            DynamicTags.ShellScript script = DynamicTags.forShell(cmd, banValues(ban, family), this::fillIn);
            boolean ok = execute(script);
            tries++;
            if (ok || tries > 1) {
                return ok;
            }
        }
    }

    /** 1: sane (or made sane), 0: could not restore, -1: broken but no repair wanted. */
    private int invariantCheck(String family, java.util.function.BooleanSupplier beforeRepair, boolean forceStart)
            throws ActionException {
        String check = operation("actioncheck", family);
        if (check.isEmpty() || execute(forOperation(check, family))) {
            return 1;
        }
        if (beforeRepair != null && !beforeRepair.getAsBoolean()) {
            return -1;
        }
        LOG.log(Level.ERROR, "{0}: invariant check failed, trying to restore a sane environment", what());
        String repair = operation("actionrepair", family);
        if (!repair.isEmpty()) {
            if (!execute(forOperation(repair, family))) {
                started.put(family, 0);
                LOG.log(Level.ERROR, "{0}: unable to restore environment", what());
                return 0;
            }
            started.put(family, 1);
        } else {
            // restart what was started: the family itself, or the whole action when it has no
            // families (fail2ban restarts a family that never ran start, which repairs nothing)
            String fam = started.containsKey(family) || startOnDemand() ? family : "";
            try {
                stopFamilies(fam);
            } catch (ActionException e) {
                // a failed stop does not matter when the start and check succeed
            }
            startFamilies(fam, forceStart || !startOnDemand());
            family = fam;
        }
        if (started.getOrDefault(family, 0) != 0 && !execute(forOperation(check, family))) {
            LOG.log(Level.ERROR, "{0}: unable to restore environment", what());
            return 0;
        }
        return 1;
    }

    /** Runs a start/stop/flush/reload operation for the families, once per distinct command. */
    private void runOperation(String op, String doing, List<String> fams, BiConsumer<String, Boolean> after)
            throws ActionException {
        List<String> list = fams;
        if (list.isEmpty()) {
            list = new ArrayList<>();
            for (Map.Entry<String, Integer> e : started.entrySet()) {
                if (e.getValue() != 0) {
                    list.add(e.getKey());
                }
            }
        }
        boolean all = true;
        String error = "script error";
        for (String f : list) {
            try {
                String cmd = operation(op, f);
                boolean ok = true;
                if (!cmd.isEmpty() && !executedForOthers(op, f).contains(cmd)) {
                    ok = execute(forOperation(cmd, f));
                    all &= ok;
                }
                if (after != null) {
                    after.accept(f, ok);
                }
                if (ok) {
                    executed.computeIfAbsent(op, k -> new HashMap<>()).put(f, cmd);
                } else {
                    forget(op, f);
                }
            } catch (IllegalArgumentException e) {
                all = false;
                error = e.getMessage();
            }
        }
        if (!all) {
            throw new ActionException("error " + doing + " action " + jail + "/" + name + ": " + error);
        }
    }

    private List<String> executedForOthers(String op, String family) {
        Map<String, String> m = executed.get(op);
        if (m == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        m.forEach((f, c) -> {
            if (!f.equals(family)) {
                out.add(c);
            }
        });
        return out;
    }

    /** Forgets the command run for a family, and for the families that ran the same one. */
    private void forget(String op, String family) {
        Map<String, String> m = executed.get(op);
        if (m == null) {
            return;
        }
        String cmd = m.remove(family);
        if (cmd != null) {
            m.values().removeIf(cmd::equals);
        }
    }

    // ---- substitution ----

    private PropertyTags tags() {
        if (tags == null) {
            tags = new PropertyTags(properties, this::fillIn);
        }
        return tags;
    }

    /** An operation's command for a family, properties resolved, {@code <family>} filled in. */
    private String operation(String op, String family) throws ActionException {
        try {
            String cmd = tags().replace("<" + op + ">", family);
            if (cmd.equals("<" + op + ">")) {
                return "";
            }
            return cmd;
        } catch (IllegalArgumentException e) {
            throw new ActionException(what() + ": " + op + ": " + e.getMessage(), e);
        }
    }

    /**
     * An operation's command as fail2ban's own resolution gives it: properties and family filled
     * in, nothing else (the tests hold the two side by side).
     */
    String resolvedOperation(String op, String family) throws ActionException {
        String cmd = operation(op, family);
        if (family.isEmpty()) {
            return cmd;
        }
        return DynamicTags.forShell(cmd, t -> t.equals("family") ? family : null, this::fillIn).script();
    }

    /** A start/stop/check/... command: the only dynamic values are the family and the time. */
    private DynamicTags.ShellScript forOperation(String cmd, String family) {
        String now = String.valueOf(clock.millis() / 1000.0);
        Function<String, String> values = tag -> switch (tag) {
            case "family" -> family.isEmpty() ? null : family;
            case "time" -> now;
            case "ip", "fid", "matches", "ipmatches", "ipjailmatches" -> "";
            case "failures", "bancount", "restored", "ipfailures", "ipjailfailures" -> "0";
            default -> null;
        };
        return DynamicTags.forShell(cmd, values, this::fillIn);
    }

    /** The dynamic values of one ban, asked lazily of the server's BanInfo. */
    private Function<String, String> banValues(BanInfo ban, String family) {
        return tag -> {
            String v = ban.tag(tag);
            if (v != null) {
                return v;
            }
            IpAddr ip = ban.ip();
            return switch (tag) {
                case "ip", "fid" -> ban.id();
                case "family" -> family.isEmpty() ? null : family;
                case "restored" -> ban.restored() ? "1" : "0";
                case "ip-rev" -> ip == null ? "" : ip.ptr("");
                default -> tag.startsWith("F-") ? ban.tag("F-" + DynamicTags.mapCapture(tag.substring(2))) : null;
            };
        };
    }

    /** Tags no property or ban defines: line break, space, this host's names. */
    private String fillIn(String tag) {
        switch (tag) {
            case "br":
                return "\n";
            case "sp":
                return " ";
            case "fq-hostname":
                if (hostFq == null) {
                    hostFq = hostname(true);
                }
                return hostFq;
            case "sh-hostname":
                if (hostShort == null) {
                    hostShort = hostname(false);
                }
                return hostShort;
            default:
                return null;
        }
    }

    private static String hostname(boolean fq) {
        try {
            String h = fq ? InetAddress.getLocalHost().getCanonicalHostName() : InetAddress.getLocalHost().getHostName();
            if (!fq) {
                int dot = h.indexOf('.');
                if (dot > 0) {
                    h = h.substring(0, dot);
                }
            }
            return h;
        } catch (IOException e) {
            return "localhost";
        }
    }

    // ---- running ----

    private boolean execute(DynamicTags.ShellScript script) throws ActionException {
        if (script.script().isBlank()) {
            return true;
        }
        Duration timeout = timeout();
        try {
            ProcessRunner.Result r = new ProcessRunner(environment).run(script.argv(), null, timeout);
            if (r.timedOut()) {
                LOG.log(Level.ERROR, "{0}: command timed out after {1} s and was killed: {2}", what(),
                        timeout.toSeconds(), script.script());
                return false;
            }
            if (r.exit() != 0) {
                LOG.log(Level.ERROR, "{0}: command returned {1}: {2}\n{3}", what(), r.exit(), script.script(),
                        r.diagnostic());
                return false;
            }
            LOG.log(Level.DEBUG, "{0}: command succeeded: {1}", what(), script.script());
            return true;
        } catch (IOException e) {
            LOG.log(Level.ERROR, "{0}: cannot run /bin/sh: {1}", what(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionException(what() + ": interrupted", e);
        }
    }

    private Duration timeout() {
        String t = prop("timeout");
        try {
            double s = t.isBlank() ? 60 : TimeSpan.seconds(t);
            return Duration.ofMillis((long) Math.max(1, s * 1000));
        } catch (IllegalArgumentException e) {
            return Duration.ofSeconds(60);
        }
    }

    private BackendContext context() {
        return new BackendContext(jail, name, tags(), shared, clock, new ProcessRunner(environment), timeout());
    }

    // ---- properties ----

    private String prop(String key) {
        String v = properties.get(key);
        return v == null ? "" : v;
    }

    private boolean bool(String key, boolean def) {
        String v = properties.get(key);
        if (v == null || v.isBlank()) {
            return def;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> def;
        };
    }

    private boolean startOnDemand() {
        String v = properties.get("actionstart_on_demand");
        if (v != null && !v.isBlank()) {
            return bool("actionstart_on_demand", false);
        }
        return tags().hasConditional();
    }

    private List<String> families() {
        String v = prop("families");
        if (!v.isBlank()) {
            return List.of(v.strip().split("[\\s,]+"));
        }
        if (tags().hasConditional()) {
            return ipv6Allowed() ? List.of("inet4", "inet6") : List.of("inet4");
        }
        return List.of("");
    }

    private static boolean ipv6Allowed() {
        try {
            return Files.size(Path.of("/proc/net/if_inet6")) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private String holder() {
        return jail + "/" + name;
    }

    private String what() {
        return "jail " + jail + " action " + name;
    }
}
