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
import org.jfail2ban.filter.DateTemplateHits;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.filter.RegexException;
import org.jfail2ban.protocol.PyRepr;

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
            filter.setCheckAllRegex(!o.noCheckAll && o.out == null);
            filter.setIgnorePending(o.out != null);
        } catch (IllegalArgumentException e) {
            out.println("ERROR: " + e.getMessage());
            return false;
        }
        String log = o.args.get(0);
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
            out.println("Error: systemd library not found. Exiting...");
            return false;
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
                RegexOptions.Parsed p = RegexOptions.extract(value);
                fltName = p.name();
                fltOpt = p.options();
                String tail = fltName.length() > 6 ? fltName.substring(fltName.length() - 6) : fltName;
                List<String> tries = tail.contains(".") ? List.of(fltName) : List.of(fltName, fltName + ".conf", fltName + ".local");
                for (String t : tries) {
                    Path f;
                    if (!t.contains("/")) {
                        f = basedir.getFileName() != null && basedir.getFileName().toString().equals("filter.d")
                                ? basedir.resolve(t) : basedir.resolve("filter.d").resolve(t);
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
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (fltFile != null) {
            String tail = fltName.length() > 6 ? fltName.substring(fltName.length() - 6) : fltName;
            boolean inFilterD = basedir.getFileName() != null && basedir.getFileName().toString().equals("filter.d");
            Path readBase;
            String readName;
            if (basedir.equals(Path.of(o.config)) || inFilterD || (!tail.contains(".") && !fltName.contains("/"))) {
                if (inFilterD) {
                    basedir = basedir.getParent() == null ? Path.of("") : basedir.getParent();
                }
                String base = Path.of(fltName).getFileName().toString();
                int dot = base.lastIndexOf('.');
                fltName = dot > 0 ? base.substring(0, dot) : base;
                info("Use " + String.format("%11s", regexName) + " filter file : " + fltName + ", basedir: " + basedir);
                readBase = basedir;
                readName = fltName;
            } else {
                info("Use " + String.format("%11s", regexName) + " file : " + fltName);
                readBase = null;
                readName = Path.of(fltName).toAbsolutePath().toString();
            }
            if (!fltOpt.isEmpty()) {
                info("Use   filter options : " + PyRepr.repr(fltOpt));
            }
            List<RegexFilterReader.Setting> settings;
            try {
                RegexFilterReader.Read read = RegexFilterReader.readFull(readBase, readName, fltOpt, "file");
                settings = read.settings();
                if (verbose > 1 || RegexLog.level(o.logLevel).intValue() <= java.util.logging.Level.FINE.intValue()) {
                    info("Real  filter options : " + PyRepr.repr(read.realOptions()));
                }
            } catch (RegexFilterReader.ReadException e) {
                out.println("Wrong config file: " + e.getMessage());
                out.println("ERROR: failed to load filter " + value);
                return false;
            }
            for (RegexFilterReader.Setting s : settings) {
                try {
                    switch (s.name()) {
                        case "prefregex":
                            filter.setPrefRegex(s.values().get(0));
                            break;
                        case "addfailregex":
                            values.computeIfAbsent("fail", k -> new ArrayList<>()).addAll(s.values());
                            break;
                        case "addignoreregex":
                            values.computeIfAbsent("ignore", k -> new ArrayList<>()).addAll(s.values());
                            break;
                        case "maxlines":
                            setMaxLines(Integer.parseInt(s.values().get(0)));
                            break;
                        case "datepattern":
                            setDatePattern(s.values().get(0));
                            break;
                        default:
                            break;
                    }
                } catch (RegexException e) {
                    throw e;
                } catch (IllegalArgumentException e) {
                    out.println("ERROR: Invalid value for " + s.name() + " (" + PyRepr.repr(s.values().get(0)) + ") read from "
                            + value + ": " + e.getMessage());
                    return false;
                }
            }
        } else {
            info("Use " + String.format("%11s", regexName) + " line : " + shortStr(value));
            values.put(type, List.of(value));
        }
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            List<RegexStat> stats = new ArrayList<>();
            for (String r : e.getValue()) {
                stats.add(new RegexStat(r));
            }
            if (e.getKey().equals("fail")) {
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
        return true;
    }

    static String shortStr(String s) {
        return s.codePointCount(0, s.length()) > 53 ? s.substring(0, s.offsetByCodePoints(0, 50)) + "..." : s;
    }

    // ---------------------------------------------------------------- lines

    private void process(LogLines lines, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        for (String line; (line = lines.next()) != null; ) {
            progress.line(lines.position());
            line = stripEol(line);
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            Filter.LineReport r = filter.processDetailed(line, null, format != null || verbose > 0);
            List<Filter.Match> ret = new ArrayList<>();
            boolean isIgnored = !r.ignoredBy().isEmpty();
            for (int i : r.ignoredBy()) {
                ignoreRegex.get(i).hits++;
            }
            for (Filter.Match m : r.matches()) {
                if (format == null) {
                    RegexStat s = failRegex.get(m.failRegex());
                    s.hits++;
                    long t = (m.time() != null ? m.time() : Instant.now()).getEpochSecond();
                    s.ips.add(new String[] {String.valueOf(m.id()), String.valueOf(t),
                            ret.size() > 1 ? "multi" : ""});
                }
                if (!m.noFail()) {
                    ret.add(m);
                } else {
                    isIgnored = true;
                }
            }
            if (format != null) {
                if (!ret.isEmpty()) {
                    format.print(ret);
                }
                continue;
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
        elapsed = (System.nanoTime() - t0) / 1e9;
    }

    private static String stripEol(String s) {
        int e = s.length();
        while (e > 0 && (s.charAt(e - 1) == '\n' || s.charAt(e - 1) == '\r')) {
            e--;
        }
        return e == s.length() ? s : s.substring(0, e);
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
        out.println("\nDate template hits:");
        List<String> l = new ArrayList<>();
        for (DateTemplateHits t : filter.dateTemplates()) {
            if (verbose > 0 || t.hits() > 0) {
                l.add("[" + t.hits() + "] " + t.name());
            }
        }
        printList(l, "[# of hits] date format");
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
