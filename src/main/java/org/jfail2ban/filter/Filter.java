package org.jfail2ban.filter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jfail2ban.protocol.PyRepr;

/**
 * A jail's filter: prefregex, failregex and ignoreregex over the lines of its log, with the date
 * of each line found by a {@link DateDetector}. Configured by the server's commands
 * ({@code addfailregex}, {@code prefregex}, {@code maxlines}, {@code datepattern} ...).
 *
 * <p>It follows fail2ban 1.0.2 line for line: the regexes are Python {@code re} patterns with
 * fail2ban's tags (see {@link RegexTags}), a line's date is cut out before matching, lines
 * without a date take the last date seen within a minute (or now), {@code maxlines} keeps a
 * window of lines for multi-line regexes, and a failure spread over several lines is put
 * together by its {@code <F-MLFID>} (with {@code <F-NOFAIL>}, {@code <F-MLFGAINED>} and
 * {@code <F-MLFFORGET>} as fail2ban reads them). The ban id is chosen as fail2ban chooses it:
 * {@code fid}, else {@code ip4}/{@code ip6} (with {@code cidr}), else {@code dns} resolved by
 * {@code usedns}.
 *
 * <p>A line that makes a regex run away is abandoned once it used up its time budget
 * ({@link #setMatchBudget}) and counted ({@link #abandonedLines}); the next line is matched as
 * usual. A filter serves one jail: its methods are synchronized, and matching runs on the thread
 * that calls {@link #process}. Regexes recurse in java.util.regex for each repetition of a
 * group, so the calling thread should have a generous stack (see {@link #STACK_SIZE}); a line
 * that overflows it is abandoned like one over budget.
 */
public final class Filter {

    /** Stack size to give threads that run filters: deep enough for lines of many kilobytes. */
    public static final long STACK_SIZE = 64L << 20;

    private static final System.Logger LOG = System.getLogger(Filter.class.getName());
    private static final Duration LAST_DATE_VALID = Duration.ofSeconds(60);
    private static final int MLFID_MAX = 100;
    private static final Duration MLFID_TTL = Duration.ofMinutes(5);
    private static final Pattern PLAIN_IPV4 = Pattern.compile("(?:\\p{Nd}{1,3}\\.){3}\\p{Nd}{1,3}\\n?");

    /**
     * One failure as fail2ban-regex sees it (a failregex hit, failure or not).
     *
     * @param intTime fail2ban holds the time as a Python int, not a float (see {@link DateMatch#integral})
     */
    public record Match(int failRegex, IpAddr id, Instant time, boolean intTime, boolean noFail, Map<String, Object> data) {

        /** The log lines of the failure, dates included. */
        public List<String> lines() {
            Object m = data.get("matches");
            if (!(m instanceof List)) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (Object l : (List<?>) m) {
                out.add(l instanceof PyRepr.Tuple ? joinTuple((PyRepr.Tuple) l) : String.valueOf(l));
            }
            return out;
        }

        private static String joinTuple(PyRepr.Tuple t) {
            StringBuilder sb = new StringBuilder();
            for (Object o : t.items()) {
                sb.append(o);
            }
            return sb.toString();
        }
    }

    /**
     * What a line did, for fail2ban-regex.
     *
     * @param matches         the hits: real failures, and (with {@link #setCheckAllRegex}) the
     *                        no-failure and pending ones (id null) fail2ban-regex counts too
     * @param prefMatched     the prefregex matched (false when there is none; like fail2ban, a line
     *                        that ends before the prefregex is tried keeps the state of the last one)
     * @param prefGroups      the groups of that prefregex match
     * @param ignoredBy       the indexes of the ignoreregexes that matched
     * @param abandoned       the line ran out of its time budget
     * @param lineWithoutDate the line with its date cut out
     * @param consumedLines   earlier lines of a multi-line window that this line's match used up
     * @param line            the line as fail2ban-regex shows it: as given, or, with a time known
     *                        from the source (the journal), that time's text before it
     */
    public record LineReport(List<Match> matches, boolean prefMatched, Map<String, Object> prefGroups,
            List<Integer> ignoredBy, boolean abandoned, String lineWithoutDate, List<String> consumedLines, String line) {
    }

    /** A hit inside the filter: the failure's data is shared with the multi-line cache until it is reported. */
    private record Found(int index, IpAddr fid, Instant date, boolean intDate, Map<String, Object> fail) {
    }

    private record CachedFail(Map<String, Object> fail, Instant expires) {
    }

