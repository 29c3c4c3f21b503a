package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jfail2ban.testing.FilterSetup;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.Test;

/**
 * A line dated ahead ({@link Filter#dateLine}, on another thread, as fail2ban-regex's reader does)
 * and then processed gives the same report as a line processed in one go: every line of
 * fail2ban's sample log of each stock filter, through that filter.
 */
class FilterDatedLineTest {

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1124013600), ZoneId.of("Europe/Paris"));

    @Test
    void datedAheadOnAnotherThreadReportsAsInOneGo() throws Exception {
        int filters = 0;
        long lines = 0;
        long prefSeen = 0;
        try (var files = Files.list(Oracle.etc().resolve("filter.d"))) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString().replaceFirst("\\.conf$", "");
                Path log = Oracle.sampleLogs().resolve(name);
                if (!Files.isRegularFile(log)) {
                    continue;
                }
                Filter one = new Filter(CLOCK);
                Filter ahead = new Filter(CLOCK);
                for (Filter x : List.of(one, ahead)) {
                    x.setUseDns("raw");
                    x.setCheckFindTime(false);
                    FilterSetup.apply(x, Oracle.etc(), name, Map.of());
                }
                List<String> text = read(log);
                // the dates are found on a thread of their own, all before the processing
                AtomicReference<List<Filter.DatedLine>> dated = new AtomicReference<>();
                Thread t = new Thread(() -> dated.set(text.stream().map(ahead::dateLine).toList()));
                t.start();
                t.join();
                for (int i = 0; i < text.size(); i++) {
                    Filter.LineReport a = one.processDetailed(text.get(i), null, true);
                    Filter.LineReport b = ahead.processDetailed(dated.get().get(i), true);
                    assertEquals(a, b, name + " line " + (i + 1) + ": " + text.get(i));
                    if (a.prefMatched()) {
                        prefSeen++;
                    }
                }
                assertEquals(one.dateTemplates(), ahead.dateTemplates(), name);
                filters++;
                lines += text.size();
            }
        }
        assertTrue(filters > 50 && lines > 800 && prefSeen > 300, filters + " filters, " + lines + " lines, " + prefSeen);
    }

    private static List<String> read(Path log) throws IOException {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
