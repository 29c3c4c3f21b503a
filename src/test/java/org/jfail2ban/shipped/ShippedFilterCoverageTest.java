package org.jfail2ban.shipped;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each filter we ship catches every failure the stock filter of the same name catches on
 * fail2ban's sample log for that service (the same line, the same ban id, the same user where
 * the stock filter captures one), and nothing on the lines the sample marks as no match that
 * the stock filter leaves alone. Both filters run in our engine, fed the same lines in the same
 * order with the sample's option sets; the counts per filter go to
 * {@code target/shipped-coverage.txt}.
 */
class ShippedFilterCoverageTest {

    private static final Map<String, String> REPORT = new TreeMap<>();

    /**
     * Lines where our filter gives another user than the stock one, on purpose: sample line
     * (file:line) -> the user ours must give, and why.
     */
    private static final Map<String, String[]> OTHER_USER = Map.of(
            "sshd:142", new String[] {"test from 10.10.1.2 port 55555 ssh2",
                "sshd writes 'Failed password for invalid user NAME from ADDR'; the stock filter takes 'invalid user' into the name"},
            "sshd-journal:143", new String[] {"test from 10.10.1.2 port 55555 ssh2", "as sshd:142"},
            "apache-auth:36", new String[] {"username",
                "Apache writes 'user NAME: authentication failure'; the stock filter takes the colon into the name"},
            "apache-auth:39", new String[] {"username", "as apache-auth:36"},
            "apache-auth:66", new String[] {"username", "as apache-auth:36, for 'authorization failure'"});

    /**
     * Lines where our filter bans another address than the stock one, on purpose: sample line
     * -> the address and user ours must give, and why.
     */
    private static final Map<String, String[]> OTHER_CLIENT = Map.of(
            "sshd:144", new String[] {"10.10.1.2", "test from 127.0.0.1 port 58946 ssh2:",
                "after a password sshd writes no key info, so the last address is the client's and the rest is the user"
                + " name; the stock filter bans the address inside the name"},
            "sshd-journal:145", new String[] {"10.10.1.2", "test from 127.0.0.1 port 58946 ssh2:", "as sshd:144"},
            "pam-generic:23", new String[] {"192.0.2.152", null,
                "pam_unix writes 'user=' with an account name, one word, so 'user=test rhost=192.0.2.152' is the end of the"
                + " remote user the client chose; the stock filter bans the address inside it"});

    @TestFactory
    Stream<DynamicTest> ourFiltersCatchWhatTheStockFiltersCatch() {
        return Shipped.FILTERS.stream().map(name -> DynamicTest.dynamicTest(name, () -> compare(name)));
    }

    private static void compare(String name) throws IOException {
        Path stockDir = Oracle.etc();
        List<SampleLog.Entry> entries = SampleLog.read(Oracle.sampleLogs(), name);
        // one filter per option set, kept across the file as fail2ban's test keeps them
        Map<Map<String, String>, LoadedFilter> stock = new HashMap<>();
        Map<Map<String, String>, LoadedFilter> ours = new HashMap<>();
        int checks = 0;
        int stockFailures = 0;
        int ourFailures = 0;
        List<String> missed = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<String> extraOnIgnored = new ArrayList<>();
        for (SampleLog.Entry e : entries) {
            for (Map<String, String> opts : e.optionSets()) {
                Object constraint = e.expected() == null ? null : e.expected().get("constraint");
                if (constraint != null && !SampleLog.holds((String) constraint, name, opts)) {
                    continue;
                }
                checks++;
                List<LoadedFilter.Hit> theirs = stock.computeIfAbsent(opts, o -> LoadedFilter.load(stockDir, name, o)).feed(e.line());
                List<LoadedFilter.Hit> mine = ours.computeIfAbsent(opts,
                        o -> LoadedFilter.load(Shipped.CONFIG, name, Shipped.ourOptions(name, o))).feed(e.line());
                stockFailures += theirs.isEmpty() ? 0 : 1;
                ourFailures += mine.isEmpty() ? 0 : 1;
                String where = e.where() + " " + opts + ": ";
                String[] otherUser = OTHER_USER.get(e.where());
                if (otherUser != null) {
                    theirs = theirs.stream().map(h -> new LoadedFilter.Hit(h.id(), otherUser[0], h.failRegex())).toList();
                }
                String[] otherClient = OTHER_CLIENT.get(e.where());
                if (otherClient != null) {
                    theirs = theirs.stream().map(h -> new LoadedFilter.Hit(otherClient[0], otherClient[1], h.failRegex())).toList();
                }
                if (!theirs.isEmpty() && !sameFailures(theirs, mine)) {
                    missed.add(where + "stock " + theirs + ", ours " + mine + "\n    " + e.line());
                } else if (theirs.isEmpty() && !mine.isEmpty()) {
                    (e.annotatedNoMatch() ? extraOnIgnored : extra).add(where + "ours " + mine + "\n    " + e.line());
                }
            }
        }
        REPORT.put(name, String.format("%-18s %6d %6d %6d %6d %6d %8d", name, checks, stockFailures, ourFailures, missed.size(),
                extra.size() + extraOnIgnored.size(), extraOnIgnored.size()));
        assertTrue(stockFailures > 0, name + ": the stock filter found nothing in its sample log: the test reads it wrong");
        if (!missed.isEmpty() || !extraOnIgnored.isEmpty()) {
            StringBuilder sb = new StringBuilder(name + ": " + missed.size() + " missed, " + extraOnIgnored.size()
                    + " matched on lines the sample marks as no match");
            missed.forEach(m -> sb.append("\n missed ").append(m));
            extraOnIgnored.forEach(m -> sb.append("\n extra on ignored line ").append(m));
            fail(sb.toString());
        }
    }

    /** The same ban ids in the same order, and the stock filter's users where it has them. */
    private static boolean sameFailures(List<LoadedFilter.Hit> theirs, List<LoadedFilter.Hit> mine) {
        if (theirs.size() != mine.size()) {
            return false;
        }
        for (int i = 0; i < theirs.size(); i++) {
            LoadedFilter.Hit t = theirs.get(i);
            LoadedFilter.Hit m = mine.get(i);
            if (!t.id().equals(m.id()) || (t.user() != null && !Objects.equals(t.user(), m.user()))) {
                return false;
            }
        }
        return true;
    }

    @AfterAll
    static void writeReport() throws IOException {
        StringBuilder sb = new StringBuilder(String.format("%-18s %6s %6s %6s %6s %6s %8s%n", "filter", "checks", "stock", "ours",
                "missed", "extra", "ignored"));
        int[] total = new int[6];
        for (String row : REPORT.values()) {
            sb.append(row).append('\n');
            String[] p = row.trim().split("\\s+");
            for (int i = 0; i < total.length; i++) {
                total[i] += Integer.parseInt(p[i + 1]);
            }
        }
        sb.append(String.format("%-18s %6d %6d %6d %6d %6d %8d%n", "TOTAL", total[0], total[1], total[2], total[3], total[4], total[5]));
        OTHER_USER.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(
                String.format("user differs on purpose at %s: ours '%s': %s%n", e.getKey(), e.getValue()[0], e.getValue()[1])));
        OTHER_CLIENT.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(
                String.format("address differs on purpose at %s: ours %s: %s%n", e.getKey(), e.getValue()[0], e.getValue()[2])));
        sb.append("checks: sample lines times option sets; stock/ours: checks with a failure; missed: stock failures ours does\n"
                + "not give alike; extra: failures only ours finds; ignored: of those, on lines the sample marks as no match\n");
        Shipped.report("shipped-coverage.txt", sb.toString());
    }
}