    private final Clock clock;
    private final DateDetector dates;
    private final HostResolver resolver;
    private final GuardedText text;
    private TaggedRegex prefRegex;
    /** The prefregex for {@link #dateLine}, which may run on another thread, with its own budget. */
    private TaggedRegex prefAhead;
    private final GuardedText aheadText;
    private final List<TaggedRegex> failRegex = new ArrayList<>();
    private final List<TaggedRegex> ignoreRegex = new ArrayList<>();
    private String useDns = "warn";
    private int maxLines = 1;
    private String logTimeZone;
    private List<SplitLine> lineBuffer = new ArrayList<>();
    private String lastTimeText = "";
    private Instant lastDate;
    private boolean lastDateInt;
    /** The time of the current line is a Python int in fail2ban (see {@link DateMatch#integral}). */
    private boolean dateInt;
    private final LinkedHashMap<String, CachedFail> mlfidCache = new LinkedHashMap<>();

    private boolean checkAllRegex;
    private boolean ignorePending = true;
    private boolean returnRawHost;
    private boolean checkFindTime = true;
    private boolean inOperation = true;
    private long findTime = 600;
    private long abandoned;
    private final Map<String, Instant> warnedUntil = new LinkedHashMap<>();

    // what the current line did, for processDetailed
    private List<Integer> ignoredBy;
    /** The list {@link #ignoredBy} points to while a line is processed: one for all lines. */
    private final List<Integer> ignoredScratch = new ArrayList<>();
    private String lineWithoutDate = "";
    private String shownLine = "";

    public Filter(Clock clock) {
        this(clock, new HostResolver(clock, Duration.ofSeconds(2)));
    }

    /** A filter sharing a resolver (and its cache) with other filters. */
    public Filter(Clock clock, HostResolver resolver) {
        this.clock = clock;
        this.dates = new DateDetector(clock);
        this.resolver = resolver;
        this.text = new GuardedText(Duration.ofMillis(250).toNanos());
        this.aheadText = new GuardedText(text.budgetNanos());
    }

    // ------------------------------------------------------------------ configuration

    /** Adds a failregex. @throws RegexException naming the regex (and position) when it is unusable */
    public synchronized void addFailRegex(String regex) {
        TaggedRegex r;
        try {
            r = TaggedRegex.compileFail(regex, useDns, maxLines > 1, prefRegex);
        } catch (RegexException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            throw e;
        }
        failRegex.add(r);
    }

    /** Removes a failregex by index; an index out of range is logged and ignored, as fail2ban does. */
    public synchronized void delFailRegex(int index) {
        if (index < 0 || index >= failRegex.size()) {
            LOG.log(System.Logger.Level.ERROR, "Cannot remove regular expression. Index {0} is not valid", index);
            return;
        }
        failRegex.remove(index);
    }

    /** The failregexes with their tags replaced (what fail2ban's {@code get JAIL failregex} shows). */
    public synchronized List<String> failRegex() {
        return failRegex.stream().map(TaggedRegex::regex).toList();
    }

    public synchronized void addIgnoreRegex(String regex) {
        TaggedRegex r;
        try {
            r = TaggedRegex.compile(regex, useDns, false);
        } catch (RegexException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            throw e;
        }
        ignoreRegex.add(r);
    }

    public synchronized void delIgnoreRegex(int index) {
        if (index < 0 || index >= ignoreRegex.size()) {
            LOG.log(System.Logger.Level.ERROR, "Cannot remove regular expression. Index {0} is not valid", index);
            return;
        }
        ignoreRegex.remove(index);
    }

    public synchronized List<String> ignoreRegex() {
        return ignoreRegex.stream().map(TaggedRegex::regex).toList();
    }

    /** Sets the prefregex; null or empty removes it. */
    public synchronized void setPrefRegex(String regex) {
        this.prefRegex = regex == null || regex.isEmpty() ? null : TaggedRegex.compile(regex, useDns, false);
        this.prefAhead = prefRegex == null ? null : prefRegex.copy();
    }

    /** The prefregex with its tags replaced, or null. */
    public synchronized String prefRegex() {
        return prefRegex == null ? null : prefRegex.regex();
    }

    /**
     * Sets the window of lines multi-line regexes see. Failregexes added afterwards are compiled
     * for several lines when it is above 1 (fail2ban sets maxlines before its regexes).
     */
    public synchronized void setMaxLines(int maxLines) {
        if (maxLines <= 0) {
            throw new IllegalArgumentException("maxlines must be integer greater than zero");
        }
        this.maxLines = maxLines;
    }

    public synchronized int maxLines() {
        return maxLines;
    }

    /** Sets a {@code datepattern} ({@code {^LN-BEG}}, {@code %Y-%m-%d %H:%M:%S}, ...); null for the default library. */
    public synchronized void setDatePattern(String pattern) {
        dates.setPattern(pattern);
    }

    public synchronized String datePattern() {
        return dates.pattern();
    }

    /**
     * What fail2ban-regex shows for the date pattern: the template's name when the pattern makes
     * one or two templates, else "Default Detectors".
     */
    public synchronized String datePatternName() {
        List<DateTemplateHits> t = dates.stats();
        return t.isEmpty() || t.size() > 2 ? "Default Detectors" : t.get(0).name();
    }

