package org.jfail2ban.source;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The systemd journal as a jail's log source ({@code backend = systemd}): entries that satisfy
 * the jail's journal matches, formatted as fail2ban formats them ({@code HOST IDENT[PID]: MESSAGE}),
 * with the journal's own time.
 *
 * <p>It reads through {@code journalctl --output=export}, the journal's stable, documented
 * interface: the matches go to journalctl as its arguments ({@code +} between groups), so
 * entries that do not satisfy them never reach the daemon.
 * <ul>
 *   <li>The system journal (no {@code journalpath}/{@code journalfiles}) is followed by one
 *       {@code journalctl --follow}, which itself follows rotation and vacuuming; if it ends it
 *       is started again after the last entry read.</li>
 *   <li>A {@code journalpath} directory or {@code journalfiles} are looked at every
 *       {@linkplain #setPollInterval poll interval} (a directory listing, no process), and read
 *       by a short {@code journalctl} run after the last entry whenever their files changed. So a
 *       directory that vanishes and comes back, or files rotated into it, are followed, and
 *       explicit files (which journalctl cannot follow) are too.</li>
 * </ul>
 * One thread per source reads and delivers; the position ({@link JournalPosition}: the cursor
 * of the last entry and its time) is told after each batch for the store, and a restart resumes
 * after it. Without a position, or when it is older than {@linkplain #setFindTime findtime},
 * reading starts {@code findtime} back from now.
 */
public final class JournalSource implements LogSource {

    private static final System.Logger LOG = System.getLogger("org.jfail2ban.source");

    /** The origin of every line, the name fail2ban gives the journal in its database. */
    public static final String ORIGIN = "systemd-journal";

    // sd_journal_open() flags, as journalflags gives them
    static final int LOCAL_ONLY = 1;
    static final int RUNTIME_ONLY = 2;
    static final int SYSTEM = 4;
    static final int CURRENT_USER = 8;
    static final int OS_ROOT = 16;
    static final int ALL_NAMESPACES = 32;
    static final int INCLUDE_DEFAULT_NAMESPACE = 64;

    private static final Pattern FIELD = Pattern.compile("[A-Z_][A-Z0-9_]{0,63}");
    private static final Pattern CURSOR_TIME = Pattern.compile("(?:^|;)t=([0-9a-fA-F]+)(?:;|$)");
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Clock clock;
    private final String journalctl;
    private final List<List<String>> matches = new ArrayList<>();
    private Path path;
    private List<String> files = List.of();
    private Integer flags;
    private String namespace;
    private boolean follow;

    private volatile Charset encoding = LogEncoding.locale();
    private volatile String cursor;
    private volatile Duration findTime = Duration.ofMinutes(10);
    private volatile Consumer<JournalPosition> positions = p -> { };
    private volatile Duration pollInterval = Duration.ofMillis(250);
    private final SourceThread worker = new SourceThread("jfail2ban-journal");
    private volatile boolean restart;
    private Process process;
    private LineSink sink;
    private long sinkErrors;
    private Instant lastTime;

    /** Reads the journal with {@code journalctl} from the PATH, on the system clock. */
    public JournalSource() {
        this(Clock.systemUTC(), "journalctl");
    }

    /**
     * @param clock      what "now" is: the start of the findtime window
     * @param journalctl the journalctl program
     */
    public JournalSource(Clock clock, String journalctl) {
        this.clock = Objects.requireNonNull(clock);
        this.journalctl = Objects.requireNonNull(journalctl);
    }

    /** Whether {@code journalctl} can be run from the PATH: what {@code backend = systemd} needs. */
    public static boolean available() {
        String pathVar = System.getenv("PATH");
        for (String d : (pathVar == null ? "/usr/bin:/bin" : pathVar).split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "journalctl"))) {
                return true;
            }
        }
        return false;
    }

    // ---- matches: fail2ban's addjournalmatch / deljournalmatch

    /**
     * Adds journal matches as {@code addjournalmatch} takes them: {@code FIELD=value} words,
     * {@code +} between alternatives. Within a group, matches of one field are alternatives and
     * matches of different fields must all hold; the groups are alternatives, to each other and
     * to the groups added before.
     *
     * @throws IllegalArgumentException naming the word that is not {@code FIELD=value}
     */
    public void addMatch(List<String> words) {
        List<List<String>> groups = new ArrayList<>();
        List<String> group = new ArrayList<>();
        for (String w : words) {
            if (w.equals("+")) {
                groups.add(group);
                group = new ArrayList<>();
            } else {
                int eq = w.indexOf('=');
                if (eq < 0 || !FIELD.matcher(w.substring(0, eq)).matches()) {
                    throw new IllegalArgumentException("Error adding journal match for: " + String.join(" ", words)
                            + " ('" + w + "' is not FIELD=value)");
                }
                group.add(w);
            }
        }
        groups.add(group);
        synchronized (this) {
            for (List<String> g : groups) {
                if (!g.isEmpty()) {
                    matches.add(List.copyOf(g));
                }
            }
        }
        restart();
    }

    /**
     * Removes one group as {@code deljournalmatch} names it (its words, in order).
     *
     * @throws IllegalArgumentException when there is no such group
     */
    public void removeMatch(List<String> group) {
        synchronized (this) {
            if (!matches.remove(List.copyOf(group))) {
                throw new IllegalArgumentException("Match " + group + " not found");
            }
        }
        restart();
    }

    /** Removes every match ({@code deljournalmatch} without words): every entry is read. */
    public void clearMatches() {
        synchronized (this) {
            matches.clear();
        }
        restart();
    }

    /** The match groups, in the order they were added. */
    public synchronized List<List<String>> matches() {
        return List.copyOf(matches);
    }

    /** The matches as fail2ban's status shows them: groups joined by {@code " + "}. */
    public synchronized String describeMatches() {
        List<String> groups = new ArrayList<>();
        for (List<String> g : matches) {
            groups.add(String.join(" ", g));
        }
        return String.join(" + ", groups);
    }

    // ---- backend options: systemd[journalpath=..., journalfiles=..., journalflags=..., namespace=..., journalmatch=...]

    /**
     * Sets a backend option by its fail2ban name; {@code journalmatch} (ours) adds matches as
     * {@link #addMatch} does, words separated by white space.
     *
     * @throws IllegalArgumentException for an unknown option or a bad value
     */
    public void setOption(String name, String value) {
        switch (name) {
            case "journalpath" -> setPath(value == null || value.isBlank() ? null : Path.of(value.trim()));
            case "journalfiles" -> setFiles(value == null ? List.of() : List.of(value.trim().split("[\\s,]+")));
            case "journalflags" -> {
                try {
                    setFlags(value == null || value.isBlank() ? null : Integer.decode(value.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("journalflags must be a number: " + value, e);
                }
            }
            case "namespace" -> setNamespace(value == null || value.isBlank() ? null : value.trim());
            // ours: matches given with the source itself, e.g. fail2ban-regex 'systemd-journal[journalmatch="..."]'
            case "journalmatch" -> {
                if (value != null && !value.isBlank()) {
                    addMatch(List.of(value.trim().split("\\s+")));
                }
            }
            default -> throw new IllegalArgumentException("unknown option of backend systemd: " + name);
        }
    }

    /** {@code journalpath}: read the journal files of this directory (or null for the system journal). */
    public void setPath(Path directory) {
        synchronized (this) {
            this.path = directory;
        }
        restart();
    }

    /** {@code journalfiles}: read these journal files (globs allowed). */
    public void setFiles(List<String> globs) {
        synchronized (this) {
            List<String> f = new ArrayList<>();
            for (String g : globs) {
                if (!g.isBlank()) {
                    f.add(g);
                }
            }
            this.files = List.copyOf(f);
        }
        restart();
    }

    /**
     * {@code journalflags}: sd_journal_open() flags (1 local only, 2 runtime only, 4 system,
     * 8 current user, 16 path is an OS root, 32 all namespaces, 64 with the default namespace);
     * null for fail2ban's default, 4 on the system journal.
     */
    public void setFlags(Integer flags) {
        synchronized (this) {
            this.flags = flags;
        }
        restart();
    }

    /** {@code namespace}: the journal namespace to read (journald instances of that name). */
    public void setNamespace(String namespace) {
        synchronized (this) {
            this.namespace = namespace;
        }
        restart();
    }

    /** The encoding of fields that are not valid UTF-8 (the jail's logencoding; default the locale's). */
    public void setEncoding(Charset encoding) {
        this.encoding = Objects.requireNonNull(encoding);
    }

    public Charset encoding() {
        return encoding;
    }

    // ---- positions

    /** Resumes after the entry with this cursor (from the store), unless it is older than findtime. */
    public void resumeAfter(String cursor) {
        this.cursor = cursor == null || cursor.isBlank() ? null : cursor;
    }

    /** How far back to read at start when there is no (recent enough) cursor: the jail's findtime. */
    public void setFindTime(Duration findTime) {
        this.findTime = findTime.isNegative() ? Duration.ZERO : findTime;
    }

    /** Told the cursor and time of the last entry after each batch, for the store; runs on the source thread. */
    public void onPosition(Consumer<JournalPosition> listener) {
        this.positions = Objects.requireNonNull(listener);
    }

    /** How often a journalpath directory or journalfiles are looked at for changes. */
    public void setPollInterval(Duration interval) {
        this.pollInterval = SourceThread.pollInterval(interval);
    }

    /** For tests: the source's thread, once started. */
    Thread thread() {
        return worker.thread();
    }

    /** For tests: follow a journalpath directory with {@code journalctl --follow} too. */
    synchronized void followDirectory(boolean follow) {
        this.follow = follow;
    }

    // ---- running

    /**
     * Reads the whole journal (after the cursor, if one is set) to its end on the caller's thread,
     * without following it: what {@code fail2ban-regex systemd-journal[...]} does.
     *
     * @return the number of entries delivered
     * @throws IllegalStateException when the source runs already
     * @throws IOException when journalctl fails; its message is in the exception's
     */
    public long readAll(LineSink sink) throws IOException {
        Objects.requireNonNull(sink);
        if (worker.thread() != null) {
            throw new IllegalStateException("the journal source runs already");
        }
        this.sink = sink;
        Plan p = plan();
        Path errors = Files.createTempFile("jfail2ban-journalctl", ".err");
        try {
            Run r = runOnce(new Plan(false, p.path(), p.files(), p.flags(), p.namespace(), p.matches(), true), errors);
            if (r.exit() != 0) {
                throw new IOException("journalctl failed (exit " + r.exit() + "): " + r.error());
            }
            return r.entries();
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    @Override
    public void start(LineSink sink) {
        Objects.requireNonNull(sink);
        worker.start(() -> run(sink));
    }

    @Override
    public void close() {
        worker.close(() -> {
            synchronized (this) {
                if (process != null) {
                    process.destroy();
                }
            }
        });
    }

    /** What one journalctl run reads: a snapshot of the options. */
    record Plan(boolean follow, Path path, List<String> files, Integer flags, String namespace,
            List<List<String>> matches, boolean whole) {

        boolean scanned() {
            return !follow;
        }
    }

    synchronized Plan plan() {
        boolean system = path == null && files.isEmpty();
        return new Plan(system || follow && files.isEmpty(), path, files, flags, namespace, List.copyOf(matches), false);
    }

    private void restart() {
        restart = true;
        synchronized (this) {
            if (process != null) {
                process.destroy();
            }
        }
        signal();
    }

    private void run(LineSink lines) {
        this.sink = lines;
        Duration backoff = Duration.ofSeconds(1);
        List<String> seen = null;
        Path errors = null;
        try {
            try {
                errors = Files.createTempFile("jfail2ban-journalctl", ".err");
            } catch (IOException e) {
                LOG.log(Level.WARNING, "no temporary file for journalctl''s errors: {0}", e.toString());
            }
            while (!worker.closed()) {
                Plan plan = plan();
                boolean restarted = restart;
                restart = false;
                if (plan.scanned()) {
                    List<String> now = fingerprint(plan);
                    if (now.equals(seen) && !restarted) {
                        await(pollInterval);
                        continue;
                    }
                    seen = now;
                    if (now.isEmpty()) {
                        // no journal files (yet): nothing to run journalctl on
                        await(pollInterval);
                        continue;
                    }
                }
                Run r = runOnce(plan, errors);
                if (worker.closed()) {
                    break;
                }
                if (r.badCursor) {
                    LOG.log(Level.WARNING, "journal cursor {0} is not usable ({1}): reading from findtime back",
                            r.cursor, r.error);
                    if (Objects.equals(cursor, r.cursor)) {
                        cursor = null;
                    }
                    seen = null;
                    continue;
                }
                if (plan.follow()) {
                    if (restart) {
                        continue;
                    }
                    if (r.entries > 0) {
                        backoff = Duration.ofSeconds(1);
                    }
                    LOG.log(Level.WARNING, "journalctl ended (exit {0}){1}; starting it again in {2} s",
                            r.exit, r.error.isEmpty() ? "" : ": " + r.error, backoff.toSeconds());
                    await(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                } else {
                    if (r.exit != 0 && !restart) {
                        LOG.log(Level.WARNING, "journalctl failed (exit {0}): {1}", r.exit, r.error);
                        // try again at the next change, or after a while
                        seen = null;
                        await(backoff);
                        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                        continue;
                    }
                    backoff = Duration.ofSeconds(1);
                    await(pollInterval);
                }
            }
        } finally {
            synchronized (this) {
                if (process != null) {
                    process.destroy();
                }
            }
            if (errors != null) {
                try {
                    Files.deleteIfExists(errors);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
    }

    /** How one journalctl run went. */
    private record Run(int exit, long entries, String error, boolean badCursor, String cursor) {
    }

    private Run runOnce(Plan plan, Path errors) {
        String from = cursor;
        if (from != null) {
            Instant t = cursorTime(from);
            if (t != null && t.isBefore(clock.instant().minus(findTime))) {
                from = null;
            }
        }
        List<String> cmd = command(plan, from);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(errors == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(errors.toFile()));
        Process p;
        synchronized (this) {
            if (worker.closed()) {
                return new Run(0, 0, "", false, from);
            }
            try {
                p = pb.start();
            } catch (IOException e) {
                // no journalctl, or no process to be had now: tried again after a while
                return new Run(-1, 0, "cannot run " + journalctl + ": " + e.getMessage(), false, from);
            }
            process = p;
        }
        long entries = 0;
        try {
            ExportReader reader = new ExportReader(p.getInputStream());
            String skip = from;
            JournalEntry e;
            boolean told = true;
            while ((e = reader.next()) != null) {
                String c = e.cursor();
                if (skip != null) {
                    // --cursor includes the entry itself: it was read before
                    boolean same = skip.equals(c);
                    skip = null;
                    if (same) {
                        continue;
                    }
                }
                Instant time = JournalFormat.time(e);
                deliver(new LogLine(JournalFormat.line(e, encoding), ORIGIN, time));
                entries++;
                if (c != null) {
                    cursor = c;
                    told = false;
                    if (!reader.buffered()) {
                        tell(c, time);
                        told = true;
                    }
                }
                lastTime = time;
            }
            if (!told) {
                tell(cursor, lastTime);
            }
        } catch (IOException ex) {
            if (!worker.closed() && !restart) {
                LOG.log(Level.WARNING, "reading journalctl: {0}", ex.toString());
            }
        } finally {
            p.destroy();
            synchronized (this) {
                if (process == p) {
                    process = null;
                }
            }
        }
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            exit = -1;
        }
        String error = exit == 0 ? "" : lastLines(errors);
        boolean badCursor = exit != 0 && from != null && entries == 0 && !worker.closed() && !restart
                && error.toLowerCase(Locale.ROOT).contains("cursor");
        return new Run(exit, entries, error, badCursor, from);
    }

    private void tell(String c, Instant time) {
        try {
            positions.accept(new JournalPosition(c, time));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "journal position listener failed", e);
        }
    }

    private void deliver(LogLine line) {
        try {
            sink.accept(line);
        } catch (RuntimeException e) {
            if (sinkErrors++ % 1000 == 0) {
                LOG.log(Level.WARNING, "a journal entry was refused (" + sinkErrors + " so far)", e);
            }
        }
    }

    /** The journalctl command line for one run. */
    List<String> command(Plan plan, String from) {
        List<String> cmd = new ArrayList<>(List.of(journalctl, "--output=export",
                "--output-fields=" + JournalEntry.outputFields(), "--no-pager", "--quiet"));
        if (plan.follow()) {
            // without --no-tail, --follow shows at most 10 stored entries, even from a --cursor
            cmd.add("--follow");
            cmd.add("--no-tail");
        }
        int fl = plan.flags() == null ? 0 : plan.flags();
        if (plan.path() != null) {
            cmd.add(((fl & OS_ROOT) != 0 ? "--root=" : "--directory=") + plan.path());
        }
        for (Path f : expand(plan.files())) {
            cmd.add("--file=" + f);
        }
        if (plan.namespace() != null) {
            cmd.add("--namespace=" + ((fl & INCLUDE_DEFAULT_NAMESPACE) != 0 ? "+" : "") + plan.namespace());
        } else if ((fl & ALL_NAMESPACES) != 0) {
            cmd.add("--namespace=*");
        }
        if (plan.path() == null && plan.files().isEmpty()) {
            // fail2ban opens the system journal with SYSTEM (4) unless told otherwise
            int open = plan.flags() == null ? SYSTEM : fl;
            if ((open & SYSTEM) != 0) {
                cmd.add("--system");
            }
            if ((open & CURRENT_USER) != 0) {
                cmd.add("--user");
            }
            if ((open & LOCAL_ONLY) == 0 && plan.namespace() == null && (open & ALL_NAMESPACES) == 0) {
                // journalctl reads only this machine's journal unless told to merge
                cmd.add("--merge");
            }
            if ((open & RUNTIME_ONLY) != 0) {
                cmd.add("--directory=/run/log/journal");
            }
        }
        if (from != null) {
            cmd.add("--cursor=" + from);
        } else if (!plan.whole()) {
            Instant since = clock.instant().minus(findTime);
            cmd.add(String.format(Locale.ROOT, "--since=@%d.%06d", since.getEpochSecond(), since.getNano() / 1000));
        }
        boolean firstGroup = true;
        for (List<String> g : plan.matches()) {
            if (!firstGroup) {
                cmd.add("+");
            }
            cmd.addAll(g);
            firstGroup = false;
        }
        return cmd;
    }

    /** The realtime stamp a cursor carries ({@code t=} microseconds, hex), or null. */
    static Instant cursorTime(String cursor) {
        var m = CURSOR_TIME.matcher(cursor);
        if (!m.find()) {
            return null;
        }
        try {
            long us = Long.parseUnsignedLong(m.group(1), 16);
            return Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1000);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** What the journal files look like now (names, sizes, times); a change means new entries. */
    private static List<String> fingerprint(Plan plan) {
        List<String> fp = new ArrayList<>();
        if (plan.path() != null) {
            listJournals(plan.path(), 2, fp);
        }
        for (Path f : expand(plan.files())) {
            describe(f, fp);
        }
        return fp;
    }

    private static void listJournals(Path dir, int depth, List<String> out) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith(".journal") || n.endsWith(".journal~")) {
                    describe(p, out);
                } else if (depth > 1 && Files.isDirectory(p)) {
                    listJournals(p, depth - 1, out);
                }
            }
        } catch (IOException e) {
            // missing or unreadable: nothing there for now
        }
        out.sort(null);
    }

    private static void describe(Path p, List<String> out) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            out.add(p + "|" + a.fileKey() + "|" + a.size() + "|" + a.lastModifiedTime().toInstant());
        } catch (IOException e) {
            // gone meanwhile
        }
    }

    /** fail2ban expands journalfiles globs itself; so do we, for the look at what changed. */
    static List<Path> expand(List<String> globs) {
        List<Path> out = new ArrayList<>();
        for (String g : globs) {
            if (!hasGlob(g)) {
                if (Files.exists(Path.of(g))) {
                    out.add(Path.of(g));
                }
                continue;
            }
            Path p = Path.of(g);
            List<Path> current = new ArrayList<>();
            current.add(p.isAbsolute() ? p.getRoot() : Path.of(""));
            for (Path name : p) {
                List<Path> next = new ArrayList<>();
                String n = name.toString();
                for (Path base : current) {
                    if (!hasGlob(n)) {
                        Path r = base.resolve(n);
                        if (Files.exists(r)) {
                            next.add(r);
                        }
                        continue;
                    }
                    PathMatcher m = base.getFileSystem().getPathMatcher("glob:" + n);
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(base.toString().isEmpty() ? Path.of(".") : base)) {
                        for (Path c : ds) {
                            if (m.matches(c.getFileName())) {
                                next.add(base.resolve(c.getFileName()));
                            }
                        }
                    } catch (IOException e) {
                        // not a readable directory: no match there
                    }
                }
                current = next;
            }
            current.sort(null);
            for (Path c : current) {
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static String lastLines(Path errors) {
        if (errors == null) {
            return "";
        }
        try {
            byte[] b = Files.readAllBytes(errors);
            String s = new String(b, Math.max(0, b.length - 2000), Math.min(b.length, 2000), StandardCharsets.UTF_8).trim();
            return s.replace('\n', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private void await(Duration d) {
        worker.await(d);
    }

    private void signal() {
        worker.signal();
    }
}
