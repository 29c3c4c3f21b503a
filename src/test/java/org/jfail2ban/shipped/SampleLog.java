package org.jfail2ban.shipped;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of fail2ban's annotated sample logs, read as its sample test reads it: the log lines in
 * order, each with the option sets that apply to it ({@code # filterOptions:}, merged over
 * {@code # fileOptions:}, blocks whose {@code test.condition} fails left out) and its
 * {@code # failJSON:} annotation if it has one; {@code # addFILE:} appends another sample file.
 * A line's {@code constraint} is left to the caller ({@link #holds}).
 */
final class SampleLog {

    /** A log line; {@code expected} is its failJSON (null when it carries none). */
    record Entry(String file, int lineNo, String line, Map<String, Object> expected, List<Map<String, String>> optionSets) {

        boolean annotatedNoMatch() {
            return expected != null && Boolean.FALSE.equals(expected.get("match"));
        }

        String where() {
            return file + ":" + lineNo;
        }
    }

    private static final Pattern ANNOTATION = Pattern.compile("#+ ?(failJSON|(?:file|filter)Options|addFILE):(.+)");
    private static final Pattern CONDITION = Pattern.compile("\\s*(name|opts\\.get\\('([^']*)'\\))\\s*(==|!=)\\s*'([^']*)'\\s*");

    private SampleLog() {
    }

    /** The entries of sample log {@code name} (and the files it adds), for a filter called {@code name}. */
    static List<Entry> read(Path dir, String name) throws IOException {
        List<Entry> out = new ArrayList<>();
        List<String> files = new ArrayList<>(List.of(name));
        Gson gson = new Gson();
        // as in fail2ban's test, option sets and file options carry over into added files
        List<Map<String, String>> sets = List.of(Map.of());
        Map<String, String> fileOptions = Map.of();
        for (int f = 0; f < files.size(); f++) {
            Map<String, Object> pending = null;
            String[] lines = new String(Files.readAllBytes(dir.resolve(files.get(f))), StandardCharsets.UTF_8).split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                Matcher a = ANNOTATION.matcher(line);
                if (a.matches()) {
                    Object json = gson.fromJson(a.group(2), Object.class);
                    switch (a.group(1)) {
                        case "failJSON" -> pending = asMap(json);
                        case "fileOptions" -> fileOptions = strings(asMap(json));
                        case "filterOptions" -> {
                            List<Map<String, String>> next = new ArrayList<>();
                            for (Object one : json instanceof List<?> l ? l : List.of(json)) {
                                Map<String, String> opts = new LinkedHashMap<>(fileOptions);
                                opts.putAll(strings(asMap(one)));
                                String cond = opts.get("test.condition");
                                if (cond == null || holds(cond, name, opts)) {
                                    next.add(opts);
                                }
                            }
                            sets = next;
                        }
                        default -> files.add((String) json);
                    }
                    continue;
                }
                if (pending == null && (line.startsWith("#") || line.isBlank())) {
                    continue;
                }
                if (i == lines.length - 1 && line.isEmpty()) {
                    break;
                }
                out.add(new Entry(files.get(f), i + 1, line, pending, sets));
                pending = null;
            }
        }
        return out;
    }

    /** The expressions the samples use in {@code constraint} and {@code test.condition}. */
    static boolean holds(String expr, String name, Map<String, String> opts) {
        Matcher m = CONDITION.matcher(expr);
        if (!m.matches()) {
            throw new IllegalArgumentException("condition not understood: " + expr);
        }
        String left = m.group(1).equals("name") ? name : opts.get(m.group(2));
        return m.group(3).equals("==") == m.group(4).equals(left);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o instanceof Map ? new LinkedHashMap<>((Map<String, Object>) o) : new LinkedHashMap<>();
    }

    private static Map<String, String> strings(Map<String, Object> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
