package org.jfail2ban.shipped;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.testing.FilterSetup;

/**
 * A filter of a configuration directory (ours in config/, or the stock one of the oracle), read
 * by our filter reader with the given options and run by our filter engine the way fail2ban's
 * sample test runs it: the clock at 2005-08-14 12:00:00 CEST, host names not resolved, every
 * failregex tried, lines of the journal given their time.
 */
final class LoadedFilter {

    /** The clock of fail2ban's sample logs. */
    static final Instant TEST_NOW = Instant.ofEpochSecond(1124013600L);

    /** A failure the filter found on a line: the ban id, the user if captured, the failregex. */
    record Hit(String id, String user, int failRegex) {
    }

    private final Filter filter;
    private final boolean journal;
    private final String journalPrefix;
    private final Set<Integer> used = new TreeSet<>();

    private LoadedFilter(Filter filter, Map<String, String> options) {
        this.filter = filter;
        this.journal = "journal".equals(options.get("logtype"));
        this.journalPrefix = options.getOrDefault("test.prefix-line", "");
    }

    /** Reads filter {@code name} of {@code configDir}/filter.d with {@code options} (keys "test.*" are the sample test's own). */
    static LoadedFilter load(Path configDir, String name, Map<String, String> options) {
        Filter f = new Filter(Clock.fixed(TEST_NOW, ZoneId.of("CET")));
        f.setReturnRawHost(true);
        f.setCheckAllRegex(true);
        f.setCheckFindTime(false);
        Map<String, String> filterOptions = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (!k.startsWith("test.")) {
                filterOptions.put(k, v);
            }
        });
        FilterSetup.apply(f, configDir, name, filterOptions);
        return new LoadedFilter(f, options);
    }

    /** Feeds one log line; gives the failures it completes (not the no-failure hits of multi-line filters). */
    List<Hit> feed(String line) {
        Filter.LineReport r = journal ? filter.processDetailed(journalPrefix + line, TEST_NOW) : filter.processDetailed(line, null);
        List<Hit> out = new ArrayList<>();
        for (Filter.Match m : r.matches()) {
            used.add(m.failRegex());
            if (m.id() != null && !m.noFail()) {
                Object user = m.data().get("user");
                out.add(new Hit(m.id().toString(), user == null ? null : String.valueOf(user), m.failRegex()));
            }
        }
        return out;
    }

    /** The failregexes of the filter, in order. */
    List<String> failRegex() {
        return filter.failRegex();
    }

    /** The indexes of the failregexes that matched some line fed so far. */
    Set<Integer> usedRegex() {
        return used;
    }
}
