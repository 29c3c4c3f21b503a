package org.jfail2ban.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Optional;
import org.jfail2ban.config.ConfigException;
import org.jfail2ban.config.FilterFile;
import org.jfail2ban.config.OptionSpec;
import org.jfail2ban.config.ShellWords;
import org.jfail2ban.filter.DateTemplateHits;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.filter.RegexException;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.source.JournalSource;

/**
 * One run of {@code fail2ban-regex}: reads the regexes (or the filter), feeds the log through a
 * {@link Filter} set up as fail2ban-regex sets it up, counts, and prints fail2ban's report (or,
 * with {@code -o}, only the failures).
 */
final class RegexRun {

    private static final Pattern FILTER_NAME = Pattern.compile("/{0,3}[\\w/_\\-.]+(?:\\[.*\\])?\\n?",
            Pattern.DOTALL | Pattern.UNICODE_CHARACTER_CLASS);
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.US);

    /** A regex with its hits, as the report lists it. */
    private static final class RegexStat {
        final String regex;
        int hits;
        final List<String[]> ips = new ArrayList<>();

        RegexStat(String regex) {
            this.regex = regex;
        }
    }

    private final RegexMain.Options o;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Filter filter;
    private final int shownMax;
    private final int verbose;
    private final RegexOutput format;

    /** fail2ban-regex's backend: {@code systemd} for the journal, which makes filters read {@code logtype = journal}. */
    private String backend = "auto";
    /** The journal match words: -m, else the filter's last journalmatch. */
    private List<String> journalMatch;
    /** With the journal, and no datepattern set before it, fail2ban-regex has no date detector (and lists no templates). */
    private boolean noDateDetector;
    private boolean maxLinesSet;
    private boolean datePatternSet;
    private List<RegexStat> failRegex = new ArrayList<>();
    private List<RegexStat> ignoreRegex = new ArrayList<>();
    private int prefMatched;
    private final List<Object> prefGroups = new ArrayList<>();

    private long tested;
    private long matched;
    private long missed;
    private long ignored;
    private final List<String> matchedLines = new ArrayList<>();
    private final List<String> missedLines = new ArrayList<>();
    private final List<String> ignoredLines = new ArrayList<>();
    private final List<String[]> debugMatched = new ArrayList<>();
    private final List<String[]> debugMissed = new ArrayList<>();
    private final List<String[]> debugIgnored = new ArrayList<>();
    private double elapsed = -1;

    RegexRun(RegexMain.Options o, PrintWriter out, PrintWriter err) {
        this.o = o;
        this.out = out;
        this.err = err;
        this.verbose = o.verbosityLevel();
        this.filter = new Filter(Clock.systemDefaultZone());
        this.shownMax = o.maxLines != 0 ? o.maxLines : 20;
        this.format = o.out == null ? null : new RegexOutput(o.out, out, filter);
    }

    /** What fail2ban-regex prints unless -o asks for the failures only. */
    private void info(String s) {
        if (o.out == null) {
            out.println(s);
        }
    }

    boolean run() {
        if (o.out == null) {
            out.println();
            out.println("Running tests");
            out.println("=============");
            out.println();
        }
        try {
            if (o.maxLines != 0) {
                setMaxLines(o.maxLines);
            }
            if (o.timezone != null && !o.timezone.isEmpty()) {
                filter.setLogTimeZone(o.timezone);
            }
            filter.setCheckFindTime(false);
            if (o.datePattern != null && !o.datePattern.isEmpty()) {
                setDatePattern(o.datePattern);
            }
            if (o.useDns != null && !o.useDns.isEmpty()) {
                filter.setUseDns(o.useDns);
            }
            filter.setReturnRawHost(o.raw);
            if (o.journalMatch != null) {
                journalMatch = ShellWords.split(o.journalMatch);
            }
            filter.setCheckAllRegex(!o.noCheckAll && o.out == null);
            filter.setIgnorePending(o.out != null);
        } catch (IllegalArgumentException e) {
            out.println("ERROR: " + e.getMessage());
            return false;
        }
        String log = o.args.get(0);
        if (log.startsWith("systemd-journal")) {
            backend = "systemd";
        }
        try {
            if (!readRegex(o.args.get(1), "fail")) {
                return false;
            }
            if (o.args.size() == 3 && !readRegex(o.args.get(2), "ignore")) {
                return false;
            }
        } catch (RegexException e) {
            out.println("ERROR: " + e.getMessage());
            return false;
        }
        Path file = Path.of(log.indexOf('\0') >= 0 ? "\0" : log.isEmpty() ? "." : log);
        LogLines lines;
        if (!log.isEmpty() && log.indexOf('\0') < 0 && Files.isRegularFile(file)) {
            try {
                lines = LogLines.file(file, o.encoding);
            } catch (IOException | IllegalArgumentException e) {
                out.println(e.getMessage());
                return false;
            }
            info("Use         log file : " + log);
            info("Use         encoding : " + o.encoding);
        } else if (log.startsWith("systemd-journal")) {
            lines = journal(log);
            if (lines == null) {
                return false;
            }
        } else if (filter.maxLines() <= 1 && log.indexOf('\n') < 0) {
            info("Use      single line : " + shortStr(log.replace("\n", "\\n")));
            lines = LogLines.of(List.of(log));
        } else {
            List<String> l = List.of(log.split("\n", -1));
            info("Use      multi line : " + l.size() + " line(s)");
            for (int i = 0; i < l.size(); i++) {
                if (i >= 5) {
                    info("| ...");
                    break;
                }
                String n = String.valueOf(i + 1);
                info("| " + String.format("%2s", n.length() > 2 ? n.substring(0, 2) : n) + ": " + shortStr(l.get(i)));
            }
            info("`-");
            lines = LogLines.of(l);
        }
        info("");
        try (LogLines l = lines; Progress progress = Progress.start(err, lines.size())) {
            process(l, progress);
        } catch (IOException e) {
            out.println("ERROR: " + e.getMessage());
            return false;
        }
        printStats();
        return true;
    }

    /**
     * {@code systemd-journal[journalpath=..., journalfiles=..., journalflags=..., namespace=...]}:
     * the journal's entries as the systemd backend formats them, with the entries' own times.
     * Null (after saying why) when it cannot be read.
     */
    private LogLines journal(String log) {
        if (!JournalSource.available()) {
            out.println("Error: systemd library not found. Exiting...");
            return null;
        }
        info("Use         systemd journal");
        info("Use         encoding : " + o.encoding);
        JournalSource source = new JournalSource();
        try {
            OptionSpec spec = OptionSpec.parse(log);
            for (Map.Entry<String, String> e : spec.options().entrySet()) {
                source.setOption(e.getKey(), e.getValue());
            }
            source.setEncoding(java.nio.charset.Charset.forName(o.encoding));
            // the entries carry their time: no date detector unless one was asked for
            if (!datePatternSet) {
                datePatternSet = true;
                noDateDetector = true;
            }
            if (journalMatch != null && !journalMatch.isEmpty()) {
                source.addMatch(journalMatch);
                info("Use    journal match : " + String.join(" ", journalMatch));
            }
        } catch (IllegalArgumentException e) {
            out.println("ERROR: " + e.getMessage());
            return null;
        }
        return LogLines.journal(source);
    }

    private void setMaxLines(int v) {
        if (!maxLinesSet) {
            filter.setMaxLines(v);
            maxLinesSet = true;
            info("Use         maxlines : " + filter.maxLines());
        }
    }

    private void setDatePattern(String pattern) {
        if (!datePatternSet) {
            filter.setDatePattern(pattern);
            datePatternSet = true;
            if (pattern != null) {
                info("Use      datepattern : " + pattern + " : " + filter.datePatternName());
            }
        }
    }

    // ---------------------------------------------------------------- regexes and filters

    private boolean readRegex(String value, String type) {
        String regexName = type + "regex";
        Path basedir = Path.of(o.config);
        String fltName = value;
        Path fltFile = null;
        Map<String, String> fltOpt = new LinkedHashMap<>();
        if (type.equals("fail") && FILTER_NAME.matcher(value).matches()) {
            try {
                OptionSpec p = OptionSpec.parse(value);
                fltName = p.name();
                fltOpt = p.options();
                String tail = fltName.length() > 6 ? fltName.substring(fltName.length() - 6) : fltName;
                List<String> tries = tail.contains(".") ? List.of(fltName) : List.of(fltName, fltName + ".conf", fltName + ".local");
                for (String t : tries) {
                    Path f;
                    if (!t.contains("/")) {
                        f = isFilterD(basedir) ? basedir.resolve(t) : basedir.resolve("filter.d").resolve(t);
                    } else {
                        f = Path.of(t);
                        basedir = f.getParent() == null ? Path.of("") : f.getParent();
                    }
                    if (Files.isRegularFile(f)) {
                        fltFile = f;
                        break;
                    }
                }
            } catch (IllegalArgumentException e) {
                out.println("ERROR: Wrong filter name or options: " + e.getMessage());
                out.println("       while parsing: " + value);
                return false;
            }
        }
        if (fltFile == null) {
            info("Use " + String.format("%11s", regexName) + " line : " + shortStr(value));
            addRegexes(type, List.of(value));
            return true;
        }
        String tail = fltName.length() > 6 ? fltName.substring(fltName.length() - 6) : fltName;
        boolean inDir = basedir.equals(Path.of(o.config)) || isFilterD(basedir) || (!tail.contains(".") && !fltName.contains("/"));
        if (inDir) {
            if (isFilterD(basedir)) {
                basedir = basedir.getParent() == null ? Path.of("") : basedir.getParent();
            }
            String base = Path.of(fltName).getFileName().toString();
            int dot = base.lastIndexOf('.');
            fltName = dot > 0 ? base.substring(0, dot) : base;
            info("Use " + String.format("%11s", regexName) + " filter file : " + fltName + ", basedir: " + basedir);
        } else {
            info("Use " + String.format("%11s", regexName) + " file : " + fltName);
        }
        if (!fltOpt.isEmpty()) {
            info("Use   filter options : " + PyRepr.repr(fltOpt));
        }
        Optional<FilterFile> read;
        try {
            read = inDir ? FilterFile.read(basedir, fltName, fltOpt, backend) : FilterFile.readFile(Path.of(fltName), fltOpt, backend);
        } catch (ConfigException e) {
            out.println("Wrong config file: " + e.getMessage());
            read = Optional.empty();
        }
        if (read.isEmpty()) {
            out.println("ERROR: failed to load filter " + value);
            return false;
        }
        if (verbose > 1 || RegexLog.level(o.logLevel).intValue() <= java.util.logging.Level.FINE.intValue()) {
            info("Real  filter options : " + PyRepr.repr(read.get().realOptions()));
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (List<Object> cmd : read.get().commands()) {
            List<?> optval;
            if (cmd.get(0).equals("multi-set")) {
                optval = (List<?>) cmd.get(3);
            } else if (cmd.get(0).equals("set")) {
                optval = cmd.subList(3, cmd.size());
            } else {
                continue;
            }
            String what = (String) cmd.get(2);
            Object current = null;
            try {
                for (Object v : optval) {
                    current = v;
                    switch (what) {
                        case "prefregex" -> filter.setPrefRegex(PyRepr.str(v));
                        case "addfailregex" -> values.computeIfAbsent("fail", k -> new ArrayList<>()).add(PyRepr.str(v));
                        case "addignoreregex" -> values.computeIfAbsent("ignore", k -> new ArrayList<>()).add(PyRepr.str(v));
                        case "maxlines" -> setMaxLines(v instanceof Integer i ? i : Integer.parseInt(PyRepr.str(v).strip()));
                        case "datepattern" -> setDatePattern(PyRepr.str(v));
                        default -> {
                            // usedns is the command line's; the journal match is taken whole below
                        }
                    }
                }
                if (what.equals("addjournalmatch") && o.journalMatch == null) {
                    // like fail2ban-regex, the last journalmatch of the filter is the one used
                    journalMatch = optval.stream().map(PyRepr::str).toList();
                }
            } catch (RegexException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                out.println("ERROR: Invalid value for " + what + " (" + PyRepr.repr(current) + ") read from "
                        + value + ": " + e.getMessage());
                return false;
            }
        }
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            addRegexes(e.getKey(), e.getValue());
        }
        return true;
    }

    private static boolean isFilterD(Path dir) {
        return dir.getFileName() != null && dir.getFileName().toString().equals("filter.d");
    }

    private void addRegexes(String type, List<String> regexes) {
        List<RegexStat> stats = new ArrayList<>();
        for (String r : regexes) {
            stats.add(new RegexStat(r));
        }
        if (type.equals("fail")) {
            failRegex = stats;
            for (RegexStat r : stats) {
                filter.addFailRegex(r.regex);
            }
        } else {
            ignoreRegex = stats;
            for (RegexStat r : stats) {
                filter.addIgnoreRegex(r.regex);
            }
        }
    }

    static String shortStr(String s) {
        return s.codePointCount(0, s.length()) > 53 ? s.substring(0, s.offsetByCodePoints(0, 50)) + "..." : s;
    }

    // ---------------------------------------------------------------- lines

    /**
     * Tests the lines. A reader thread reads, decodes and dates them (the date detector is the
     * first step of each line and depends on the lines before only) while this thread matches
     * the regexes of the lines before: the same lines reach the filter in the same order, so the
     * report is the one of a single thread.
     */
    private void process(LogLines lines, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        try (RegexReader reader = new RegexReader(lines, filter)) {
            for (RegexReader.Item it; (it = reader.next()) != null; ) {
                progress.line(it.position);
                if (it.dated == null && it.known == null) {
                    continue; // an empty line or a comment
                }
                test(it);
            }
        }
        elapsed = (System.nanoTime() - t0) / 1e9;
    }

    private void test(RegexReader.Item it) {
        Instant known = it.known;
        String line = it.line;
        boolean withData = format != null || verbose > 0;
        Filter.LineReport r = it.dated != null ? filter.processDetailed(it.dated, withData)
                : filter.processDetailed(line, known, withData);
        if (known != null) {
            line = r.line();
        }
        List<Filter.Match> ret = List.of();
        boolean isIgnored = !r.ignoredBy().isEmpty();
        for (int i : r.ignoredBy()) {
            ignoreRegex.get(i).hits++;
        }
        for (Filter.Match m : r.matches()) {
            if (format == null) {
                RegexStat s = failRegex.get(m.failRegex());
                s.hits++;
                if (verbose > 0) {
                    // only -v lists the failures under their regex
                    long t = (m.time() != null ? m.time() : Instant.now()).getEpochSecond();
                    s.ips.add(new String[] {m.id() == null ? "None" : m.id().toString(), String.valueOf(t),
                            ret.size() > 1 ? "multi" : ""});
                }
            }
            if (!m.noFail()) {
                if (ret.isEmpty()) {
                    ret = new ArrayList<>(2);
                }
                ret.add(m);
            } else {
                isIgnored = true;
            }
        }
        if (format != null) {
            if (!ret.isEmpty()) {
                format.print(ret);
            }
            return;
        }
        if (r.prefMatched()) {
            prefMatched++;
            if (verbose > 0) {
                if (prefGroups.size() < shownMax) {
                    prefGroups.add(r.prefGroups());
                } else if (prefGroups.size() == shownMax) {
                    prefGroups.add("...");
                }
            }
        }
        String stripped = r.lineWithoutDate();
        for (String consumed : r.consumedLines()) {
            int i = missedLines.indexOf(consumed);
            if (i >= 0) {
                missedLines.remove(i);
                if (o.debuggex) {
                    debugMissed.remove(i < debugMissed.size() ? i : debugMissed.size() - 1);
                }
            }
            if (o.printAllMatched) {
                matchedLines.add(consumed);
            }
            matched++;
            missed--;
        }
        if (isIgnored) {
            ignored++;
            if (!o.printNoIgnored && (o.printAllIgnored || ignored <= shownMax + 1)) {
                ignoredLines.add(line);
                debugIgnored.add(new String[] {stripped});
            }
        } else if (!ret.isEmpty()) {
            matched++;
            if (o.printAllMatched) {
                matchedLines.add(line);
                debugMatched.add(new String[] {stripped});
            }
        } else {
            missed++;
            if (!o.printNoMissed && (o.printAllMissed || missed <= shownMax + 1)) {
                missedLines.add(line);
                debugMissed.add(new String[] {stripped});
            }
        }
        tested++;
    }

    // ---------------------------------------------------------------- report

    private void printList(List<String> l, String header) {
        if (l.isEmpty()) {
            return;
        }
        String s = header != null ? "|- " + header + "\n" : "";
        out.println(s + "|  " + String.join("\n|  ", l) + "\n`-");
    }

    private int printRegexes(String title, List<RegexStat> regexes) {
        int total = 0;
        List<String> l = new ArrayList<>();
        for (int i = 0; i < regexes.size(); i++) {
            RegexStat r = regexes.get(i);
            total += r.hits;
            if (r.hits > 0 || verbose > 0) {
                l.add(String.format("%2d) [%d] %s", i + 1, r.hits, r.regex));
            }
            if (verbose > 0) {
                for (String[] ip : r.ips) {
                    String t = CTIME.format(Instant.ofEpochSecond(Long.parseLong(ip[1])).atZone(ZoneId.systemDefault()));
                    l.add("    " + ip[0] + "  " + t + (ip[2].isEmpty() ? "" : " (multiple regex matched)"));
                }
            }
        }
        out.println("\n" + title + ": " + total + " total");
        printList(l, " #) [# of hits] regular expression");
        return total;
    }

    private void printStats() {
        if (format != null) {
            return;
        }
        out.println();
        out.println("Results");
        out.println("=======");
        if (filter.prefRegex() != null) {
            List<String> l = new ArrayList<>();
            l.add(filter.prefRegex());
            if (verbose > 0) {
                for (Object g : prefGroups) {
                    l.add("    " + (g instanceof String ? g : pyDict(g)));
                }
            }
            out.println("\nPrefregex: " + prefMatched + " total");
            printList(l, null);
        }
        printRegexes("Failregex", failRegex);
        printRegexes("Ignoreregex", ignoreRegex);
        if (!noDateDetector) {
            printDateTemplates();
        }
        out.println("\nLines: " + tested + " lines, " + ignored + " ignored, " + matched + " matched, " + missed + " missed");
        if (elapsed >= 0) {
            out.println(String.format(Locale.ROOT, "[processed in %.2f sec]", elapsed));
        }
        out.println();
        if (o.printAllMatched) {
            printLines("matched", matched, matchedLines, debugMatched, o.printAllMatched);
        }
        if (!o.printNoIgnored) {
            printLines("ignored", ignored, ignoredLines, debugIgnored, o.printAllIgnored);
        }
        if (!o.printNoMissed) {
            printLines("missed", missed, missedLines, debugMissed, o.printAllMissed);
        }
    }

    /** "Date template hits:" with each template that dated a line (all with -v; with --VD their weights and expressions). */
    private void printDateTemplates() {
        out.println("\nDate template hits:");
        List<String> l = new ArrayList<>();
        for (DateTemplateHits t : filter.dateTemplates()) {
            if (verbose > 0 || t.hits() > 0) {
                l.add("[" + t.hits() + "] " + t.name());
                if (o.verboseDate) {
                    l.add("    # weight: " + fixed3(t.weight()) + " (" + fixed3(t.templateWeight()) + "), pattern: " + t.pattern());
                    l.add("    # regex:   " + t.regex());
                }
            }
        }
        printList(l, "[# of hits] date format");
    }

    /** Python's {@code "%.3f"}: the exact binary value rounded half to even. */
    static String fixed3(double d) {
        return new java.math.BigDecimal(d).setScale(3, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    @SuppressWarnings("unchecked")
    private static String pyDict(Object g) {
        Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) g);
        return RegexOutput.repr(m);
    }

    private void printLines(String type, long count, List<String> lines, List<String[]> stripped, boolean all) {
        if (count == 0) {
            return;
        }
        String header = Character.toUpperCase(type.charAt(0)) + type.substring(1) + " line(s):";
        if (o.debuggex) {
            List<RegexStat> regexes = type.equals("ignored") ? ignoreRegex : failRegex;
            if (count < shownMax || all) {
                List<String> b = new ArrayList<>();
                for (String[] s : stripped) {
                    for (RegexStat r : regexes) {
                        b.add(RegexOutput.rstrip(s[0] + " | " + r.regex + " |  "
                                + RegexOutput.debuggexUrl(s[0], r.regex, filter.maxLines() > 1, o.useDns)));
                    }
                }
                printList(b, header);
            } else {
                out.println(header + " too many to print.  Use --print-all-" + type + " to print all " + count + " lines");
            }
        } else if (count < shownMax || all) {
            List<String> b = new ArrayList<>();
            for (String s : lines) {
                b.add(RegexOutput.rstrip(s));
            }
            printList(b, header);
        } else {
            out.println(header + " too many to print.  Use --print-all-" + type + " to print all " + count + " lines");
        }
    }
}
