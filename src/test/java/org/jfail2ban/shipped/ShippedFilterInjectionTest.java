package org.jfail2ban.shipped;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jfail2ban.filter.IpAddr;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * No field a client chooses can make our filters ban another address. For each filter, each
 * line shape its service writes (shapes/NAME.txt) is rendered with an ordinary value in every
 * client-chosen field (our filter must then find the client), and then with forged values:
 * addresses in every form (IPv4, IPv6, IPv4-mapped, in brackets, a host name) alone and behind
 * the words filters anchor on ("from", "rhost=", "client:", "[client", "ip=[", ...), the rest of
 * the real line with another address, and whole forged lines; one field at a time and all at
 * once. Our filter must find the real client or nothing. Every failregex of ours must be hit by
 * some shape. The stock filter of the same name runs on the same lines for comparison only; the
 * counts go to {@code target/shipped-injection.txt}.
 */
class ShippedFilterInjectionTest {

    private static final List<String> FORGED = List.of("192.0.2.66", "2001:db8:66::66", "::ffff:192.0.2.66", "evil.example.net");
    private static final List<String> WRAPPERS = List.of("%s", "[%s]", "(%s)", "<%s>", "\"%s\"", "'%s'", "%s:4444", "[%s]:4444",
            "from %s", "from %s port 4444", "from %s port 4444 ssh2", "from %s port 4444 ssh2:", "from %s:4444", "rhost=%s", "rhost=%s  user=root", "client %s",
            "client: %s", "[client %s]", "[client %s:4444]", "Client \"%s\"", "ip=%s", "ip=[%s]", "rip=%s, lip=192.0.2.1",
            "remote_addr=%s", "host=%s", "H=[%s]", "H=(x) [%s]", "by %s", "@%s", "(?@%s)", "%s]", "%s)", "%s>", "%s'", "%s\"", "%s,", "%s;", "user %s");

    private static final Map<String, String> REPORT = new TreeMap<>();
    private static final Map<String, String> STOCK_EXAMPLES = new TreeMap<>();

    private enum Outcome { REAL, NOTHING, INJECTED }

    /** One rendering of a shape: the values of its forged fields ({@code null}: all ordinary). */
    private record Instance(Map<String, String> forged, String client) {
    }