    /** The date templates in their current order with their hits (fail2ban-regex's "Date template hits"). */
    public synchronized List<DateTemplateHits> dateTemplates() {
        return dates.stats();
    }

    /** Sets {@code logtimezone} in fail2ban's syntax ({@code UTC+0200}, ...); null or empty for local time. */
    public synchronized void setLogTimeZone(String zone) {
        String z = zone == null || zone.isEmpty() ? null : zone;
        dates.setTimeZone(z);
        this.logTimeZone = z;
    }

    public synchronized String logTimeZone() {
        return logTimeZone;
    }

    /** Sets {@code usedns}: yes, warn, no or raw (anything else is logged and taken as "no"). */
    public synchronized void setUseDns(String value) {
        String v = value == null ? "" : value.toLowerCase(java.util.Locale.ROOT);
        if (v.equals("true")) {
            v = "yes";
        } else if (v.equals("false")) {
            v = "no";
        }
        if (!List.of("yes", "warn", "no", "raw").contains(v)) {
            LOG.log(System.Logger.Level.ERROR, "Incorrect value {0} specified for usedns. Using safe ''no''", value);
            v = "no";
        }
        this.useDns = v;
    }

    public synchronized String useDns() {
        return useDns;
    }

    /** Sets {@code findtime}: while not in operation, older lines are skipped as fail2ban skips them. */
    public synchronized void setFindTime(long seconds) {
        this.findTime = seconds;
    }

    /**
     * In operation (the default) a line dated more than a minute away from now is taken as
     * happening now; out of operation (catching up on a log's old content) lines older than
     * findtime are skipped. Sources switch to operation at the end of what was already written.
     */
    public synchronized void setInOperation(boolean inOperation) {
        this.inOperation = inOperation;
    }

    /** Off: dates are taken as they are, whatever their distance from now (fail2ban-regex, replays). */
    public synchronized void setCheckFindTime(boolean check) {
        this.checkFindTime = check;
    }

    /** Tries every failregex on each line and reports no-failure and pending hits too (fail2ban-regex). */
    public synchronized void setCheckAllRegex(boolean all) {
        this.checkAllRegex = all;
    }

    /** Off: hits whose id is not known yet (multi-line) are reported with a null id. */
    public synchronized void setIgnorePending(boolean ignore) {
        this.ignorePending = ignore;
    }

    /** Keeps host names as they are, no DNS (fail2ban-regex -r). */
    public synchronized void setReturnRawHost(boolean raw) {
        this.returnRawHost = raw;
    }

    /** The CPU time one line may take in all its regexes before it is abandoned. */
    public synchronized void setMatchBudget(Duration budget) {
        text.setBudget(budget.toNanos());
        aheadText.setBudget(budget.toNanos());
    }

    /** Lines abandoned so far because they ran out of their time budget (or of stack). */
    public synchronized long abandonedLines() {
        return abandoned;
    }

    // ------------------------------------------------------------------ processing

    /**
     * Processes one log line and returns the failures it completes (usually none or one).
     *
     * @param knownTime the time the source knows for the line (journal), or null
     */
    public synchronized List<Failure> process(String line, Instant knownTime) {
        List<Found> found = processLine(line, knownTime, null);
        if (found.isEmpty()) {
            return List.of();
        }
        Instant now = clock.instant();
        List<Failure> out = new ArrayList<>(found.size());
        for (Found f : found) {
            if (f.fid == null || truthy(f.fail.get("nofail"))) {
                continue;
            }
            Instant t = checkFindTime && f.date.isAfter(now) ? now : f.date;
            Object ip = f.fail.get("ip");
            IpAddr addr = ip instanceof IpAddr ? (IpAddr) ip : f.fid.isValid() ? f.fid : null;
            out.add(new Failure(f.fid.toString(), addr, t, joined(f.fail.get("matches")), tags(f.fail)));
        }
        return out;
    }

    /** Processes one line and tells all it did (fail2ban-regex). */
    public LineReport processDetailed(String line, Instant knownTime) {
        return processDetailed(line, knownTime, true);
    }

    /**
     * Processes one line and tells what it did; without {@code withData} the matches and the
     * prefregex carry no captured values (quicker when only counts matter).
     */
    public synchronized LineReport processDetailed(String line, Instant knownTime, boolean withData) {
        return detailed(line, knownTime, null, withData);
    }

