package org.jfail2ban.filter;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A jail's filter: prefregex, failregex and ignoreregex over the lines of its log, with the date
 * of each line found by a {@link DateDetector}. Configured by the server's commands
 * ({@code addfailregex}, {@code prefregex}, {@code maxlines}, {@code datepattern} ...).
 *
 * <p>STUB of the foundation commit: plain java.util.regex with {@code <HOST>} only, one line at a
 * time. The filter work replaces the body (Python regex dialect, all tags, multi-line); the
 * public methods stay.
 */
public final class Filter {

    private static final String HOST = "(?:::f{4,6}:)?(?<host>\\S+)";

    private final Clock clock;
    private final DateDetector dates;
    private final List<String> failRegex = new ArrayList<>();
    private final List<Pattern> failPatterns = new ArrayList<>();
    private final List<String> ignoreRegex = new ArrayList<>();
    private final List<Pattern> ignorePatterns = new ArrayList<>();
    private String prefRegex;
    private int maxLines = 1;
    private String useDns = "warn";

    public Filter(Clock clock) {
        this.clock = clock;
        this.dates = new DateDetector(clock);
    }

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex.replace("<HOST>", HOST).replace("(?P<", "(?<"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Unable to compile regular expression '" + regex + "': " + e.getMessage(), e);
        }
    }

    public void addFailRegex(String regex) {
        Pattern p = compile(regex);
        if (!regex.contains("<HOST>") && !regex.contains("(?P<host>")) {
            throw new IllegalArgumentException("No 'host' group in '" + regex + "'");
        }
        failRegex.add(regex);
        failPatterns.add(p);
    }

    public void delFailRegex(int index) {
        failRegex.remove(index);
        failPatterns.remove(index);
    }

    public List<String> failRegex() {
        return List.copyOf(failRegex);
    }

    public void addIgnoreRegex(String regex) {
        ignorePatterns.add(compile(regex));
        ignoreRegex.add(regex);
    }

    public void delIgnoreRegex(int index) {
        ignoreRegex.remove(index);
        ignorePatterns.remove(index);
    }

    public List<String> ignoreRegex() {
        return List.copyOf(ignoreRegex);
    }

    public void setPrefRegex(String regex) {
        this.prefRegex = regex == null || regex.isEmpty() ? null : regex;
    }

    public String prefRegex() {
        return prefRegex;
    }

    public void setMaxLines(int maxLines) {
        this.maxLines = maxLines;
    }

    public int maxLines() {
        return maxLines;
    }

    public void setDatePattern(String pattern) {
        dates.setPattern(pattern);
    }

    public String datePattern() {
        return dates.pattern();
    }

    public void setLogTimeZone(String zone) {
        dates.setTimeZone(zone == null || zone.isEmpty() ? null : ZoneId.of(zone));
    }

    public String logTimeZone() {
        return dates.timeZone().getId();
    }

    public void setUseDns(String useDns) {
        this.useDns = useDns;
    }

    public String useDns() {
        return useDns;
    }

    /**
     * Processes one log line and returns the failures it completes (usually none or one).
     *
     * @param knownTime the time the source knows for the line (journal), or null
     */
    public List<Failure> process(String line, Instant knownTime) {
        Instant time = knownTime;
        String text = line;
        if (time == null) {
            DateMatch d = dates.match(line);
            if (d != null) {
                time = d.time();
                text = line.substring(0, d.start()) + line.substring(d.end());
            } else {
                time = clock.instant();
            }
        }
        for (Pattern p : ignorePatterns) {
            if (p.matcher(text).find()) {
                return List.of();
            }
        }
        for (Pattern p : failPatterns) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                String host = m.group("host");
                IpAddr ip = IpAddr.parseOrNull(host);
                String id = ip != null ? ip.toString() : host;
                return List.of(new Failure(id, ip, time, List.of(line), Map.of()));
            }
        }
        return List.of();
    }
}
