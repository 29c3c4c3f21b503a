package org.jfail2ban.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fail2ban-regex}: tests a filter (or a single regex) against a log file or a log line
 * and reports what matched, with fail2ban 1.0.2's arguments, options, report and exit status.
 */
public final class RegexMain {

    /** The options, named and defaulted as fail2ban-regex 1.0.2 has them. */
    @Command(name = "fail2ban-regex", sortOptions = false,
            customSynopsis = "fail2ban-regex [OPTIONS] <LOG> <REGEX> [IGNOREREGEX]",
            description = {
                "Tests a fail2ban filter, or single regular expressions, against a log.",
                "",
                "LOG:          a log line, or the path of a log file",
                "REGEX:        a failregex, a filter name looked up in CONFIG/filter.d (with options:",
                "              sshd[mode=aggressive]), or the path of a filter file",
                "IGNOREREGEX:  an ignoreregex",
                ""})
    static final class Options {
        @Option(names = {"-c", "--config"}, paramLabel = "CONFIG", description = "configuration directory (default /etc/fail2ban)")
        String config = "/etc/fail2ban";

        @Option(names = {"-d", "--datepattern"}, description = "date pattern to find the time of each line")
        String datePattern;

        @Option(names = {"--timezone", "--TZ"}, paramLabel = "TZ", description = "time zone of dates without one (UTC+0200, ...)")
        String timezone;

        @Option(names = {"-e", "--encoding"}, description = "encoding of the log file (default UTF-8)")
        String encoding = "UTF-8";

        @Option(names = {"-r", "--raw"}, description = "take host names as they are, no DNS")
        boolean raw;

        @Option(names = "--usedns", description = "how <HOST> treats names: yes, warn, no (addresses only), raw")
        String useDns;

        @Option(names = {"-L", "--maxlines"}, description = "lines a multi-line regex sees")
        int maxLines;

        @Option(names = {"-m", "--journalmatch"}, description = "journal matches (systemd-journal only)")
        String journalMatch;

        @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL", description = "log level of the messages shown (default critical)")
        String logLevel = "critical";

        @Option(names = "-V", description = "print the version in short form and exit")
        boolean shortVersion;

        @Option(names = {"-v", "--verbose"}, description = "more details (repeatable)")
        boolean[] verbose = new boolean[0];

        @Option(names = "--verbosity", description = "level of details (0..4)")
        Integer verbosity;

        @Option(names = {"--verbose-date", "--VD"}, description = "show the date templates' patterns")
        boolean verboseDate;

        @Option(names = {"-D", "--debuggex"}, description = "show debuggex.com links for the lines")
        boolean debuggex;

        @Option(names = "--no-check-all", description = "stop at the first failregex that matches a line")
        boolean noCheckAll;

        @Option(names = {"-o", "--out"}, description = "print only the failures, as: id, fid, ip, msg, row, a group name, or a template such as '<ip> <F-USER>'")
        String out;

        @Option(names = "--print-no-missed", description = "do not print the missed lines")
        boolean printNoMissed;

        @Option(names = "--print-no-ignored", description = "do not print the ignored lines")
        boolean printNoIgnored;

        @Option(names = "--print-all-matched", description = "print all matched lines")
        boolean printAllMatched;

        @Option(names = "--print-all-missed", description = "print all missed lines, however many")
        boolean printAllMissed;

        @Option(names = "--print-all-ignored", description = "print all ignored lines, however many")
        boolean printAllIgnored;

        @Option(names = {"-t", "--log-traceback"}, description = "accepted for compatibility")
        boolean logTraceback;

        @Option(names = "--full-traceback", description = "accepted for compatibility")
        boolean fullTraceback;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Option(names = "--version", versionHelp = true, description = "show the version and exit")
        boolean version;

        @Parameters(arity = "0..*", paramLabel = "ARG", hidden = true)
        List<String> args = new ArrayList<>();

        int verbosityLevel() {
            return verbosity != null ? verbosity : verbose.length;
        }
    }

    private RegexMain() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        RegexLog.configure(logLevel(args), out);
        System.exit(run(args, out, err));
    }

    /** The --log-level of the command line, read before the rest: the log is set up for the whole process. */
    private static String logLevel(String[] args) {
        String level = "critical";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if ((a.equals("-l") || a.equals("--log-level")) && i + 1 < args.length) {
                level = args[++i];
            } else if (a.startsWith("--log-level=")) {
                level = a.substring("--log-level=".length());
            } else if (a.startsWith("-l") && a.length() > 2) {
                level = a.substring(2);
            }
        }
        return level;
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        Options options = new Options();
        CommandLine cl = new CommandLine(options);
        cl.setAbbreviatedOptionsAllowed(true);
        cl.setOut(out);
        cl.setErr(err);
        cl.setUsageHelpWidth(100);
        try {
            CommandLine.ParseResult pr = cl.parseArgs(args);
            if (pr.isUsageHelpRequested()) {
                cl.usage(out);
                out.flush();
                return 0;
            }
            if (pr.isVersionHelpRequested()) {
                out.println("fail2ban-regex " + Version.COMPATIBLE + " (" + Version.banner() + ")");
                out.flush();
                return 0;
            }
        } catch (CommandLine.ParameterException e) {
            err.println("Usage: fail2ban-regex [OPTIONS] <LOG> <REGEX> [IGNOREREGEX]");
            err.println();
            err.println("fail2ban-regex: error: " + e.getMessage());
            err.flush();
            return 2;
        }
        try {
            return execute(options, cl, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int execute(Options o, CommandLine cl, PrintWriter out, PrintWriter err) {
        if (o.shortVersion) {
            out.println(Version.COMPATIBLE);
            return 0;
        }
        List<String> errors = new ArrayList<>();
        if (o.printNoMissed && o.printAllMissed) {
            errors.add("ERROR: --print-no-missed and --print-all-missed are mutually exclusive.");
        }
        if (o.printNoIgnored && o.printAllIgnored) {
            errors.add("ERROR: --print-no-ignored and --print-all-ignored are mutually exclusive.");
        }
        if (o.args.size() != 2 && o.args.size() != 3) {
            errors.add("ERROR: provide both <LOG> and <REGEX>.");
        }
        if (!errors.isEmpty()) {
            cl.usage(out);
            out.flush();
            err.println();
            err.println(String.join("\n", errors));
            return 255;
        }
        return new RegexRun(o, out, err).run() ? 0 : 255;
    }
}