    /**
     * A line whose date is already found (see {@link #dateLine}): the first step of processing
     * it, done ahead, so that one thread can read and date the lines of a big log while another
     * matches those before.
     */
    public static final class DatedLine {
        final String line;
        final DateMatch date;
        /** The date's search overflowed the stack: the line is abandoned, as in {@link #process}. */
        final boolean overflow;
        /** The text the prefregex was searched in ahead (the line without its date), or null. */
        String prefText;
        /** The group offsets of that search, null when it failed. */
        int[] prefSpans;
        /** That search ran out of its budget (or stack). */
        boolean prefAbandoned;

        private DatedLine(String line, DateMatch date, boolean overflow) {
            this.line = line;
            this.date = date;
            this.overflow = overflow;
        }

        public String line() {
            return line;
        }
    }

    /**
     * Finds the date of a line for {@link #processDetailed(DatedLine, boolean)}. This touches the
     * date detector only, so it may run on another thread than the processing, provided the
     * lines are dated in the order they are then processed, one thread at a time, and nothing
     * else uses the filter's date settings meanwhile (fail2ban-regex's reader thread).
     */
    public DatedLine dateLine(String line) {
        DatedLine d;
        try {
            d = new DatedLine(line, dates.match(line), false);
        } catch (StackOverflowError e) {
            return new DatedLine(line, null, true);
        }
        TaggedRegex pref = prefAhead;
        if (pref != null && maxLines == 1) {
            // the prefregex depends on the line alone: searched here too, in the text the
            // filter will search (the line without its date) unless the filter finds another
            String buf;
            if (d.date == null) {
                buf = line + "\n";
            } else {
                int s = Math.max(0, Math.min(d.date.start(), line.length()));
                int e = Math.max(s, Math.min(d.date.end(), line.length()));
                buf = s == 0 ? line.substring(e) + "\n" : line.substring(0, s) + line.substring(e) + "\n";
            }
            d.prefText = buf;
            aheadText.startLine();
            try {
                d.prefSpans = pref.search(aheadText, buf, List.of()) ? pref.spans() : null;
            } catch (GuardedText.OverBudget | StackOverflowError e) {
                d.prefAbandoned = true;
            }
        }
        return d;
    }

    /**
     * {@link #processDetailed(String, Instant, boolean)} of a line dated by {@link #dateLine}:
     * the same report as when the date is found here.
     */
    public synchronized LineReport processDetailed(DatedLine line, boolean withData) {
        return detailed(line.line, null, line, withData);
    }

    private LineReport detailed(String line, Instant knownTime, DatedLine dated, boolean withData) {
        List<SplitLine> before = maxLines > 1 ? new ArrayList<>(lineBuffer) : List.of();
        ignoredScratch.clear();
        ignoredBy = ignoredScratch;
        int abandonedBefore = (int) abandoned;
        List<Found> found = processLine(line, knownTime, dated);
        List<Match> matches = found.isEmpty() ? List.of() : new ArrayList<>(found.size());
        for (Found f : found) {
            matches.add(new Match(f.index, f.fid, f.date, f.intDate, truthy(f.fail.get("nofail")), withData ? snapshot(f.fail) : Map.of()));
        }
        List<String> consumed = List.of();
        if (maxLines > 1) {
            consumed = new ArrayList<>();
            boolean full = before.size() >= maxLines;
            for (SplitLine l : before.subList(full ? 1 : 0, before.size())) {
                if (!lineBuffer.contains(l)) {
                    consumed.add(l.text());
                }
            }
        }
        List<Integer> ign = ignoredBy.isEmpty() ? List.of() : List.copyOf(ignoredBy);
        ignoredBy = null;
        // like fail2ban's, the prefregex keeps its last match when a line returned before reaching it
        boolean pref = prefRegex != null && prefRegex.hasMatched();
        Map<String, Object> groups = pref && withData ? Collections.unmodifiableMap(prefRegex.groups()) : Map.of();
        return new LineReport(matches, pref, groups, ign, abandoned != abandonedBefore, lineWithoutDate, consumed,
                shownLine);
    }

    private List<Found> processLine(String line, Instant knownTime, DatedLine dated) {
        lineWithoutDate = line;
        shownLine = line;
        text.startLine();
        if (dated != null && dated.overflow) {
            return abandon(line);
        }
        try {
            return findFailureAt(line, knownTime, dated);
        } catch (GuardedText.OverBudget | StackOverflowError e) {
            return abandon(line);
        }
    }

    private List<Found> abandon(String line) {
        abandoned++;
        LOG.log(System.Logger.Level.WARNING, "Line abandoned, its regex matching took too long ({0} characters): {1}",
                line.length(), line.length() > 200 ? line.substring(0, 200) + "..." : line);
        return List.of();
    }

