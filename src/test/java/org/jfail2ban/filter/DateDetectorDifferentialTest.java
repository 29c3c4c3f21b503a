package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Path script = tmp.resolve("DateOracle.py");
        try (InputStream in = getClass().getResourceAsStream("DateOracle.py")) {
            Files.copy(in, script);
        }
        Path files = Oracle.sampleLogs().getParent();
        List<String> cmd = new ArrayList<>(List.of(Oracle.python(), script.toString(), Oracle.etc().toString()));
        try (Stream<Path> s = Files.walk(Oracle.sampleLogs())) {
            s.filter(Files::isRegularFile).map(Path::toString).sorted().forEach(cmd::add);
        }
        try (Stream<Path> s = Files.list(files)) {
            s.filter(p -> p.getFileName().toString().matches("testcase.*\\.log")).map(Path::toString).sorted().forEach(cmd::add);
        }
        Map<String, String> env = Map.of(
                "PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString(),
                "TZ", TimeZoneSamples.POSIX);
        Proc.Result r = Proc.run(cmd, null, env, null, 600).assertOk();

        Map<String, List<String>> texts = new HashMap<>();
        int lines = 0;
        int same = 0;
        int runs = 0;
        int sameStats = 0;
        List<String> differences = new ArrayList<>();
        for (String json : r.out().split("\n")) {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            String file = o.get("file").getAsString();
            if (o.has("text")) {
                List<String> t = new ArrayList<>();
                o.getAsJsonArray("text").forEach(e -> t.add(e.getAsString()));
                texts.put(file, t);
                continue;
            }
            String pattern = o.get("pattern").isJsonNull() ? null : o.get("pattern").getAsString();
            DateDetector d = new DateDetector(TimeZoneSamples.clock());
            d.setPattern(pattern);
            List<String> text = texts.get(file);
            JsonArray expected = o.getAsJsonArray("lines");
            String where = Path.of(file).getFileName() + (pattern == null ? "" : " [" + pattern.replace("\n", "\\n") + "]");
            for (int i = 0; i < text.size(); i++) {
                lines++;
                String want = describe(expected.get(i).getAsJsonArray());
                String got = describe(d.match(text.get(i)));
                if (want.equals(got)) {
                    same++;
                } else if (differences.size() < 40) {
                    differences.add(where + " line " + (i + 1) + ": " + text.get(i) + "\n    fail2ban " + want + "\n    ours     " + got);
                }
            }
            runs++;
            List<String> wantStats = new ArrayList<>();
            o.getAsJsonArray("stats").forEach(e -> wantStats.add(e.getAsJsonArray().get(1).getAsLong() + " " + e.getAsJsonArray().get(0).getAsString()));
            List<String> gotStats = new ArrayList<>();
            d.stats().forEach(h -> gotStats.add(h.hits() + " " + h.name()));
            if (wantStats.equals(gotStats)) {
                sameStats++;
            } else if (differences.size() < 40) {
                differences.add(where + " template hits:\n    fail2ban " + wantStats + "\n    ours     " + gotStats);
            }
        }
        String report = same + " of " + lines + " lines identical; template hits identical in " + sameStats + " of " + runs + " runs";
        System.out.println("date differential: " + report);
        Files.writeString(Path.of("target/date-differential.txt"), report + "\n" + String.join("\n", differences) + "\n");
        assertTrue(lines > 5000, "too few sample lines: " + lines);
        assertEquals(lines, same, report + "\n" + String.join("\n", differences));
        assertEquals(runs, sameStats, report + "\n" + String.join("\n", differences));
    }

    private static String describe(JsonArray a) {
        if (a.get(0).isJsonNull()) {
            return a.get(2).isJsonNull() ? "no date" : "raised " + a.get(2).getAsString();
        }
        JsonElement t = a.get(2);
        String time = t.isJsonNull() ? "no time" : t.getAsString().startsWith("error") ? "no time (raised)" : String.format("%.6f", t.getAsDouble());
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
