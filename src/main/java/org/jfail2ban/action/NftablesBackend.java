package org.jfail2ban.action;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfail2ban.filter.IpAddr;

/**
 * Bans in nftables sets, without a shell: per jail a set for IPv4 and one for IPv6
 * ({@code addr-set-NAME}, {@code addr6-set-NAME}) with per-element timeouts, and rules that
 * drop or reject their members for the jail's ports, in a table and chain that jails may share
 * ({@code f2b-table}, {@code f2b-chain}). Set lookups are hashed, so the cost of a packet does
 * not grow with the number of banned addresses. Every start, stop, batch of bans and batch of
 * unbans is one {@code nft -f -} transaction.
 *
 * <p>Ownership: the table and chain this backend creates carry the comment {@value #MARK}; the
 * sets and the rules that refer to them belong to the jail by name. Stop removes the jail's rules
 * and sets, the chain when it is ours and empty, the table when it is ours and nothing else is
 * left in it, and never anything else.
 */
final class NftablesBackend implements Backend {

    static final String MARK = "jfail2ban";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");
    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern PRIORITY = Pattern.compile("-?\\d+|[a-z]+(?: ?[+-] ?\\d+)?");
    private static final Pattern BLOCKTYPE = Pattern.compile("[A-Za-z0-9_ \\-]+");
    private static final Pattern PORT = Pattern.compile("[A-Za-z0-9_\\-]+(?:[:\\-][A-Za-z0-9_\\-]+)?");
    private static final Pattern LIST_SEP = Pattern.compile("[,\\s]+");
    private static final Pattern HANDLE = Pattern.compile("# handle (\\d+)\\s*$");
    private static final Pattern OBJECT = Pattern.compile("^(\\w+) (\\S+) \\{.*$");
    private static final Pattern COMMENT = Pattern.compile("^comment \"(.*)\"$");
    private static final int CHUNK = 2000;

    /** One address family's set and rule parts. */
    private record Family(String tag, String set, String addrType, String match, String blocktype) {
    }

    private final BackendContext ctx;
    private final List<String> nft;
    private final String tableFamily;
    private final String table;
    private final String chain;
    private final String chainSpec;
    private final List<String> ruleMatches;
    private final Map<String, Family> families = new LinkedHashMap<>();
    /** What this backend put in each set and has not removed; a hint, corrected on failure. */
    private final Map<String, Set<String>> present = new LinkedHashMap<>();
    private final ReentrantLock tableLock;

    NftablesBackend(BackendContext ctx) throws ActionException {
        this.ctx = ctx;
        this.nft = ctx.program("nftables", "", "nft");
        this.tableFamily = ctx.checked("table_family", "", "inet", Pattern.compile("inet|ip|ip6"));
        this.table = ctx.checked("table", "", "f2b-table", NAME);
        this.chain = ctx.checked("chain", "", "f2b-chain", NAME);
        String type = ctx.checked("chain_type", "", "filter", WORD);
        String hook = ctx.checked("chain_hook", "", "input", WORD);
        String prio = ctx.checked("chain_priority", "", "-1", PRIORITY);
        this.chainSpec = "{ type " + type + " hook " + hook + " priority " + prio + " ; comment \"" + MARK + "\" ; }";
        this.ruleMatches = ruleMatches(ctx);
        String name = ctx.checked("name", "", ctx.jail(), NAME);
        if (!tableFamily.equals("ip6")) {
            families.put("inet4", new Family("inet4", ctx.checked("addr_set", "inet4", "addr-set-" + name, NAME),
                    "ipv4_addr", "ip", ctx.checked("blocktype", "inet4", "reject", BLOCKTYPE)));
        }
        if (!tableFamily.equals("ip")) {
            families.put("inet6", new Family("inet6", ctx.checked("addr_set", "inet6", "addr6-set-" + name, NAME),
                    "ipv6_addr", "ip6", ctx.checked("blocktype", "inet6", "reject", BLOCKTYPE)));
        }
        for (Family f : families.values()) {
            present.put(f.tag(), new HashSet<>());
        }
        this.tableLock = ctx.shared().lock("nftables:" + String.join(" ", nft) + ":" + tableFamily + " " + table);
    }