    @TestFactory
    Stream<DynamicTest> noClientChosenFieldSuppliesTheBannedAddress() {
        return Shipped.FILTERS.stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    private static void check(String name) {
        List<LineShapes.Shape> shapes = LineShapes.of(name);
        Map<Map<String, String>, LoadedFilter> ours = new HashMap<>();
        Map<Map<String, String>, LoadedFilter> stock = new HashMap<>();
        int[] mine = new int[3];
        int[] theirs = new int[3];
        int benign = 0;
        int pid = 1000;
        List<String> problems = new ArrayList<>();
        for (LineShapes.Shape shape : shapes) {
            LoadedFilter our = ours.computeIfAbsent(shape.options(), o -> LoadedFilter.load(Shipped.CONFIG, name, o));
            LoadedFilter their = stock.computeIfAbsent(shape.options(), o -> LoadedFilter.load(Oracle.etc(), name, o));
            for (Instance in : instances(shape)) {
                pid++;
                List<String> lines = shape.render(in.client(), pid, in.forged() == null ? Map.of() : in.forged());
                IpAddr real = IpAddr.parse(in.client());
                Outcome o = outcome(our, lines, real);
                if (in.forged() == null) {
                    benign++;
                    if (o != Outcome.REAL) {
                        problems.add(shape.where() + ": the ordinary line gives " + o + " for " + in.client() + "\n    " + String.join("\n    ", lines));
                    }
                    continue;
                }
                Outcome t = outcome(their, lines, real);
                theirs[t.ordinal()]++;
                if (t == Outcome.INJECTED) {
                    STOCK_EXAMPLES.putIfAbsent(name, String.join(" / ", lines));
                }
                mine[o.ordinal()]++;
                if (o == Outcome.INJECTED && problems.size() < 40) {
                    problems.add(shape.where() + ": forged " + in.forged() + " bans another address than " + in.client() + "\n    "
                            + String.join("\n    ", lines));
                }
            }
        }
        Set<String> hit = new TreeSet<>();
        Set<String> all = new TreeSet<>();
        for (LoadedFilter f : ours.values()) {
            List<String> regex = f.failRegex();
            all.addAll(regex);
            f.usedRegex().forEach(i -> hit.add(regex.get(i)));
        }
        for (String r : all) {
            if (!hit.contains(r)) {
                problems.add("no shape for failregex " + r);
            }
        }
        REPORT.put(name, String.format("%-18s %6d %5d/%-3d %7d %7d %7d %7d %7d %7d %7d %7d", name, shapes.size(), hit.size(), all.size(),
                benign, mine[0] + mine[1] + mine[2], mine[0], mine[1], mine[2], theirs[0], theirs[1], theirs[2]));
        if (!problems.isEmpty()) {
            fail(name + ": " + problems.size() + " problems\n" + String.join("\n", problems));
        }
    }

    /** What the filter made of a shape's lines: the client, nothing, or another address. */
    private static Outcome outcome(LoadedFilter f, List<String> lines, IpAddr real) {
        boolean found = false;
        for (String l : lines) {
            for (LoadedFilter.Hit h : f.feed(l)) {
                if (!IpAddr.parse(h.id()).equals(real)) {
                    return Outcome.INJECTED;
                }
                found = true;
            }
        }
        return found ? Outcome.REAL : Outcome.NOTHING;
    }

    /** The ordinary renderings (one per client form), then the forged ones. */
    private static List<Instance> instances(LineShapes.Shape shape) {
        List<Instance> out = new ArrayList<>();
        for (String c : shape.clients()) {
            out.add(new Instance(null, c));
        }
        Map<String, LineShapes.Field> fields = shape.fields();
        for (String client : shape.clients().subList(0, Math.min(2, shape.clients().size()))) {
            for (String forged : FORGED) {
                Map<String, String> together = new LinkedHashMap<>();
                for (Map.Entry<String, LineShapes.Field> f : fields.entrySet()) {
                    for (String v : forgedValues(shape, f.getKey(), f.getValue().ordinary(), forged)) {
                        if (f.getValue().admits(v)) {
                            out.add(new Instance(Map.of(f.getKey(), v), client));
                        }
                    }
                    for (String rest : shape.after(f.getKey(), forged, 1)) {
                        if (f.getValue().admits(f.getValue().ordinary() + rest)) {
                            together.put(f.getKey(), f.getValue().ordinary() + rest);
                        }
                    }
                }
                if (together.size() > 1) {
                    out.add(new Instance(together, client));
                }
            }
        }
        return out;
    }

    /** Forged values for one field: the forged address in every wrapper, the rest of the line, whole lines. */
    private static Set<String> forgedValues(LineShapes.Shape shape, String field, String ordinary, String forged) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : WRAPPERS) {
            String s = String.format(w, forged);
            out.add(s);
            out.add(ordinary + " " + s);
            out.add(ordinary + s);
            out.add(s + " " + ordinary);
        }
        for (String rest : shape.after(field, forged, 1)) {
            out.add(ordinary + rest);
            out.add(rest);
            out.add(ordinary + rest + " " + ordinary);
            int at = rest.indexOf(forged);
            if (at >= 0) {
                out.add(ordinary + rest.substring(0, at + forged.length()));
            }
        }
        for (String line : shape.linesWith(field, forged, 7)) {
            out.add(line);
            out.add(ordinary + " " + line);
        }
        return out;
    }

    @AfterAll
    static void writeReport() throws IOException {
        StringBuilder sb = new StringBuilder(String.format("%-18s %6s %9s %7s %7s %7s %7s %7s %7s %7s %7s%n", "filter", "shapes", "regexes",
                "plain", "forged", "real", "nothing", "INJECT", "s.real", "s.none", "S.INJ"));
        long[] total = new long[9];
        for (String row : REPORT.values()) {
            sb.append(row).append('\n');
            String[] p = row.trim().split("\\s+");
            total[0] += Long.parseLong(p[1]);
            for (int i = 3; i < p.length; i++) {
                total[i - 2] += Long.parseLong(p[i]);
            }
        }
        sb.append(String.format("%-18s %6d %9s %7d %7d %7d %7d %7d %7d %7d %7d%n", "TOTAL", total[0], "", total[1], total[2], total[3], total[4],
                total[5], total[6], total[7], total[8]));
        sb.append("plain: renderings with ordinary values (ours must find the client); forged: renderings with forged fields;\n"
                + "real/nothing/INJECT: what ours found in those; s.*: what the stock filter found on the same lines\n");
        STOCK_EXAMPLES.forEach((k, v) -> sb.append("stock ").append(k).append(" bans another address than the client on: ").append(v).append('\n'));
        Shipped.report("shipped-injection.txt", sb.toString());
    }
}
