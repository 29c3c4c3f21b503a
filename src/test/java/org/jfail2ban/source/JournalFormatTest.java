package org.jfail2ban.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfail2ban.source.JournalFiles.Entry;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journal entries become the lines fail2ban's filters see, exactly as fail2ban 1.0.2 makes them:
 * checked against fail2ban's own formatting (run on the same journal through the journal reader
 * it uses) and against the journal-type sample logs of the oracle.
 */
class JournalFormatTest {

    static final long T0 = 1_700_000_000L;

    @TempDir
    Path dir;

    private static Entry entry(int i) {
        return Entry.at((T0 + i) * 1_000_000L + 123_456);
    }

    /** Entries that walk every branch of the formatting. */
    static List<Entry> tricky() {
        List<Entry> e = new ArrayList<>();
        e.add(entry(1).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "sshd").set("SYSLOG_PID", "12").set("_PID", "13")
                .set("MESSAGE", "SYSLOG_PID wins"));
        e.add(entry(2).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "sshd").set("SYSLOG_PID", "0").set("_PID", "13")
                .set("MESSAGE", "a zero PID is no PID"));
        e.add(entry(3).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("SYSLOG_PID", "abc")
                .set("MESSAGE", "a PID that is no number"));
        e.add(entry(4).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("SYSLOG_PID", "0x1f")
                .set("MESSAGE", "a hex PID"));
        e.add(entry(5).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("SYSLOG_PID", " 0042 ")
                .set("MESSAGE", "a padded PID"));
        e.add(entry(6).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("_PID", "-5")
                .set("MESSAGE", "a negative PID"));
        e.add(entry(7).set("SYSLOG_IDENTIFIER", "nohost").set("_PID", "1").set("MESSAGE", "no host name"));
        e.add(entry(8).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "").set("_COMM", "comm").set("_PID", "2")
                .set("MESSAGE", "empty identifier, _COMM instead"));
        e.add(entry(9).set("_HOSTNAME", "srv").set("MESSAGE", "neither identifier nor command"));
        e.add(entry(10).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "kernel").set("_SOURCE_MONOTONIC_TIMESTAMP", "1234567")
                .set("MESSAGE", "kernel with its own monotonic time"));
        e.add(entry(11).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "kernel")
                .set("MESSAGE", "kernel with the journal's monotonic time"));
        e.add(entry(12).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "kernel").set("_PID", "3")
                .set("MESSAGE", "kernel with a PID is no kernel line"));
        e.add(entry(13).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("_PID", "4")
                .set("MESSAGE", "two\nlines\r and a return"));
        e.add(entry(14).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("_PID", "4")
                .set("MESSAGE", new byte[] {'b', 'a', 'd', ' ', (byte) 0xff, (byte) 0xe9, 0, ' ', 'b', 'y', 't', 'e', 's'}));
        e.add(entry(15).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("_PID", "4")
                .set("MESSAGE", "first").set("MESSAGE", "second"));
        e.add(entry(16).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("_PID", "4"));
        e.add(entry(17).set("_HOSTNAME", "srv").set("SYSLOG_IDENTIFIER", "app").set("_PID", "4")
                .set("_SOURCE_REALTIME_TIMESTAMP", Long.toString((T0 - 30) * 1_000_000L + 5))
                .set("MESSAGE", "the sender's own time"));
        e.add(entry(18).set("_HOSTNAME", new byte[] {'h', (byte) 0xf4, 't', 'e'}).set("SYSLOG_IDENTIFIER", "app")
                .set("_PID", "4").set("MESSAGE", "ünïcödé from 192.0.2.1"));
        return e;
    }

    @Test
    void linesAreFail2bansOwnForTrickyEntries() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        List<Entry> entries = tricky();
        JournalFiles.write(j.resolve("tricky.journal"), entries);
        for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)) {
            List<LogLine> ours = readAll(j, entries.size(), cs);
            List<Object[]> theirs = fail2ban(j, cs == StandardCharsets.UTF_8 ? "UTF-8" : "latin-1");
            assertEquals(theirs.size(), ours.size());
            for (int i = 0; i < ours.size(); i++) {
                assertEquals(theirs.get(i)[0], ours.get(i).text(), "entry " + (i + 1));
                double t = ours.get(i).time().getEpochSecond() + ours.get(i).time().getNano() / 1e9;
                assertEquals((double) theirs.get(i)[1], t, 1e-3, "time of entry " + (i + 1));
            }
        }
        // a few read out plainly, so that a change on both sides cannot pass unseen
        List<String> texts = readAll(j, entries.size(), StandardCharsets.UTF_8).stream().map(LogLine::text).toList();
        assertEquals("srv sshd[12]: SYSLOG_PID wins", texts.get(0));
        assertEquals("srv app[b'abc']: a PID that is no number", texts.get(2));
        assertEquals("srv app[31]: a hex PID", texts.get(3));
        assertEquals("srv kernel: [    1.234567] kernel with its own monotonic time", texts.get(9));
        assertEquals("srv app[4]: two\\nlines\r and a return", texts.get(12));
        assertEquals("srv app[4]: bad \uFFFD\uFFFD\0 bytes", texts.get(13));
        assertEquals("srv app[4]: first second", texts.get(14));
        assertEquals("srv app[4]: ", texts.get(15));
    }

    /** The oracle's samples written as journal entries come back as the very sample lines. */
    @Test
    void journalSamplesPassThroughTheJournal() throws Exception {
        Map<String, List<String>> samples = journalSamples();
        assertTrue(samples.size() >= 6, samples.keySet().toString());
        int total = 0;
        for (Map.Entry<String, List<String>> s : samples.entrySet()) {
            Path j = Files.createDirectories(dir.resolve("samples-" + s.getKey()));
            List<Entry> entries = new ArrayList<>();
            int i = 0;
            for (String line : s.getValue()) {
                entries.add(JournalFiles.fromLine(entry(i++), line));
            }
            JournalFiles.write(j.resolve("sample.journal"), entries);
            List<String> ours = readAll(j, entries.size(), StandardCharsets.UTF_8).stream().map(LogLine::text).toList();
            assertEquals(s.getValue(), ours, s.getKey());
            List<String> theirs = fail2ban(j, "UTF-8").stream().map(o -> (String) o[0]).toList();
            assertEquals(theirs, ours, s.getKey());
            total += ours.size();
        }
        assertTrue(total > 100, "only " + total + " sample lines");
    }

    /** The lines of the oracle's sample logs meant for the journal (logtype journal). */
    static Map<String, List<String>> journalSamples() throws Exception {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        try (var files = Files.list(Oracle.sampleLogs())) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                List<String> lines = new ArrayList<>();
                boolean journal = false;
                String prefix = "";
                for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (l.startsWith("# fileOptions:") || l.startsWith("# filterOptions:")) {
                        if (l.contains("\"logtype\": \"journal\"")) {
                            journal = true;
                            Matcher p = Pattern.compile("\"test.prefix-line\": \"([^\"]*)\"").matcher(l);
                            prefix = p.find() ? p.group(1) : "";
                        } else if (!f.getFileName().toString().equals("sshd-journal")) {
                            // (sshd-journal is journal as a whole; its later options only set modes)
                            journal = false;
                        }
                        continue;
                    }
                    if (journal && !l.isEmpty() && !l.startsWith("#")) {
                        lines.add(prefix + l);
                    }
                }
                if (!lines.isEmpty()) {
                    out.put(f.getFileName().toString(), lines);
                }
            }
        }
        return out;
    }

    private List<LogLine> readAll(Path journalDir, int n, Charset cs) throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(T0 + 100_000), ZoneOffset.UTC);
        try (JournalSource s = new JournalSource(clock, "journalctl")) {
            s.setPath(journalDir);
            s.setEncoding(cs);
            s.setFindTime(Duration.ofDays(30));
            Collector c = new Collector();
            s.start(c);
            List<LogLine> got = c.takeLines(n);
            assertEquals(List.of(), c.rest(Duration.ofMillis(100)));
            return got;
        }
    }

    /** What fail2ban's formatJournalEntry makes of each entry: [line, time]. */
    private List<Object[]> fail2ban(Path journalDir, String encoding) throws Exception {
        Path script = dir.resolve("journal_lines.py");
        try (var in = getClass().getResourceAsStream("journal_lines.py")) {
            Files.write(script, in.readAllBytes());
        }
        Proc.Result r = Proc.run(List.of(Oracle.python(), script.toString(), encoding, journalDir.toString()), null,
                Map.of("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString(), "TZ", "UTC"),
                null, 120);
        assertEquals(0, r.exit(), "fail2ban's journal formatting (needs python3-systemd): " + r.err());
        List<Object[]> out = new ArrayList<>();
        for (String l : r.out().split("\n")) {
            if (!l.isBlank()) {
                JsonArray a = JsonParser.parseString(l).getAsJsonArray();
                out.add(new Object[] {a.get(0).getAsString(), a.get(1).getAsDouble()});
            }
        }
        return out;
    }
}