    /**
     * fail2ban's processLine: cut the date out, settle the line's time, then look for failures.
     *
     * @param dated the line's date found ahead, or null to find it here
     */
    private List<Found> findFailureAt(String line, Instant knownTime, DatedLine dated) {
        Instant now = clock.instant();
        boolean noDate = false;
        SplitLine tuple;
        Instant date = null;
        dateInt = false;
        if (knownTime != null) {
            // as fail2ban's journal backend: the entry's time, as Python's isoformat() of the
            // local time, stands before the line (failures show it with their lines)
            tuple = new SplitLine("", isoLocal(knownTime) + " ", line);
            lastTimeText = tuple.date();
            shownLine = tuple.text();
            lastDate = knownTime;
            lastDateInt = false;
            date = knownTime;
        } else {
            DateMatch m = dated != null ? dated.date : dates.match(line);
            if (m != null) {
                int s = Math.max(0, Math.min(m.start(), line.length()));
                int e = Math.max(s, Math.min(m.end(), line.length()));
                String dt = line.substring(s, e);
                tuple = new SplitLine(line.substring(0, s), dt, line.substring(e));
                if (!dt.isEmpty()) {
                    if (m.time() != null) {
                        date = m.time();
                        dateInt = m.integral();
                        lastTimeText = dt;
                        lastDate = date;
                        lastDateInt = dateInt;
                    } else {
                        LOG.log(System.Logger.Level.ERROR, "findFailure failed to parse timeText: {0}", dt);
                    }
                } else if (lastDateRecent(now)) {
                    tuple = new SplitLine("", lastTimeText, line);
                    date = lastDate;
                    dateInt = lastDateInt;
                } else {
                    date = now;
                }
            } else {
                tuple = new SplitLine("", "", line);
            }
            if (date == null) {
                noDate = true;
                if (lastDateRecent(now)) {
                    tuple = new SplitLine("", lastTimeText, line);
                    date = lastDate;
                    dateInt = lastDateInt;
                } else if (checkFindTime && inOperation) {
                    date = now;
                }
            }
        }
        if (checkFindTime && date != null) {
            if (inOperation) {
                long delta = Duration.between(now, date).getSeconds();
                if (Math.abs(delta) > 60) {
                    warnOnce("simByTime", now, "Detected a log entry " + Math.abs(delta) + "s " + (delta < 0 ? "before" : "after")
                            + " the current time in operation mode. This looks like a "
                            + (delta >= -3300 && delta < 0 ? "latency" : "timezone")
                            + " problem. Treating such entries as if they just happened.\n"
                            + "Please check a jail for a timing issue. Line with odd timestamp: " + line);
                    date = now;
                    dateInt = false;
                    lastDate = date;
                    lastDateInt = false;
                }
            } else if (date.isBefore(now.minusSeconds(findTime))) {
                warnOnce("ignByTime", now, "Ignoring all log entries older than " + findTime
                        + "s; these are probably messages generated while fail2ban was not running.\n"
                        + "Please check a jail for a timing issue. Line with odd timestamp: " + line);
                return List.of();
            }
        }
        lineWithoutDate = tuple.withoutDate();
        return findFailure(tuple, date, noDate, dated);
    }

    /** Python's {@code datetime.isoformat()} of the local time: microseconds only when there are some. */
    private String isoLocal(Instant t) {
        java.time.LocalDateTime l = java.time.LocalDateTime.ofInstant(t, clock.getZone());
        String s = String.format(java.util.Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", l.getYear(), l.getMonthValue(),
                l.getDayOfMonth(), l.getHour(), l.getMinute(), l.getSecond());
        int micros = l.getNano() / 1000;
        return micros == 0 ? s : s + String.format(java.util.Locale.ROOT, ".%06d", micros);
    }

    private boolean lastDateRecent(Instant now) {
        return lastDate != null && lastDate.isAfter(now.minus(LAST_DATE_VALID));
    }

    private void warnOnce(String key, Instant now, String message) {
        Instant until = warnedUntil.get(key);
        if (until != null && now.isBefore(until)) {
            LOG.log(System.Logger.Level.DEBUG, message);
            return;
        }
        warnedUntil.put(key, now.plus(Duration.ofDays(1)));
        LOG.log(System.Logger.Level.WARNING, message);
    }

    private static String buffer(List<SplitLine> lines) {
        if (lines.size() == 1) {
            SplitLine l = lines.get(0);
            return l.before().isEmpty() ? l.after() + "\n" : l.before() + l.after() + "\n";
        }
        StringBuilder sb = new StringBuilder();
        for (SplitLine l : lines) {
            sb.append(l.withoutDate()).append('\n');
        }
        return sb.toString();
    }

