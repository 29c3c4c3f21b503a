package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.filter.IpAddr;
import org.jfail2ban.testing.FilterSetup;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * fail2ban's samples test, run on our filter: every stock filter against its annotated sample
 * log, with the same rules ({@code failJSON}, {@code filterOptions}, {@code fileOptions},
 * {@code addFILE}, {@code constraint}, {@code test.condition}, journal lines), the clock at
 * 2005-08-14 12:00:00 CEST and the zone CET/CEST. Checks match or no match, the id, every named
 * field, the time, and that each failregex has a sample.
 *
 * <p>A failure is counted as caused by dates when fail2ban's own date detector cuts the line
 * elsewhere or dates it otherwise than ours did (asked of the oracle). While the date detector
 * is the stub of the foundation (it lists no templates), only the other failures fail a test;
 * once the real one is in, every failure does. The counts per filter go to
 * {@code target/samples-report.txt}.
 */
class RegexSamplesTest {

    static final long TEST_NOW = 1124013600L;
    private static final String TEST_NOW_STR = "2005-08-14T10:00:00";
    private static final ZoneId ZONE = ZoneId.of("CET");
    /** The regexes of Python's strptime for %Y-%m-%dT%H:%M:%S and an optional .%f, tried in the same order. */
    private static final Pattern SAMPLE_TIME = Pattern.compile("(\\d\\d\\d\\d)-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])"
            + "T(2[0-3]|[01]\\d|\\d):([0-5]\\d|\\d):(6[01]|[0-5]\\d|\\d)(?:\\.([0-9]{1,6}))?", Pattern.CASE_INSENSITIVE);
    static final Pattern ANNOTATION = Pattern.compile("#+ ?(failJSON|(?:file|filter)Options|addFILE):(.+)");
    private static final Map<String, String> REPORT = new TreeMap<>();
    private static final List<Path> TEMP = new ArrayList<>();

    /** A filter built for one option combination, with the failregexes its samples used. */
    static final class Built {
        final Filter filter;
        final String datePattern;
        final Set<Integer> used = new HashSet<>();

        Built(Filter filter, String datePattern) {
            this.filter = filter;
            this.datePattern = datePattern;
        }
    }

    /** A check that went wrong, with what is needed to see whether dates caused it. */
    private record Problem(String message, String datePattern, String line, String ourStripped, Instant ourTime, boolean journal) {
    }

