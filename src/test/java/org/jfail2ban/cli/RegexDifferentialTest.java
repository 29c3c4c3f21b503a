package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jfail2ban.filter.DateDetector;
import org.jfail2ban.filter.DateMatch;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Our {@code fail2ban-regex -o '<fid>|<time>|<F-USER>|<ip>'} against the Python tool's, for
 * every stock filter on its sample log: the same lines, in the same order.
 *
 * <p>The time column needs the real date detector; while it is the stub, the time is left out
 * and only filters whose every sample line is cut around its date exactly as fail2ban cuts it
 * must agree (for the others a date decides whether a line matches at all). The agreement per
 * filter goes to {@code target/regex-differential.txt}.
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
        StringBuilder sb = new StringBuilder(String.format("%-24s %6s %6s %-6s %s%n", "filter", "python", "ours", "dates", "agree"));
        int agree = 0;
        int agreeClean = 0;
        int clean = 0;
        for (String l : sorted.values()) {
            sb.append(l).append('\n');
            boolean a = l.endsWith("yes");
            boolean c = l.contains(" exact ");
            agree += a ? 1 : 0;
            clean += c ? 1 : 0;
            agreeClean += a && c ? 1 : 0;
        }
        sb.append(String.format("%d of %d filters agree on fid, F-USER and ip; %d of %d whose dates are cut exactly%n",
                agree, sorted.size(), agreeClean, clean));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/regex-differential.txt"), sb.toString());
        System.out.print(sb);
    }

    private static void compare(String name, Path etc, Path log) throws Exception {
        List<String> args = List.of("-c", etc.toString(), "-o", FORMAT, log.toString(), name);
        // both tools read year-less dates in the same zone: the one this JVM runs in
        Proc.Result py = Oracle.run("fail2ban-regex", args, null,
                Map.of("TZ", java.util.TimeZone.getDefault().getID(), "PYTHONIOENCODING", "utf-8"), null, 300);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = RegexMain.run(args.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err));
        assertEquals(py.exit(), rc, "exit status; stderr: " + err);
        boolean realDates = realDates();
        boolean exact = realDates || datesCutExactly(etc, name, log);
        List<String> want = project(py.out(), realDates);
        List<String> got = project(out.toString(), realDates);
        boolean agree = want.equals(got);
        REPORT.put(name, String.format("%-24s %6d %6d %-6s %s", name, want.size(), got.size(), exact ? "exact" : "stub",
                agree ? "yes" : "no"));
        if (exact) {
            assertEquals(String.join("\n", want), String.join("\n", got), name + ": our fail2ban-regex -o differs");
        }
    }

    /** The lines, without the time column while dates are the stub's. */
    private static List<String> project(String text, boolean withTime) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.isEmpty()) {
                continue;
            }
            String[] p = l.split("\\|", -1);
            out.add(withTime || p.length < 4 ? l : p[0] + "|" + p[2] + "|" + String.join("|", List.of(p).subList(3, p.length)));
        }
        return out;
    }

    /** The real date detector counts its templates' hits; the stub of the foundation lists none. */
    static boolean realDates() {
        DateDetector d = new DateDetector(Clock.systemUTC());
        d.match("Jan  1 00:00:00 host sshd[1]: x");
        return !d.stats().isEmpty();
    }

    /** Whether our date detector cuts every line of the log where fail2ban's does (asked of the oracle). */
    private static boolean datesCutExactly(Path etc, String name, Path log) throws Exception {
        String pattern = null;
        for (RegexFilterReader.Setting s : RegexFilterReader.read(etc, name, Map.of(), "file")) {
            if (s.name().equals("datepattern")) {
                pattern = s.values().get(0);
            }
        }
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (!l.isEmpty() && !l.startsWith("#")) {
                lines.add(l);
            }
        }
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("datepattern", pattern);
        group.put("lines", lines);
        String script;
        try (InputStream s = RegexDifferentialTest.class.getResourceAsStream("date_spans.py")) {
            script = new String(s.readAllBytes(), StandardCharsets.UTF_8);
        }
        Gson gson = new Gson();
        Proc.Result r = Proc.run(List.of(Oracle.python(), "-c", script), null,
                Map.of("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString(), "PYTHONIOENCODING", "utf-8"),
                gson.toJson(List.of(group)), 120).assertOk();
        List<List<List<Double>>> spans = gson.fromJson(r.out(), new TypeToken<List<List<List<Double>>>>() { }.getType());
        DateDetector ours = new DateDetector(Clock.systemUTC());
        ours.setPattern(pattern);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            List<Double> want = spans.get(0).get(i);
            DateMatch got = ours.match(l);
            int ws = want == null ? -1 : l.offsetByCodePoints(0, want.get(0).intValue());
            int we = want == null ? -1 : l.offsetByCodePoints(0, want.get(1).intValue());
            int gs = got == null ? -1 : got.start();
            int ge = got == null ? -1 : got.end();
            if (ws != gs || we != ge) {
                return false;
            }
        }
        return true;
    }
}
