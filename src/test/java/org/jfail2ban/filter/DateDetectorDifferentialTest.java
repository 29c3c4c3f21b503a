package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every line of fail2ban's sample logs through fail2ban's own DateDetector (Python, the oracle)
 * and through ours, with the same clock and zone: the default library, and each datepattern the
 * sample's filter sets under the sample's filter options. The date span, the time and the
 * template must agree line by line, and the hits per template at the end of each run.
 */
class DateDetectorDifferentialTest {

    @Test
    void sameDatesAsFail2banOnEverySampleLine(@TempDir Path tmp) throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Oracle.sampleLogs())) {
            s.filter(Files::isRegularFile).map(Path::toString).sorted().forEach(files::add);
        }
        try (Stream<Path> s = Files.list(Oracle.sampleLogs().getParent())) {
            s.filter(p -> p.getFileName().toString().matches("testcase.*\\.log")).map(Path::toString).sorted().forEach(files::add);
        }
        Report r = compare(tmp, files);
        r.print("samples", Path.of("target/date-differential.txt"));
        assertTrue(r.lines > 5000, "too few sample lines: " + r.lines);
        r.assertSame();
    }

    /**
     * Lines made to probe the edges: every default format after various prefixes and before
     * various suffixes, impossible dates, dates ahead of the clock, summer-time changes, zones,
     * digits of other scripts, characters beyond the BMP; with several datepatterns and a
     * logtimezone.
     */
    @Test
    void sameDatesAsFail2banOnTrickyLines(@TempDir Path tmp) throws IOException {
        String[] dates = {
            "Jan 23 21:59:59", "Sun Jan 23 21:59:59 2005", "Dec 31 23:59:59", "Aug 15 11:00:00", "Aug 15 13:00:00",
            "Feb 29 10:00:00", "Feb 30 10:00:00", "Jan  5 01:02:03", "jan 23 21:59:59", "JAN 23 21:59:59.123",
            "2005-01-23T21:59:59Z", "2005-01-23 21:59:59+02:00", "2005-01-23 21:59:59 -0500",
            "2005-01-23T21:59:59.123456", "2005-03-27 02:30:00", "2005-10-30 01:30:00", "2005-10-30 02:30:00",
            "2005-13-01 10:00:00", "1999-01-01 10:00:00", "2029-01-01 10:00:00", "2030-01-01 10:00:00",
            "2004/02/29 10:00:00", "2005.02.29 10:00:00", "23/Jan/2005:21:59:59 +0100", "[23/Jan/2005:21:59:59 -0000]",
            "23-Jan-2005 21:59:59.252", "050123 21:59:59", "20050123T215959", "20050123 215959Z", "1106513999",
            "[1106513999.5]", "audit(1106513999.123:45)", "1106513999123", "@4000000041f4104f00000000",
            "PDT Apr 16 21:05:29", "+0200 Apr 16 21:05:29", "ABCD Apr 16 21:05:29", "login Jan 23 21:59:59", "Jan 23, 2005 9:59:59 PM",
            "Jan 23, 2005 12:59:59 AM", "01-27-2012 16:22:44.252", "05/20/2008:01:57:39", "<09/16/08@05:03:30>",
            "Apr-27-13 02:33:06", "12:34:56", "23:59:59", "24:00:00", "\u0662\u0660\u0660\u0665-\u0660\u0661-\u0662\u0663 21:59:59",
            "\ud835\udcb3 Jan 23 21:59:59", "", "x", "2005-01-23 21:59:59 2005-01-24 10:00:00",
        };
        String[] prefixes = {"", "host sshd[1]: ", "[", "((", "x", "\u00e9 "};
        String[] suffixes = {"", " tail 192.0.2.1", "x", "]"};
        StringBuilder log = new StringBuilder();
        for (String p : prefixes) {
            for (String d : dates) {
                for (String s : suffixes) {
                    log.append(p).append(d).append(s).append('\n');
                }
            }
        }
        Path file = tmp.resolve("tricky.log");
        Files.writeString(file, log.toString());
        String patterns = new Gson().toJson(List.of("{^LN-BEG}", "%Y-%m-%d %H:%M:%S", "^%b %d %H:%M:%S", "{NONE}",
                "EPOCH", "LEPOCH", "^[^\\[]*\\[({DATE})", "%d/%b/%Y:%H:%M:%S %z", "{UNB}%H:%M:%S", "%y%m%d %H:%M:%S",
                "%I:%M:%S %p", "%j %Y %H:%M", "%d %H:%M", "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "{^LN-BEG}{DATE}",
                "^(?:\\[)?%%?%b %d\n{^LN-BEG}Epoch\n%H:%M:%S"));
        Report r = compare(tmp, List.of("--patterns=" + patterns, file.toString(),
                "--timezone=UTC+0300", file.toString(), "--timezone=-05:30", file.toString()));
        r.print("tricky lines", Path.of("target/date-differential-tricky.txt"));
        r.assertSame();
    }

    /** What the comparison found. */
    private static final class Report {
        int lines;
        int same;
        int runs;
        int sameStats;
        /** Lines where fail2ban raises an exception: its bugs, which we do not copy. */
        int raised;
        int raisedDifferent;
        final List<String> differences = new ArrayList<>();

        String summary() {
            return same + " of " + lines + " lines identical; template hits identical in " + sameStats + " of " + runs
                    + " runs" + (raised > 0 ? "; fail2ban raised an exception on " + raised + " lines, "
                    + raisedDifferent + " of them differ (we give no time or no date instead)" : "");
        }

        void print(String what, Path file) throws IOException {
            System.out.println("date differential, " + what + ": " + summary());
            Files.writeString(file, summary() + "\n" + String.join("\n", differences) + "\n");
        }

        void assertSame() {
            String details = summary() + "\n" + String.join("\n", differences);
            assertEquals(lines, same + raisedDifferent, details);
            assertEquals(runs, sameStats, details);
        }
    }

    private Report compare(Path tmp, List<String> args) throws IOException {
        Path script = tmp.resolve("DateOracle.py");
        if (!Files.exists(script)) {
            try (InputStream in = getClass().getResourceAsStream("DateOracle.py")) {
                Files.copy(in, script);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Oracle.python(), script.toString(), Oracle.etc().toString()));
        cmd.addAll(args);
        Map<String, String> env = Map.of(
                "PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString(),
                "TZ", TimeZoneSamples.POSIX);
        Proc.Result out = Proc.run(cmd, null, env, null, 600).assertOk();

        Report r = new Report();
        Map<String, List<String>> texts = new HashMap<>();
        for (String json : out.out().split("\n")) {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            String file = o.get("file").getAsString();
            if (o.has("text")) {
                List<String> t = new ArrayList<>();
                o.getAsJsonArray("text").forEach(e -> t.add(e.getAsString()));
                texts.put(file, t);
                continue;
            }
            String pattern = o.get("pattern").isJsonNull() ? null : o.get("pattern").getAsString();
            String zone = o.get("timezone").isJsonNull() ? null : o.get("timezone").getAsString();
            DateDetector d = new DateDetector(TimeZoneSamples.clock());
            d.setPattern(pattern);
            d.setTimeZone(zone);
            List<String> text = texts.get(file);
            JsonArray expected = o.getAsJsonArray("lines");
            String where = Path.of(file).getFileName() + (pattern == null ? "" : " [" + pattern.replace("\n", "\\n") + "]")
                    + (zone == null ? "" : " logtimezone " + zone);
            for (int i = 0; i < text.size(); i++) {
                r.lines++;
                JsonArray e = expected.get(i).getAsJsonArray();
                String want = describe(e);
                String got = describe(d.match(text.get(i)));
                if (raised(e)) {
                    r.raised++;
                }
                if (want.equals(got)) {
                    r.same++;
                    continue;
                }
                if (raised(e)) {
                    r.raisedDifferent++;
                }
                if (r.differences.size() < 40) {
                    r.differences.add(where + " line " + (i + 1) + ": " + text.get(i) + "\n    fail2ban " + want + "\n    ours     " + got);
                }
            }
            r.runs++;
            List<String> wantStats = new ArrayList<>();
            o.getAsJsonArray("stats").forEach(e -> wantStats.add(e.getAsJsonArray().get(1).getAsLong() + " " + e.getAsJsonArray().get(0).getAsString()));
            List<String> gotStats = new ArrayList<>();
            d.stats().forEach(h -> gotStats.add(h.hits() + " " + h.name()));
            if (wantStats.equals(gotStats)) {
                r.sameStats++;
            } else if (r.differences.size() < 40) {
                r.differences.add(where + " template hits:\n    fail2ban " + wantStats + "\n    ours     " + gotStats);
            }
        }
        return r;
    }

    private static boolean raised(JsonArray a) {
        return a.get(2).isJsonPrimitive() && a.get(2).getAsJsonPrimitive().isString();
    }

    private static String describe(JsonArray a) {
        if (a.get(0).isJsonNull()) {
            return a.get(2).isJsonNull() ? "no date" : "raised " + a.get(2).getAsString();
        }
        JsonElement t = a.get(2);
        // where fail2ban raises (an unknown zone abbreviation, a pattern without day or month),
        // we give no time
        String time = t.isJsonNull() || raised(a) ? "no time" : String.format("%.6f", t.getAsDouble());
        return "[" + a.get(0).getAsInt() + "," + a.get(1).getAsInt() + ") " + time + " by " + a.get(3).getAsString();
    }

    private static String describe(DateMatch m) {
        if (m == null) {
            return "no date";
        }
        String time = m.time() == null ? "no time" : String.format("%.6f", m.time().getEpochSecond() + m.time().getNano() / 1e9);
        return "[" + m.start() + "," + m.end() + ") " + time + " by " + m.template();
    }
}