    /** fail2ban's findFailure: the hits of one line (with the window of lines before it). */
    private List<Found> findFailure(SplitLine tupleLine, Instant date, boolean noDate, DatedLine ahead) {
        List<Found> failList = new ArrayList<>(0);
        int defcidr = useDns.equals("raw") || returnRawHost ? IpAddr.CIDR_RAW : IpAddr.CIDR_UNSPEC;
        List<SplitLine> orgBuffer;
        if (maxLines > 1) {
            if (!(lineBuffer instanceof ArrayList)) {
                lineBuffer = new ArrayList<>(lineBuffer);
            }
            lineBuffer.add(tupleLine);
            if (lineBuffer.size() > maxLines) {
                lineBuffer = new ArrayList<>(lineBuffer.subList(lineBuffer.size() - maxLines, lineBuffer.size()));
            }
            orgBuffer = lineBuffer;
        } else {
            lineBuffer = List.of(tupleLine);
            orgBuffer = lineBuffer;
        }
        String buf = buffer(orgBuffer);

        if (!ignoreRegex.isEmpty() && ignoreRegex.size() < failRegex.size() - 2) {
            if (ignoreLine(buf, orgBuffer, null) >= 0) {
                return failList;
            }
        }

        // the prefregex's groups join a failure's; made only when a failregex matches
        Map<String, Object> preGroups = prefRegex == null ? Map.of() : null;
        if (prefRegex != null) {
            boolean found;
            if (ahead != null && ahead.prefText != null && maxLines == 1 && ahead.prefText.equals(buf)) {
                if (ahead.prefAbandoned) {
                    throw new GuardedText.OverBudget();
                }
                found = prefRegex.adopt(buf, orgBuffer, ahead.prefSpans);
            } else {
                found = prefRegex.search(text, buf, orgBuffer);
            }
            if (!found) {
                return failList;
            }
            String repl = prefRegex.group("content");
            if (truthy(repl)) {
                SplitLine content = new SplitLine("", "", repl);
                lineBuffer = maxLines > 1 ? new ArrayList<>(List.of(content)) : List.of(content);
                buf = null;
            }
        }

        for (int index = 0; index < failRegex.size(); index++) {
            TaggedRegex fr = failRegex.get(index);
            if (buf == null) {
                buf = buffer(lineBuffer);
            }
            if (!fr.search(text, buf, orgBuffer)) {
                continue;
            }
            Map<String, Object> fail = fr.groups();
            if (!ignoreRegex.isEmpty() && ignoreLine(buf, orgBuffer, fr) >= 0) {
                buf = null;
                if (!checkAllRegex) {
                    break;
                }
                continue;
            }
            if (noDate) {
                warnOnce("noTime", clock.instant(), "Found a match but no valid date/time found for "
                        + PyRepr.repr(tupleLine.date()) + ".\nMatch without a timestamp: "
                        + String.join("\n", texts(fr.matchedLines()))
                        + "\nPlease try setting a custom date pattern (see man page jail.conf(5)).");
                if (date == null && checkFindTime) {
                    continue;
                }
            }
            if (!checkAllRegex || maxLines > 1) {
                lineBuffer = fr.unmatchedLines();
                buf = null;
            }
            int cidr = defcidr;
            boolean raw = defcidr == IpAddr.CIDR_RAW;
            if (preGroups == null) {
                preGroups = prefRegex.groups();
                preGroups.remove("content");
            }
            if (!preGroups.isEmpty()) {
                Map<String, Object> curr = fail;
                fail = new PyDict(preGroups, curr.size() + 4);
                fail.putAll(curr);
            }
            Object mlfid = fail.get("mlfid");
            if (mlfid != null) {
                fail = mergeFailure(str(mlfid), fail, fr);
                if (truthy(fail.get("nofail")) && !checkAllRegex) {
                    return failList;
                }
            } else {
                fail.put("matches", concat(fail.get("matches"), fr.matchedLines()));
            }
            Object fid = fail.get("fid");
            Object ip = fail.get("ip4");
            if (ip != null) {
                cidr = cidrOf(fail.get("cidr"), IpAddr.FAM_IPV4);
                raw = true;
            } else {
                ip = fail.get("ip6");
                if (ip != null) {
                    cidr = cidrOf(fail.get("cidr"), IpAddr.FAM_IPV6);
                    raw = true;
                } else {
                    ip = fail.get("dns");
                    if (ip == null) {
                        if (fid == null && mlfid == null) {
                            try {
                                fid = fr.failId(TaggedRegex.FAILURE_ID_GROUPS);
                            } catch (RegexException e) {
                                LOG.log(System.Logger.Level.ERROR, e.getMessage());
                                continue;
                            }
                        }
                        ip = fid;
                        raw = true;
                    }
                }
            }
            List<IpAddr> fids;
            if (ip == null) {
                fail.put("mlfpending", 1);
                if (!checkAllRegex && ignorePending) {
                    return failList;
                }
                fids = Collections.singletonList(null);
            } else if (raw) {
                IpAddr f;
                if (fid == null || fid.equals(ip)) {
                    f = IpAddr.of(str(ip), ip instanceof PyRepr.Tuple ? IpAddr.CIDR_RAW : cidr);
                } else {
                    fail.put("ip", IpAddr.of(str(ip), cidr));
                    f = IpAddr.of(str(fid), fid instanceof PyRepr.Tuple ? IpAddr.CIDR_RAW : defcidr);
                }
                fids = List.of(f);
            } else {
                fids = textToIp(str(ip));
            }
            if (checkAllRegex && mlfid != null) {
                fail = new PyDict(fail);
            }
            for (IpAddr f : fids) {
                failList.add(new Found(index, f, date, dateInt, fail));
            }
            if (!checkAllRegex) {
                break;
            }
        }
        return failList;
    }