    private static List<String> ruleMatches(BackendContext ctx) throws ActionException {
        String type = ctx.checked("type", "", "multiport", Pattern.compile("multiport|allports"));
        List<String> protocols = new ArrayList<>();
        for (String p : LIST_SEP.split(ctx.get("protocol", "tcp"))) {
            if (!p.isEmpty()) {
                if (!WORD.matcher(p).matches()) {
                    throw new ActionException(ctx.what() + ": invalid protocol '" + p + "'");
                }
                protocols.add(p);
            }
        }
        if (protocols.isEmpty()) {
            throw new ActionException(ctx.what() + ": no protocol");
        }
        if (type.equals("allports")) {
            return List.of("meta l4proto { " + String.join(", ", protocols) + " }");
        }
        List<String> ports = new ArrayList<>();
        for (String p : LIST_SEP.split(ctx.get("port", "ssh"))) {
            if (p.isEmpty()) {
                continue;
            }
            if (!PORT.matcher(p).matches()) {
                throw new ActionException(ctx.what() + ": invalid port '" + p + "'");
            }
            ports.add(p.replace(':', '-'));
        }
        if (ports.isEmpty()) {
            throw new ActionException(ctx.what() + ": no port");
        }
        List<String> out = new ArrayList<>();
        for (String proto : protocols) {
            out.add(proto + " dport { " + String.join(", ", ports) + " }");
        }
        return out;
    }

    // ---- start and stop ----

    @Override
    public void start() throws ActionException {
        tableLock.lock();
        try {
            Listing l = list();
            StringBuilder b = new StringBuilder();
            if (!l.exists) {
                b.append("add table ").append(tableFamily).append(' ').append(table)
                        .append(" { comment \"").append(MARK).append("\" ; }\n");
            }
            if (!l.chains.containsKey(chain)) {
                b.append("add chain ").append(prefix()).append(chain).append(' ').append(chainSpec).append('\n');
            }
            for (Family f : families.values()) {
                // rules left by an earlier run of this jail go first, then the set is made right
                for (Rule r : l.rulesReferring(f.set())) {
                    b.append("delete rule ").append(prefix()).append(r.chain()).append(" handle ").append(r.handle())
                            .append('\n');
                }
                SetInfo s = l.sets.get(f.set());
                if (s != null && !(s.type().equals(f.addrType()) && s.flags().contains("timeout"))) {
                    b.append("delete set ").append(prefix()).append(f.set()).append('\n');
                    s = null;
                }
                if (s == null) {
                    b.append("add set ").append(prefix()).append(f.set()).append(" { type ").append(f.addrType())
                            .append(" ; flags timeout ; }\n");
                }
            }
            for (Family f : families.values()) {
                for (String m : ruleMatches) {
                    b.append("add rule ").append(prefix()).append(chain).append(' ').append(m).append(' ')
                            .append(f.match()).append(" saddr @").append(f.set()).append(' ').append(f.blocktype())
                            .append('\n');
                }
            }
            ctx.runOk(BackendContext.concat(nft, "-f", "-"), b.toString(), "start");
            present.values().forEach(Set::clear);
        } finally {
            tableLock.unlock();
        }
    }