    @TestFactory
    Stream<DynamicTest> everyStockFilterAgainstItsSamples() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        Path stock = Oracle.etc();
        Path testConfig = Oracle.pythonPackage().resolve("tests/config");
        for (Path base : List.of(stock, testConfig)) {
            try (Stream<Path> s = Files.list(base.resolve("filter.d"))) {
                for (Path f : s.sorted().toList()) {
                    String fn = f.getFileName().toString();
                    boolean take = base == stock ? fn.endsWith(".conf") && !fn.endsWith("common.conf")
                            : fn.startsWith("zzz-") && fn.endsWith(".conf");
                    if (take && !fn.startsWith(".")) {
                        String name = fn.substring(0, fn.length() - 5);
                        Path dir = base == stock ? base : testFilterDir(f, stock);
                        tests.add(DynamicTest.dynamicTest(name, () -> runSamples(name, dir)));
                    }
                }
            }
        }
        return tests.stream();
    }

    /**
     * fail2ban's test filters include common.conf by a path that holds only in fail2ban's source
     * tree; a copy next to the stock common.conf lets them be read as fail2ban's tests read them.
     */
    private static Path testFilterDir(Path filter, Path stock) throws IOException {
        Path dir = Files.createTempDirectory("jf2b-filter-samples");
        Files.createDirectories(dir.resolve("filter.d"));
        Files.copy(stock.resolve("filter.d/common.conf"), dir.resolve("filter.d/common.conf"));
        String text = Files.readString(filter).replaceAll("(?m)^before = .*common\\.conf$", "before = common.conf");
        Files.writeString(dir.resolve("filter.d").resolve(filter.getFileName()), text);
        TEMP.add(dir);
        return dir;
    }

    @AfterAll
    static void writeReport() throws IOException {
        for (Path d : TEMP) {
            try (Stream<Path> s = Files.walk(d)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        StringBuilder sb = new StringBuilder(String.format("%-28s %7s %7s %7s %7s%n", "filter", "checks", "passed", "dates", "other"));
        int[] tot = new int[4];
        for (String line : REPORT.values()) {
            sb.append(line).append('\n');
            String[] p = line.trim().split("\\s+");
            for (int i = 0; i < 4; i++) {
                tot[i] += Integer.parseInt(p[i + 1]);
            }
        }
        sb.append(String.format("%-28s %7d %7d %7d %7d%n", "TOTAL", tot[0], tot[1], tot[2], tot[3]));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/samples-report.txt"), sb.toString());
        System.out.print(sb);
    }

    private void runSamples(String name, Path basedir) throws Exception {
        Path logs = Oracle.sampleLogs();
        assertTrue(Files.isRegularFile(logs.resolve(name)), "No sample log file available for '" + name + "' filter");
        Map<String, Built> filters = new LinkedHashMap<>();
        Set<String> usedRegex = new HashSet<>();
        List<Problem> problems = new ArrayList<>();
        int checks = 0;
        boolean realDates = false;

        List<String> files = new ArrayList<>(List.of(name));
        Map<String, Object> common = new LinkedHashMap<>();
        List<Object[]> tests = null; // {fltName, Built, opts}
        for (int fi = 0; fi < files.size(); fi++) {
            List<String> lines = readLines(logs.resolve(files.get(fi)));
            boolean ignoreBlock = false;
            Map<String, Object> faildata = Map.of();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher a = ANNOTATION.matcher(line);
                if (a.matches()) {
                    Object json = new Gson().fromJson(a.group(2), Object.class);
                    switch (a.group(1)) {
                        case "fileOptions":
                            common = asMap(json);
                            continue;
                        case "filterOptions": {
                            tests = new ArrayList<>();
                            ignoreBlock = false;
                            List<Object> all = json instanceof List ? asList(json) : List.of(json);
                            for (Object one : all) {
                                Map<String, Object> opts = new LinkedHashMap<>(common);
                                opts.putAll(asMap(one));
                                if (opts.get("test.condition") != null) {
                                    ignoreBlock = !eval((String) opts.get("test.condition"), name, opts);
                                }
                                if (!ignoreBlock) {
                                    Map<String, String> fltOpts = new LinkedHashMap<>();
                                    opts.forEach((k, v) -> {
                                        if (!k.startsWith("test.")) {
                                            fltOpts.put(k, String.valueOf(v));
                                        }
                                    });
                                    String fltName = (String) opts.get("test.filter-name");
                                    if (fltName == null) {
                                        fltName = fltOpts.isEmpty() ? "" : pyDict(fltOpts);
                                    }
                                    fltName = name + fltName;
                                    Built b = filters.get(fltName);
                                    if (b == null) {
                                        b = build(name, basedir, fltOpts);
                                        filters.put(fltName, b);
                                    }
                                    tests.add(new Object[] {fltName, b, opts});
                                }
                            }
                            continue;
                        }
                        case "addFILE":
                            files.add((String) json);
                            continue;
                        default:
                            faildata = asMap(json);
                            i++;
                            line = i < lines.size() ? lines.get(i) : "";
                            break;
                    }
                } else if (ignoreBlock || line.startsWith("#") || line.isBlank()) {
                    continue;
                } else {
                    faildata = Map.of();
                }
                if (ignoreBlock) {
                    continue;
                }
                if (tests == null) {
                    Built b = filters.computeIfAbsent(name, k -> build(name, basedir, Map.of()));
                    tests = new ArrayList<>();
                    tests.add(new Object[] {name, b, Map.of()});
                }
                for (Object[] t : tests) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> opts = (Map<String, Object>) t[2];
                    if (faildata.get("constraint") != null && !eval((String) faildata.get("constraint"), name, opts)) {
                        continue;
                    }
                    Built b = (Built) t[1];
                    checks++;
                    boolean journal = "journal".equals(opts.get("logtype"));
                    String l = line;
                    Filter.LineReport r;
                    if (!journal) {
                        r = b.filter.processDetailed(l, null);
                    } else {
                        if (opts.get("test.prefix-line") != null) {
                            l = opts.get("test.prefix-line") + l;
                        }
                        r = b.filter.processDetailed(l, Instant.ofEpochSecond(TEST_NOW));
                    }
                    realDates |= !b.filter.dateTemplates().isEmpty();
                    List<String> regexList = b.filter.failRegex();
                    List<Filter.Match> found = new ArrayList<>();
                    for (Filter.Match m : r.matches()) {
                        if (m.id() == null || m.noFail()) {
                            b.used.add(m.failRegex());
                            usedRegex.add(regexList.get(m.failRegex()));
                            continue;
                        }
                        found.add(m);
                    }
                    String where = t[0] + ": " + files.get(fi) + ":" + (i + 1) + ": ";
                    Instant ourTime = found.isEmpty() ? null : found.get(0).time();
                    String problem = check(faildata, found);
                    if (problem != null) {
                        problems.add(new Problem(where + problem + "\n  line: " + l, b.datePattern, l, r.lineWithoutDate(), ourTime, journal));
                    } else {
                        for (Filter.Match m : found) {
                            b.used.add(m.failRegex());
                            usedRegex.add(regexList.get(m.failRegex()));
                        }
                    }
                }
            }
        }
        List<String> unused = new ArrayList<>();
        for (Map.Entry<String, Built> e : filters.entrySet()) {
            List<String> regexList = e.getValue().filter.failRegex();
            for (int k = 0; k < regexList.size(); k++) {
                if (!e.getValue().used.contains(k) && !usedRegex.contains(regexList.get(k))) {
                    unused.add(e.getKey() + ": Regex has no samples: " + k + ": " + regexList.get(k));
                }
            }
        }
        List<Problem> dates = new ArrayList<>();
        List<String> other = new ArrayList<>();
        classify(problems, dates, other);
        if (!unused.isEmpty()) {
            // a regex without a hit is a fault of its own only when no line failed for its date
            if (dates.isEmpty()) {
                other.addAll(unused);
            }
        }
        int failedDates = dates.size();
        REPORT.put(name, String.format("%-28s %7d %7d %7d %7d", name, checks, checks - problems.size(), failedDates, other.size()));
        StringBuilder msg = new StringBuilder();
        other.forEach(p -> msg.append("\n").append(p));
        if (realDates) {
            dates.forEach(p -> msg.append("\n[date] ").append(p.message));
            if (!unused.isEmpty() && !dates.isEmpty()) {
                unused.forEach(u -> msg.append("\n").append(u));
            }
        }
        if (msg.length() > 0) {
            fail(name + ": " + (other.size() + (realDates ? failedDates : 0)) + " of " + checks + " checks failed" + msg);
        }
    }

    /** fail2ban's checks of one line: null when it behaves as annotated. */
    static String check(Map<String, Object> faildata, List<Filter.Match> found) {
        boolean match = Boolean.TRUE.equals(faildata.get("match"));
        if (found.isEmpty()) {
            return match ? "Line not matched when should have" : null;
        }
        if (!match) {
            return "Line matched when shouldn't have: " + found.get(0).data();
        }
        if (found.size() != 1) {
            return "Multiple regexs matched " + found.stream().map(Filter.Match::failRegex).toList();
        }
        Filter.Match m = found.get(0);
        for (Map.Entry<String, Object> e : faildata.entrySet()) {
            String k = e.getKey();
            if (List.of("time", "match", "desc", "constraint").contains(k)) {
                continue;
            }
            Object fv = m.data().get(k);
            if (fv == null) {
                if (k.equals("host")) {
                    fv = m.id();
                } else if (k.equals("attempts")) {
                    fv = m.lines().size();
                }
            }
            if (!same(fv, e.getValue())) {
                return "field " + k + ": expected " + e.getValue() + " but was " + fv + "  (" + m.data() + ")";
            }
        }
        Object t = faildata.get("time");
        if (t != null) {
            Instant want = sampleTime((String) t);
            if (want == null) {
                return "time: cannot read the annotation's time " + t;
            }
            if (!want.equals(m.time())) {
                return "time: expected " + want + " but was " + m.time();
            }
        }
        return null;
    }

    /**
     * A failJSON time read as fail2ban's samples test reads it: Python's
     * {@code strptime(t, "%Y-%m-%dT%H:%M:%S")}, else with {@code .%f}, then local time. Python's
     * strptime takes one-digit months, days and times ({@code 2005-03-7T02:09:33}).
     */
    static Instant sampleTime(String t) {
        Matcher m = SAMPLE_TIME.matcher(t);
        if (!m.matches()) {
            return null;
        }
        String f = m.group(7) == null ? "" : m.group(7);
        int micros = f.isEmpty() ? 0 : Integer.parseInt((f + "00000").substring(0, 6));
        try {
            return LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3).strip()),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)), micros * 1000)
                    .atZone(ZONE).toInstant();
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** Python's == between a captured value and a JSON value (sets and lists compared sorted). */
    private static boolean same(Object fv, Object v) {
        if (fv instanceof Collection || fv instanceof Map) {
            List<String> a = new ArrayList<>();
            for (Object o : fv instanceof Map ? ((Map<?, ?>) fv).keySet() : (Collection<?>) fv) {
                a.add(String.valueOf(o));
            }
            List<String> b = new ArrayList<>();
            for (Object o : v instanceof Map ? ((Map<?, ?>) v).keySet() : v instanceof Collection ? (Collection<?>) v : List.of(v)) {
                b.add(String.valueOf(o));
            }
            a.sort(null);
            b.sort(null);
            return a.equals(b);
        }
        if (fv == null || v == null) {
            return fv == v;
        }
        if (fv instanceof IpAddr ip) {
            if (!ip.isValid()) {
                return ip.raw().equals(String.valueOf(v));
            }
            IpAddr other = IpAddr.parse(String.valueOf(v));
            return ip.equals(other);
        }
        if (fv instanceof Number || v instanceof Number) {
            try {
                return Double.parseDouble(String.valueOf(fv)) == Double.parseDouble(String.valueOf(v));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return String.valueOf(fv).equals(String.valueOf(v));
    }

    /** Sorts the problems into those dates caused and the others, asking fail2ban's date detector. */
    private static void classify(List<Problem> problems, List<Problem> dates, List<String> other) throws IOException {
        List<Problem> dated = problems.stream().filter(p -> !p.journal).toList();
        problems.stream().filter(p -> p.journal).forEach(p -> other.add(p.message));
        if (dated.isEmpty()) {
            return;
        }
        List<Map<String, Object>> in = new ArrayList<>();
        for (Problem p : dated) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("datepattern", p.datePattern);
            g.put("lines", List.of(p.line));
            in.add(g);
        }
        String script;
        try (InputStream s = RegexSamplesTest.class.getResourceAsStream("date_spans.py")) {
            script = new String(s.readAllBytes(), StandardCharsets.UTF_8);
        }
        Gson gson = new Gson();
        Proc.Result r = Proc.run(List.of(Oracle.python(), "-c", script), null,
                Map.of("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString(),
                        "TZ", "CET-01CEST-02,M3.5.0,M10.5.0", "PYTHONIOENCODING", "utf-8"),
                gson.toJson(in), 120).assertOk();
        List<List<List<Double>>> spans = gson.fromJson(r.out(), new TypeToken<List<List<List<Double>>>>() { }.getType());
        for (int i = 0; i < dated.size(); i++) {
            Problem p = dated.get(i);
            List<Double> s = spans.get(i).get(0);
            String stripped = p.line;
            Instant time = null;
            if (s != null) {
                int st = p.line.offsetByCodePoints(0, s.get(0).intValue());
                int en = p.line.offsetByCodePoints(0, s.get(1).intValue());
                stripped = p.line.substring(0, st) + p.line.substring(en);
                if (s.get(2) != null) {
                    double d = s.get(2);
                    time = Instant.ofEpochSecond((long) Math.floor(d), Math.round((d - Math.floor(d)) * 1e6) * 1000);
                }
            }
            // a wrong time is the date detector's (of this line, or of the line before that gave its date)
            boolean dateCaused = !stripped.equals(p.ourStripped) || (time != null && p.ourTime != null && !time.equals(p.ourTime))
                    || p.message.contains(": time: expected ");
            if (dateCaused) {
                dates.add(p);
            } else {
                other.add(p.message);
            }
        }
    }

    static Built build(String name, Path basedir, Map<String, String> opts) {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(TEST_NOW), ZONE);
        Filter f = new Filter(clock);
        f.setReturnRawHost(true);
        f.setCheckAllRegex(true);
        f.setCheckFindTime(false);
        String datePattern = FilterSetup.apply(f, basedir, name, opts);
        return new Built(f, datePattern);
    }

    /** The expressions the samples use in {@code constraint} and {@code test.condition}. */
    static boolean eval(String expr, String name, Map<String, Object> opts) {
        Matcher m = Pattern.compile("\\s*(name|opts\\.get\\('([^']*)'\\))\\s*(==|!=)\\s*'([^']*)'\\s*").matcher(expr);
        if (!m.matches()) {
            throw new IllegalArgumentException("constraint not understood: " + expr);
        }
        Object left = m.group(1).equals("name") ? name : opts.get(m.group(2));
        boolean eq = m.group(4).equals(left);
        return m.group(3).equals("==") == eq;
    }

    /** Python's str() of a dict of str, as fail2ban names a filter's option combination. */
    static String pyDict(Map<String, String> m) {
        return org.jfail2ban.protocol.PyRepr.repr(m);
    }

    /** The lines of a sample log as fail2ban reads them (UTF-8, the last line even without its newline). */
    static List<String> readLines(Path p) throws IOException {
        String all = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String l : all.split("\n", -1)) {
            int e = l.length();
            while (e > 0 && (l.charAt(e - 1) == '\r')) {
                e--;
            }
            out.add(l.substring(0, e));
        }
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty() && all.endsWith("\n")) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return o instanceof Map ? new LinkedHashMap<>((Map<String, Object>) o) : new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    static List<Object> asList(Object o) {
        return (List<Object>) o;
    }
}