    private static int cidrOf(Object cidr, int family) {
        if (!truthy(cidr)) {
            return family;
        }
        try {
            return Integer.parseInt(str(cidr));
        } catch (NumberFormatException e) {
            return family;
        }
    }

    /** Returns the index of the (last, with checkAllRegex) ignoreregex that matched, or -1. */
    private int ignoreLine(String buf, List<SplitLine> orgBuffer, TaggedRegex fr) {
        if (fr != null && maxLines > 1) {
            orgBuffer = fr.matchedLines();
            buf = buffer(orgBuffer);
        }
        int found = -1;
        for (int i = 0; i < ignoreRegex.size(); i++) {
            if (!ignoreRegex.get(i).search(text, buf, orgBuffer)) {
                continue;
            }
            found = i;
            if (ignoredBy != null) {
                ignoredBy.add(i);
            }
            if ((!checkAllRegex || maxLines > 1) && fr != null) {
                lineBuffer = new ArrayList<>(fr.unmatchedLines());
            }
            if (!checkAllRegex) {
                break;
            }
        }
        return found;
    }

    /** fail2ban's DNSUtils.textToIp: a dotted quad as it is, else (usedns yes/warn) the name's addresses. */
    private List<IpAddr> textToIp(String host) {
        if (PLAIN_IPV4.matcher(host).matches()) {
            IpAddr ip = IpAddr.of(host.strip(), IpAddr.CIDR_UNSPEC);
            if (ip.isValid()) {
                return List.of(ip);
            }
        }
        if (useDns.equals("yes") || useDns.equals("warn")) {
            List<IpAddr> ips = resolver.addresses(host);
            if (!ips.isEmpty() && useDns.equals("warn")) {
                LOG.log(System.Logger.Level.WARNING, "Determined IP using DNS Lookup: {0} = {1}", host, ips);
            }
            return ips;
        }
        return List.of();
    }

    // ------------------------------------------------------------------ multi-line failures

    private CachedFail mlfidGet(String mlfid) {
        CachedFail c = mlfidCache.get(mlfid);
        if (c == null) {
            return null;
        }
        if (c.expires.isAfter(clock.instant())) {
            return c;
        }
        mlfidCache.remove(mlfid);
        return null;
    }

    private void mlfidSet(String mlfid, Map<String, Object> fail) {
        Instant now = clock.instant();
        if (mlfidCache.size() >= MLFID_MAX) {
            for (Iterator<CachedFail> it = mlfidCache.values().iterator(); it.hasNext(); ) {
                CachedFail old = it.next();
                it.remove();
                if (old.expires.isAfter(now) && mlfidCache.size() < MLFID_MAX) {
                    break;
                }
            }
        }
        mlfidCache.put(mlfid, new CachedFail(fail, now.plus(MLFID_TTL)));
    }

    @SuppressWarnings("unchecked")
    private static Set<String> updateUsers(Map<String, Object> fail, Object user) {
        Set<String> users = (Set<String>) fail.get("users");
        if (truthy(user)) {
            if (users == null || users.isEmpty()) {
                users = new LinkedHashSet<>();
                fail.put("users", users);
            }
            users.add(str(user));
        }
        return users;
    }