    @Override
    public void stop() throws ActionException {
        tableLock.lock();
        try {
            Listing l = list();
            present.values().forEach(Set::clear);
            if (!l.exists) {
                return;
            }
            Set<String> ours = new HashSet<>();
            families.values().forEach(f -> ours.add(f.set()));
            List<Rule> ourRules = new ArrayList<>();
            for (String s : ours) {
                ourRules.addAll(l.rulesReferring(s));
            }
            boolean chainGoes = false;
            ChainInfo c = l.chains.get(chain);
            if (c != null && MARK.equals(c.comment)) {
                chainGoes = ourRules.containsAll(c.rules);
            }
            boolean tableGoes = MARK.equals(l.comment) && l.others == 0 && ours.containsAll(l.sets.keySet());
            for (ChainInfo other : l.chains.values()) {
                if (!(other.name.equals(chain) && chainGoes)) {
                    tableGoes = false;
                }
            }
            StringBuilder b = new StringBuilder();
            if (tableGoes) {
                b.append("delete table ").append(tableFamily).append(' ').append(table).append('\n');
            } else {
                for (Rule r : ourRules) {
                    b.append("delete rule ").append(prefix()).append(r.chain()).append(" handle ").append(r.handle())
                            .append('\n');
                }
                for (String s : ours) {
                    if (l.sets.containsKey(s)) {
                        b.append("delete set ").append(prefix()).append(s).append('\n');
                    }
                }
                if (chainGoes) {
                    b.append("delete chain ").append(prefix()).append(chain).append('\n');
                }
            }
            if (b.length() > 0) {
                ctx.runOk(BackendContext.concat(nft, "-f", "-"), b.toString(), "stop");
            }
        } finally {
            tableLock.unlock();
        }
    }

    // ---- bans ----

    @Override
    public void banAll(List<BanInfo> bans) throws ActionException {
        List<String> bad = new ArrayList<>();
        Map<String, Map<String, Long>> byFamily = sort(bans, bad, true);
        if (!byFamily.isEmpty()) {
            String script = banScript(byFamily, null);
            ProcessRunner.Result r = ctx.run(BackendContext.concat(nft, "-f", "-"), script);
            if (!r.ok()) {
                // the sets may have lost elements (timeouts) or be gone: look, repair, retry once
                Map<String, Set<String>> now = currentElements();
                if (now == null) {
                    start();
                    now = new LinkedHashMap<>();
                }
                ctx.runOk(BackendContext.concat(nft, "-f", "-"), banScript(byFamily, now), "ban");
            }
            byFamily.forEach((fam, addrs) -> present.get(fam).addAll(addrs.keySet()));
        }
        failIfBad(bad, "ban");
    }

    @Override
    public void unbanAll(List<BanInfo> bans) throws ActionException {
        List<String> bad = new ArrayList<>();
        Map<String, Map<String, Long>> byFamily = sort(bans, bad, false);
        if (!byFamily.isEmpty()) {
            ProcessRunner.Result r = ctx.run(BackendContext.concat(nft, "-f", "-"), unbanScript(byFamily, null));
            if (!r.ok()) {
                Map<String, Set<String>> now = currentElements();
                if (now != null) {
                    String script = unbanScript(byFamily, now);
                    if (!script.isEmpty()) {
                        ctx.runOk(BackendContext.concat(nft, "-f", "-"), script, "unban");
                    }
                }
                // no sets at all: nothing is banned, which is what was asked
            }
            byFamily.forEach((fam, addrs) -> present.get(fam).removeAll(addrs.keySet()));
        }
        failIfBad(bad, "unban");
    }

    @Override
    public boolean flush() throws ActionException {
        StringBuilder b = new StringBuilder();
        for (Family f : families.values()) {
            b.append("flush set ").append(prefix()).append(f.set()).append('\n');
        }
        ctx.runOk(BackendContext.concat(nft, "-f", "-"), b.toString(), "flush");
        present.values().forEach(Set::clear);
        return true;
    }

