package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Our {@code fail2ban-regex -o '<fid>|<time>|<F-USER>|<ip>'} against the Python tool's, for
 * every stock filter on its sample log: the same lines, in the same order, with the time
 * printed as fail2ban prints it (an int for dates whose zone is known, else a float). A line
 * without a date is stamped "now" by both tools, so a time within the run of the two tools is
 * compared as "now". The agreement per filter goes to {@code target/regex-differential.txt}.
 */
class RegexDifferentialTest {

    private static final String FORMAT = "<fid>|<time>|<F-USER>|<ip>";
    private static final Map<String, String> REPORT = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> sameFailuresAsPython() throws IOException {
        Path etc = Oracle.etc();
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> s = Files.list(etc.resolve("filter.d"))) {
            for (Path f : s.sorted().toList()) {
                String fn = f.getFileName().toString();
                if (!fn.endsWith(".conf") || fn.equals("common.conf")) {
                    continue;
                }
                String name = fn.substring(0, fn.length() - 5);
                Path log = Oracle.sampleLogs().resolve(name);
                if (Files.isRegularFile(log)) {
                    tests.add(DynamicTest.dynamicTest(name, () -> compare(name, etc, log)));
                }
            }
        }
        return tests.stream();
    }

    @AfterAll
    static void writeReport() throws IOException {
        Map<String, String> sorted = new TreeMap<>(REPORT);
        StringBuilder sb = new StringBuilder(String.format("%-24s %6s %6s %6s %s%n", "filter", "python", "ours", "now", "agree"));
        int agree = 0;
        for (String l : sorted.values()) {
            sb.append(l).append('\n');
            agree += l.endsWith("yes") ? 1 : 0;
        }
        sb.append(String.format("%d of %d filters agree on fid, time, F-USER and ip%n", agree, sorted.size()));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/regex-differential.txt"), sb.toString());
        System.out.print(sb);
    }

    private static void compare(String name, Path etc, Path log) throws Exception {
        List<String> args = List.of("-c", etc.toString(), "-o", FORMAT, log.toString(), name);
        double from = System.currentTimeMillis() / 1000.0 - 1;
        // both tools read year-less dates in the same zone: the one this JVM runs in
        Proc.Result py = Oracle.run("fail2ban-regex", args, null,
                Map.of("TZ", java.util.TimeZone.getDefault().getID(), "PYTHONIOENCODING", "utf-8"), null, 300);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = RegexMain.run(args.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err));
        double to = System.currentTimeMillis() / 1000.0 + 1;
        assertEquals(py.exit(), rc, "exit status; stderr: " + err);
        int[] now = {0};
        List<String> want = project(py.out(), from, to, now);
        List<String> got = project(out.toString(), from, to, new int[1]);
        boolean agree = want.equals(got);
        REPORT.put(name, String.format("%-24s %6d %6d %6d %s", name, want.size(), got.size(), now[0], agree ? "yes" : "no"));
        assertEquals(String.join("\n", want), String.join("\n", got), name + ": our fail2ban-regex -o differs");
    }

    /** The lines, with a time inside [from, to] (a line stamped now) written as "now". */
    private static List<String> project(String text, double from, double to, int[] nowCount) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.isEmpty()) {
                continue;
            }
            String[] p = l.split("\\|", -1);
            if (p.length >= 4) {
                try {
                    double t = Double.parseDouble(p[1]);
                    if (t >= from && t <= to) {
                        p[1] = "now";
                        nowCount[0]++;
                        l = String.join("|", p);
                    }
                } catch (NumberFormatException e) {
                    // not a time: compared as it is
                }
            }
            out.add(l);
        }
        return out;
    }
}