    /**
     * Puts a multi-line failure together under its connection id: remembers users, pending hits
     * (id not known yet), no-failure hits and their lines, forgets on a disconnect; a gained
     * (successful) login clears what was pending.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> mergeFailure(String mlfid, Map<String, Object> fail, TaggedRegex fr) {
        CachedFail cached = mlfidCache.isEmpty() ? null : mlfidGet(mlfid);
        Set<String> users = null;
        int nfflgs = 0;
        if (truthy(fail.get("mlfgained"))) {
            nfflgs |= 8 | 1;
            if (!truthy(fail.get("nofail"))) {
                fail.put("nofail", fail.get("mlfgained"));
            }
        } else if (truthy(fail.get("nofail"))) {
            nfflgs |= 1;
        }
        if (truthy(fail.remove("mlfforget"))) {
            nfflgs |= 2;
        }
        if (cached != null) {
            Map<String, Object> groups = cached.fail;
            users = updateUsers(groups, fail.get("user"));
            if (truthy(groups.remove("nofail"))) {
                nfflgs |= 4;
            }
            if (truthy(groups.remove("mlfgained"))) {
                nfflgs |= 4;
            }
            if ((nfflgs & 8) != 0) {
                groups.remove("mlfpending");
            }
            if ((nfflgs & 4) == 0 && !truthy(groups.get("mlfpending"))) {
                groups.remove("matches");
            }
            for (Map.Entry<String, Object> e : fail.entrySet()) {
                if (e.getValue() != null) {
                    groups.put(e.getKey(), e.getValue());
                }
            }
            fail = groups;
            if ((nfflgs & 2) != 0) {
                mlfidCache.remove(mlfid);
            }
        } else if ((nfflgs & 2) == 0) {
            users = updateUsers(fail, fail.get("user"));
            mlfidSet(mlfid, fail);
        }
        if (truthy(fail.remove("mlfpending")) || (users != null && users.size() > 1)) {
            fail.remove("nofail");
            fail.remove("mlfgained");
            nfflgs &= ~(8 | 1);
        }
        if ((nfflgs & 1) == 0) {
            Object nm = fail.remove("nofail-matches");
            List<SplitLine> m = nm == null ? new ArrayList<>() : (List<SplitLine>) nm;
            Object prev = fail.get("matches");
            if (prev != null) {
                m.addAll((List<SplitLine>) prev);
            }
            if ((nfflgs & 8) == 0) {
                m.addAll(fr.matchedLines());
            }
            fail.put("matches", m);
        } else if ((nfflgs & 3) == 1) {
            fail.put("nofail-matches", concat(fail.get("nofail-matches"), fr.matchedLines()));
        }
        return fail;
    }

    // ------------------------------------------------------------------ values

    /** A regex with fail2ban's tags replaced (as fail2ban-regex shows it to debuggex). */
    public static String resolveTags(String regex, String useDns) {
        return RegexTags.localFlags(RegexTags.resolve(regex, useDns));
    }

    /** Python truthiness of a captured value: None, "" and empty collections are false. */
    static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof String) {
            return !((String) v).isEmpty();
        }
        if (v instanceof Collection) {
            return !((Collection<?>) v).isEmpty();
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue() != 0;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        return true;
    }

    /** Python str() of a captured value. */
    static String str(Object v) {
        if (v instanceof String) {
            return (String) v;
        }
        if (v instanceof PyRepr.Tuple || v == null) {
            return PyRepr.repr(v);
        }
        if (v instanceof Set) {
            return setRepr((Set<?>) v);
        }
        return v.toString();
    }

    /** repr() of a Python set, elements in the order they were added. */
    public static String setRepr(Set<?> s) {
        if (s.isEmpty()) {
            return "set()";
        }
        StringBuilder sb = new StringBuilder("{");
        for (Object o : s) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(PyRepr.repr(o));
        }
        return sb.append('}').toString();
    }

    @SuppressWarnings("unchecked")
    private static List<SplitLine> concat(Object prev, List<SplitLine> more) {
        List<SplitLine> m = new ArrayList<>();
        if (prev != null) {
            m.addAll((List<SplitLine>) prev);
        }
        m.addAll(more);
        return m;
    }

    private static List<String> texts(List<SplitLine> lines) {
        List<String> out = new ArrayList<>(lines.size());
        for (SplitLine l : lines) {
            out.add(l.text());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<String> joined(Object matches) {
        return matches instanceof List ? texts((List<SplitLine>) matches) : List.of();
    }

    /** A failure's captured values as text for actions: all but the lines (which travel apart) and None values. */
    private static Map<String, String> tags(Map<String, Object> fail) {
        Map<String, String> t = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : fail.entrySet()) {
            String k = e.getKey();
            if (e.getValue() == null || k.equals("matches") || k.equals("nofail-matches")) {
                continue;
            }
            t.put(k, str(e.getValue()));
        }
        return t;
    }

    /**
     * A copy of a failure's data for fail2ban-regex: lines as Python tuples (before the date,
     * the date, after it), sets copied.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> snapshot(Map<String, Object> fail) {
        Map<String, Object> d = new PyDict(fail.size());
        for (Map.Entry<String, Object> e : fail.entrySet()) {
            Object v = e.getValue();
            if (e.getKey().equals("matches") || e.getKey().equals("nofail-matches")) {
                List<PyRepr.Tuple> t = new ArrayList<>();
                for (SplitLine l : (List<SplitLine>) v) {
                    t.add(PyRepr.Tuple.of(l.before(), l.date(), l.after()));
                }
                v = Collections.unmodifiableList(t);
            } else if (v instanceof Set) {
                v = Collections.unmodifiableSet(new LinkedHashSet<>((Set<String>) v));
            }
            d.put(e.getKey(), v);
        }
        return Collections.unmodifiableMap(d);
    }
}