    /** Bans by family: address -> remaining seconds (-1 forever); unusable ids go to {@code bad}. */
    private Map<String, Map<String, Long>> sort(List<BanInfo> bans, List<String> bad, boolean withTime) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (BanInfo ban : bans) {
            IpAddr ip = Bans.address(ban);
            Family f = ip == null ? null : families.get(ip.family().tag());
            if (f == null || !ip.isSingle()) {
                bad.add(ban.id());
                continue;
            }
            out.computeIfAbsent(f.tag(), k -> new LinkedHashMap<>())
                    .put(ip.toString(), withTime ? Bans.remaining(ban, ctx.clock()) : 0L);
        }
        return out;
    }

    private void failIfBad(List<String> bad, String op) throws ActionException {
        if (!bad.isEmpty()) {
            throw new ActionException(ctx.what() + ": cannot " + op + " " + bad
                    + ": not a single address of a family table " + tableFamily + " " + table + " holds");
        }
    }

    /**
     * The batch that adds the addresses. An address already in the set is deleted first, so
     * that its timeout restarts from the new ban (the kernel keeps the old one on a plain add).
     *
     * @param now the sets' actual elements, or null to trust {@link #present}
     */
    private String banScript(Map<String, Map<String, Long>> byFamily, Map<String, Set<String>> now) {
        StringBuilder b = new StringBuilder(byFamily.size() * 64 + 48 * count(byFamily));
        for (Map.Entry<String, Map<String, Long>> e : byFamily.entrySet()) {
            Family f = families.get(e.getKey());
            Set<String> in = now == null ? present.get(f.tag()) : now.getOrDefault(f.set(), Set.of());
            List<String> again = new ArrayList<>();
            for (String a : e.getValue().keySet()) {
                if (in.contains(a)) {
                    again.add(a);
                }
            }
            appendElements(b, "delete element ", f, again, null);
            appendElements(b, "add element ", f, new ArrayList<>(e.getValue().keySet()), e.getValue());
        }
        return b.toString();
    }

    /** The batch that removes the addresses; with {@code now}, only those really there. */
    private String unbanScript(Map<String, Map<String, Long>> byFamily, Map<String, Set<String>> now) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Map<String, Long>> e : byFamily.entrySet()) {
            Family f = families.get(e.getKey());
            List<String> addrs = new ArrayList<>(e.getValue().keySet());
            if (now != null) {
                addrs.retainAll(now.getOrDefault(f.set(), Set.of()));
            }
            appendElements(b, "delete element ", f, addrs, null);
        }
        return b.toString();
    }

    private void appendElements(StringBuilder b, String verb, Family f, List<String> addrs, Map<String, Long> timeouts) {
        for (int from = 0; from < addrs.size(); from += CHUNK) {
            b.append(verb).append(prefix()).append(f.set()).append(" { ");
            int to = Math.min(addrs.size(), from + CHUNK);
            for (int i = from; i < to; i++) {
                if (i > from) {
                    b.append(", ");
                }
                String a = addrs.get(i);
                b.append(a);
                long t = timeouts == null ? -1 : timeouts.get(a);
                if (t > 0) {
                    b.append(" timeout ").append(t).append('s');
                }
            }
            b.append(" }\n");
        }
    }

    private static int count(Map<String, Map<String, Long>> m) {
        int n = 0;
        for (Map<String, Long> v : m.values()) {
            n += v.size();
        }
        return n;
    }

    /** The elements of the jail's sets as the kernel has them now; null when a set is missing. */
    private Map<String, Set<String>> currentElements() throws ActionException {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Family f : families.values()) {
            ProcessRunner.Result r = ctx.run(BackendContext.concat(nft, "-j", "list", "set", tableFamily, table, f.set()),
                    null);
            if (!r.ok()) {
                return null;
            }
            out.put(f.set(), parseElements(r.out()));
        }
        return out;
    }

    /** Addresses in a {@code nft -j list set} answer, normalised. */
    static Set<String> parseElements(String json) {
        Set<String> out = new HashSet<>();
        JsonElement root = JsonParser.parseString(json);
        JsonArray items = root.getAsJsonObject().getAsJsonArray("nftables");
        for (JsonElement item : items) {
            JsonObject set = item.getAsJsonObject().getAsJsonObject("set");
            if (set == null || !set.has("elem")) {
                continue;
            }
            for (JsonElement e : set.getAsJsonArray("elem")) {
                String v = null;
                if (e.isJsonPrimitive()) {
                    v = e.getAsString();
                } else if (e.isJsonObject() && e.getAsJsonObject().has("elem")) {
                    JsonElement val = e.getAsJsonObject().getAsJsonObject("elem").get("val");
                    if (val != null && val.isJsonPrimitive()) {
                        v = val.getAsString();
                    }
                }
                IpAddr ip = v == null ? null : IpAddr.parseOrNull(v);
                if (ip != null) {
                    out.add(ip.toString());
                }
            }
        }
        return out;
    }

    private String prefix() {
        return tableFamily + " " + table + " ";
    }

    // ---- reading the table ----

    private record Rule(String chain, long handle, String text) {
    }

    private record SetInfo(String name, String type, String flags) {
    }

    private static final class ChainInfo {
        final String name;
        String comment;
        final List<Rule> rules = new ArrayList<>();

        ChainInfo(String name) {
            this.name = name;
        }
    }

    /** A table as {@code nft -t -a list table} shows it. */
    static final class Listing {
        boolean exists;
        String comment;
        final Map<String, ChainInfo> chains = new LinkedHashMap<>();
        final Map<String, SetInfo> sets = new LinkedHashMap<>();
        /** Objects other than chains and sets (maps, counters, flowtables ...). */
        int others;

        List<Rule> rulesReferring(String set) {
            Pattern ref = Pattern.compile("@" + Pattern.quote(set) + "(?![A-Za-z0-9_.\\-])");
            List<Rule> out = new ArrayList<>();
            for (ChainInfo c : chains.values()) {
                for (Rule r : c.rules) {
                    if (ref.matcher(r.text()).find()) {
                        out.add(r);
                    }
                }
            }
            return out;
        }

        boolean hasChain(String name) {
            return chains.containsKey(name);
        }
    }

    private Listing list() throws ActionException {
        ProcessRunner.Result r = ctx.run(BackendContext.concat(nft, "-t", "-a", "list", "table", tableFamily, table), null);
        if (!r.ok()) {
            if (r.err().contains("No such file or directory")) {
                return new Listing();
            }
            throw new ActionException(ctx.what() + ": cannot list table " + tableFamily + " " + table + ": "
                    + r.diagnostic());
        }
        return parseListing(r.out());
    }

    /** Parses {@code nft -t -a list table} text. */
    static Listing parseListing(String text) {
        Listing l = new Listing();
        String kind = null;
        String objName = null;
        for (String raw : text.split("\n")) {
            int depth = 0;
            while (depth < raw.length() && raw.charAt(depth) == '\t') {
                depth++;
            }
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (depth == 0) {
                if (line.startsWith("table ")) {
                    l.exists = true;
                }
                continue;
            }
            if (depth == 1) {
                Matcher cm = COMMENT.matcher(line);
                if (kind == null && cm.matches()) {
                    l.comment = cm.group(1);
                    continue;
                }
                if (line.equals("}")) {
                    kind = null;
                    continue;
                }
                Matcher om = OBJECT.matcher(line);
                if (om.matches()) {
                    kind = om.group(1);
                    objName = om.group(2);
                    switch (kind) {
                        case "chain" -> l.chains.put(objName, new ChainInfo(objName));
                        case "set" -> l.sets.put(objName, new SetInfo(objName, "", ""));
                        default -> l.others++;
                    }
                }
                continue;
            }
            if (kind == null) {
                continue;
            }
            if (kind.equals("chain")) {
                ChainInfo c = l.chains.get(objName);
                Matcher cm = COMMENT.matcher(line);
                Matcher hm = HANDLE.matcher(line);
                if (cm.matches()) {
                    c.comment = cm.group(1);
                } else if (hm.find() && !line.startsWith("type ")) {
                    c.rules.add(new Rule(objName, Long.parseLong(hm.group(1)), line.substring(0, hm.start()).strip()));
                }
            } else if (kind.equals("set")) {
                SetInfo s = l.sets.get(objName);
                if (line.startsWith("type ")) {
                    l.sets.put(objName, new SetInfo(objName, line.substring(5).strip(), s.flags()));
                } else if (line.startsWith("flags ")) {
                    l.sets.put(objName, new SetInfo(objName, s.type(), line.substring(6).strip()));
                }
            }
        }
        return l;
    }
}
