package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.source.JournalFiles;
import org.jfail2ban.source.JournalFiles.Entry;
import org.jfail2ban.source.JournalSource;
import org.jfail2ban.source.LogLine;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal-type samples of the oracle ({@code # filterOptions: ... "logtype": "journal"})
 * through the journal path: each sample line written as a journal entry (host, identifier, PID
 * and message) to a real journal file by systemd-journal-remote, read back by our journal source
 * and given, with the entry's time, to the filter read with that logtype. Each line must come
 * back as it is in the sample, and the filter must find on it exactly what it finds on the line
 * given directly as {@link RegexSamplesTest} gives it (the file path), and what the sample's
 * {@code failJSON} says. For the stock filters, and for ours where we ship the filter.
 */
class JournalSamplesTest {

    /** The sample files that hold journal-type samples in fail2ban 1.0.2 (via their filter's name). */
    private static final Set<String> EXPECTED = Set.of("asterisk", "murmur", "mysqld-auth", "named-refused", "sshd",
            "znc-adminlog");

    /**
     * Sample lines our filters read otherwise on purpose: the address ours bans. After a
     * password sshd writes no key info, so the last address is the client's (ShippedFilterCoverageTest).
     */
    private static final Map<String, String> OUR_HOST = Map.of("sshd-journal:145", "10.10.1.2");

    @TempDir
    Path tmp;

    private record Sample(String where, String line, Map<String, Object> faildata) {
    }

    /** The samples of one option combination, in the order the samples test gives them. */
    private record Group(String name, Map<String, String> options, List<Sample> samples) {
    }

    @TestFactory
    Stream<DynamicTest> journalSamplesPassThroughTheJournalAsThroughTheFile() throws IOException {
        assumeTrue(JournalFiles.available(), "journalctl and systemd-journal-remote needed (scripts/install-deps)");
        Path stock = Oracle.etc();
        Path ours = Path.of("config").toAbsolutePath();
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> found = new TreeSet<>();
        try (Stream<Path> s = Files.list(stock.resolve("filter.d"))) {
            for (Path f : s.sorted().toList()) {
                String fn = f.getFileName().toString();
                if (!fn.endsWith(".conf") || fn.endsWith("common.conf")) {
                    continue;
                }
                String name = fn.substring(0, fn.length() - 5);
                Map<String, Group> groups = journalGroups(name);
                if (groups.isEmpty()) {
                    continue;
                }
                found.add(name);
                tests.add(DynamicTest.dynamicTest("stock " + name, () -> throughTheJournal(name, stock, groups)));
                if (Files.isRegularFile(ours.resolve("filter.d").resolve(fn))) {
                    tests.add(DynamicTest.dynamicTest("shipped " + name, () -> throughTheJournal(name, ours, groups)));
                }
            }
        }
        assertEquals(EXPECTED, found, "the filters whose samples hold journal lines");
        return tests.stream();
    }

    private void throughTheJournal(String name, Path configDir, Map<String, Group> groups) throws Exception {
        Instant now = Instant.ofEpochSecond(RegexSamplesTest.TEST_NOW);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Group g : groups.values()) {
            List<Entry> entries = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (Sample s : g.samples()) {
                entries.add(JournalFiles.fromLine(Entry.at(RegexSamplesTest.TEST_NOW * 1_000_000L), s.line()));
                lines.add(s.line());
            }
            Path file = Files.createTempFile(tmp, "samples", ".journal");
            Files.delete(file);
            JournalFiles.write(file, entries);
            JournalSource source = new JournalSource(Clock.fixed(now, ZoneOffset.UTC), "journalctl");
            source.setOption("journalfiles", file.toString());
            source.setEncoding(StandardCharsets.UTF_8);
            List<LogLine> read = new ArrayList<>();
            source.readAll(read::add);
            assertEquals(lines, read.stream().map(LogLine::text).toList(), g.name() + ": the entries come back as the sample lines");

            Filter viaFile = RegexSamplesTest.build(name, configDir, g.options()).filter;
            Filter viaJournal = RegexSamplesTest.build(name, configDir, g.options()).filter;
            for (int i = 0; i < read.size(); i++) {
                Sample s = g.samples().get(i);
                LogLine entry = read.get(i);
                String where = g.name() + ": " + s.where() + ": ";
                if (!now.equals(entry.time())) {
                    problems.add(where + "the entry's time is " + entry.time());
                }
                List<Filter.Match> fromFile = viaFile.processDetailed(s.line(), now).matches();
                List<Filter.Match> fromJournal = viaJournal.processDetailed(entry.text(), entry.time()).matches();
                if (!fromFile.equals(fromJournal)) {
                    problems.add(where + "journal " + fromJournal + " but file " + fromFile + "\n  line: " + s.line());
                }
                List<Filter.Match> failures = fromJournal.stream().filter(m -> m.id() != null && !m.noFail()).toList();
                Map<String, Object> faildata = s.faildata();
                String host = configDir.equals(Oracle.etc()) ? null : OUR_HOST.get(s.where());
                if (host != null) {
                    faildata = new java.util.HashMap<>(faildata);
                    faildata.put("host", host);
                }
                String p = RegexSamplesTest.check(faildata, failures);
                if (p != null) {
                    problems.add(where + p + "\n  line: " + s.line());
                }
                checked++;
            }
        }
        if (!problems.isEmpty()) {
            fail(name + " in " + configDir + ": " + problems.size() + " of " + checked + " checks failed\n"
                    + String.join("\n", problems));
        }
        assertTrue(checked > 0, name + ": no journal sample checked");
    }

    /**
     * The journal-type samples of a filter's sample files (its own and those it adds), grouped by
     * option combination, with the options, prefix lines and constraints the samples test uses.
     */
    private static Map<String, Group> journalGroups(String name) throws IOException {
        Path logs = Oracle.sampleLogs();
        Map<String, Group> groups = new LinkedHashMap<>();
        if (!Files.isRegularFile(logs.resolve(name))) {
            return groups;
        }
        Gson gson = new Gson();
        List<String> files = new ArrayList<>(List.of(name));
        Map<String, Object> common = new LinkedHashMap<>();
        for (int fi = 0; fi < files.size(); fi++) {
            List<String> lines = RegexSamplesTest.readLines(logs.resolve(files.get(fi)));
            List<Map.Entry<Group, Map<String, Object>>> active = List.of();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Map<String, Object> faildata = Map.of();
                Matcher a = RegexSamplesTest.ANNOTATION.matcher(line);
                if (a.matches()) {
                    Object json = gson.fromJson(a.group(2), Object.class);
                    switch (a.group(1)) {
                        case "fileOptions" -> {
                            common = RegexSamplesTest.asMap(json);
                            continue;
                        }
                        case "filterOptions" -> {
                            active = new ArrayList<>();
                            for (Object one : json instanceof List ? RegexSamplesTest.asList(json) : List.of(json)) {
                                Map<String, Object> opts = new LinkedHashMap<>(common);
                                opts.putAll(RegexSamplesTest.asMap(one));
                                Object cond = opts.get("test.condition");
                                if (!"journal".equals(opts.get("logtype"))
                                        || cond != null && !RegexSamplesTest.eval((String) cond, name, opts)) {
                                    continue;
                                }
                                Map<String, String> fltOpts = new LinkedHashMap<>();
                                opts.forEach((k, v) -> {
                                    if (!k.startsWith("test.")) {
                                        fltOpts.put(k, String.valueOf(v));
                                    }
                                });
                                Object key = opts.get("test.filter-name");
                                String fltName = name + (key != null ? key : RegexSamplesTest.pyDict(fltOpts));
                                Group g = groups.computeIfAbsent(fltName, k -> new Group(k, fltOpts, new ArrayList<>()));
                                active.add(Map.entry(g, opts));
                            }
                            continue;
                        }
                        case "addFILE" -> {
                            files.add((String) json);
                            continue;
                        }
                        default -> {
                            faildata = RegexSamplesTest.asMap(json);
                            i++;
                            line = i < lines.size() ? lines.get(i) : "";
                        }
                    }
                } else if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                for (Map.Entry<Group, Map<String, Object>> t : active) {
                    Map<String, Object> opts = t.getValue();
                    Object constraint = faildata.get("constraint");
                    if (constraint != null && !RegexSamplesTest.eval((String) constraint, name, opts)) {
                        continue;
                    }
                    Object prefix = opts.get("test.prefix-line");
                    t.getKey().samples().add(new Sample(files.get(fi) + ":" + (i + 1), (prefix == null ? "" : prefix) + line, faildata));
                }
            }
        }
        groups.values().removeIf(g -> g.samples().isEmpty());
        return groups;
    }
}
