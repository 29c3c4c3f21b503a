package org.jfail2ban.source;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Follows a jail's log files and delivers their new lines, each exactly once and in order, across
 * rotation by rename-and-create and by copytruncate, deletion and re-creation, and files that
 * appear only later.
 *
 * <p>Changes are noticed through inotify on the files' directories (backend {@code auto} or
 * {@code pyinotify}), so a line is delivered within milliseconds of its newline being written;
 * backend {@code polling}, and any directory that cannot be watched, are checked every
 * {@linkplain #setPollInterval poll interval} instead. One thread per source reads and delivers;
 * it sleeps until a notice or the next poll, never spins.
 *
 * <p>After each batch of lines the position of the file ({@link FilePosition}: path, hash of
 * the first line, offset after the last complete line) goes to the {@linkplain #onPosition
 * position listener}, for the store; a restart resumes there when the file still starts with
 * the same line.
 */
public final class FileSource implements LogSource {

    private static final System.Logger LOG = System.getLogger("org.jfail2ban.source");

    /** How changes are noticed: fail2ban's backend names. */
    public enum Backend { AUTO, POLLING, PYINOTIFY }

    /** How long a file rotated away from its path is still read for lines its writer adds late. */
    static final Duration RETIRE_GRACE = Duration.ofSeconds(10);

    private final Backend backend;
    private final Clock clock;
    private final FileWatcher sharedWatcher;
    private final Set<Path> paths = new LinkedHashSet<>();
    private final Queue<Consumer<FileSource>> commands = new ConcurrentLinkedQueue<>();
    private final SourceThread worker = new SourceThread("jfail2ban-files");
    private final Set<Path> dirtyDirs = ConcurrentHashMap.newKeySet();
    /** Written by the source thread, read by the watcher thread: names that concern us per directory. */
    private final Map<Path, Set<Path>> interest = new ConcurrentHashMap<>();
    private final Set<Path> anyName = ConcurrentHashMap.newKeySet();
    private final FileWatcher.Listener listener = this::changed;

    private volatile Charset encoding = StandardCharsets.UTF_8;
    private volatile Consumer<FilePosition> positions = p -> { };
    private volatile Duration pollInterval = Duration.ofMillis(250);
    private volatile StartTime startTime;
    private long sinkErrors;

    // the source thread's own state
    private final Map<Path, TrackedFile> files = new LinkedHashMap<>();
    private FileWatcher watcher;
    private boolean ownWatcher;
    private LineReader reader;
    private LineSink sink;
    private Instant nextPoll = Instant.MIN;

    private record StartTime(Instant notBefore, Function<String, Instant> timeOf) {
    }

    /** A source with the system clock and its own inotify watcher (one more thread). */
    public FileSource(Backend backend) {
        this(backend, Clock.systemUTC(), null);
    }

    /**
     * @param clock   what "now" is (rotation grace times)
     * @param watcher a watcher shared by the server's sources, or null for one of its own; the
     *                source does not close a shared watcher
     */
    public FileSource(Backend backend, Clock clock, FileWatcher watcher) {
        this.backend = Objects.requireNonNull(backend);
        this.clock = Objects.requireNonNull(clock);
        this.sharedWatcher = watcher;
    }

    public Backend backend() {
        return backend;
    }

    /**
     * Adds a file; allowed while running. A file that does not exist yet is read from its start
     * once it appears. Adding a path twice has no effect.
     *
     * @param tail   start at its end (fail2ban's {@code logpath = FILE tail}) instead of its start
     * @param resume where a previous run stopped (from the store), or null; used only when the
     *               file's first line still has the same hash, and then even for {@code tail}
     */
    public void addPath(Path path, boolean tail, FilePosition resume) {
        if (worker.closed()) {
            return;
        }
        synchronized (paths) {
            if (!paths.add(path)) {
                LOG.log(Level.WARNING, "{0} already exists", path);
                return;
            }
        }
        TrackedFile file = TrackedFile.start(path, tail, resume, new LineReader(new LineCodec(encoding)));
        LOG.log(Level.INFO, "Added logfile: {0} (pos = {1}, hash = {2})", path,
                file.position().offset(), file.position().firstLineHash());
        command(s -> s.add(file));
    }

    /** Stops following a file; allowed while running. */
    public void removePath(Path path) {
        synchronized (paths) {
            if (!paths.remove(path)) {
                return;
            }
        }
        command(s -> s.remove(path));
    }

    /** The followed files, in the order they were added. */
    public List<Path> paths() {
        synchronized (paths) {
            return new ArrayList<>(paths);
        }
    }

    /** The encoding of the files' bytes (see {@link LogEncoding#forName}); invalid bytes become U+FFFD. */
    public void setEncoding(Charset encoding) {
        this.encoding = Objects.requireNonNull(encoding);
        signal();
    }

    public Charset encoding() {
        return encoding;
    }

    /** Told the position after each batch of delivered lines, for the store; runs on the source thread. */
    public void onPosition(Consumer<FilePosition> listener) {
        this.positions = Objects.requireNonNull(listener);
    }

    /** How often polled files are looked at (backend polling, unwatchable directories). */
    public void setPollInterval(Duration interval) {
        this.pollInterval = SourceThread.pollInterval(interval);
        signal();
    }

    /**
     * Like fail2ban, skip what is older than {@code notBefore} in files read from their start
     * (not tail): the first read searches the file by halves for the first line at or after that
     * time, so a big old log is not fed to the filter whole. Applies to files added afterwards.
     *
     * @param timeOf the time a line carries (the jail's date detection), or null when it has none
     */
    public void seekOnStart(Instant notBefore, Function<String, Instant> timeOf) {
        this.startTime = notBefore == null || timeOf == null ? null : new StartTime(notBefore, timeOf);
    }

    @Override
    public void start(LineSink sink) {
        Objects.requireNonNull(sink);
        worker.start(() -> run(sink));
    }

    @Override
    public void close() {
        if (!worker.close(() -> { })) {
            applyCommands();
            release();
        }
    }

    // ---- the source thread

    private void run(LineSink lines) {
        this.sink = lines;
        try {
            if (backend != Backend.POLLING) {
                watcher = sharedWatcher;
                if (watcher == null) {
                    try {
                        watcher = new FileWatcher();
                        ownWatcher = true;
                    } catch (IOException e) {
                        LOG.log(Level.WARNING, "inotify is not available ({0}): polling the log files", e.toString());
                    }
                }
            }
            reader = new LineReader(new LineCodec(encoding));
            while (!worker.closed()) {
                applyCommands();
                if (!reader.codec().charset().equals(encoding)) {
                    reader.setCodec(new LineCodec(encoding));
                }
                boolean more = round();
                if (!more) {
                    await();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "file source stopped", e);
            throw e;
        } finally {
            applyCommands();
            release();
        }
    }

    /** Looks at every file that had a notice, is due a poll, or has rotated files pending. */
    private boolean round() {
        Instant now = clock.instant();
        boolean pollDue = !now.isBefore(nextPoll);
        if (pollDue) {
            nextPoll = now.plus(pollInterval);
        }
        Set<Path> dirs = new java.util.HashSet<>();
        for (Path d : dirtyDirs) {
            if (dirtyDirs.remove(d)) {
                dirs.add(d);
            }
        }
        boolean more = false;
        for (TrackedFile f : new ArrayList<>(files.values())) {
            // a path removed meanwhile is not read again
            applyCommands();
            if (worker.closed()) {
                break;
            }
            if (files.get(f.abs) != f) {
                continue;
            }
            boolean notice = !java.util.Collections.disjoint(f.watchDirs, dirs);
            if (!f.watched && watcher != null && pollDue) {
                watch(f);
                // what changed before the watch began sent no notice: look once now
                notice |= f.watched;
            }
            boolean polled = pollDue && (!f.watched || f.hasRetired());
            if (notice || polled || f.behind) {
                try {
                    more |= f.poll(reading, !notice);
                } catch (RuntimeException e) {
                    // one file's trouble is no reason to stop reading the others
                    LOG.log(Level.ERROR, "reading " + f.origin() + " failed", e);
                    f.behind = false;
                }
                interestInAnyName(f);
            }
        }
        return more;
    }

    private void await() {
        Duration timeout = null;
        for (TrackedFile f : files.values()) {
            if (!f.watched || f.hasRetired()) {
                Duration untilPoll = Duration.between(clock.instant(), nextPoll);
                timeout = untilPoll.compareTo(pollInterval) < 0 ? untilPoll : pollInterval;
                break;
            }
        }
        worker.await(timeout);
    }

    private void add(TrackedFile f) {
        if (worker.closed()) {
            f.close();
            return;
        }
        TrackedFile old = files.put(f.abs, f);
        if (old != null) {
            unwatch(old);
            old.close();
        }
        if (watcher != null) {
            watch(f);
        }
        // first look in the next round: what is there already is read without waiting for a notice
        f.behind = true;
    }

    private void remove(Path path) {
        TrackedFile f = files.remove(path.toAbsolutePath().normalize());
        if (f != null) {
            unwatch(f);
            f.close();
        }
    }

    /** Watches the file's directory, and its symlink target's directory when it is a link. */
    private void watch(TrackedFile f) {
        unwatch(f);
        List<Path[]> wanted = new ArrayList<>();
        wanted.add(new Path[] {f.abs.getParent(), f.abs.getFileName()});
        if (Files.isSymbolicLink(f.abs)) {
            try {
                Path real = f.abs.toRealPath();
                if (!real.getParent().equals(f.abs.getParent())) {
                    wanted.add(new Path[] {real.getParent(), real.getFileName()});
                }
            } catch (IOException e) {
                // a dangling link: its directory is watched, the target is found once it exists
            }
        }
        boolean all = true;
        for (Path[] dn : wanted) {
            if (watcher.watch(dn[0], listener)) {
                f.watchDirs.add(dn[0]);
                interest.computeIfAbsent(dn[0], k -> ConcurrentHashMap.newKeySet()).add(dn[1]);
            } else {
                all = false;
            }
        }
        f.watched = all && !f.watchDirs.isEmpty();
    }

    private void unwatch(TrackedFile f) {
        for (Path dir : f.watchDirs) {
            boolean shared = false;
            for (TrackedFile o : files.values()) {
                if (o != f && o.watchDirs.contains(dir)) {
                    shared = true;
                    break;
                }
            }
            if (!shared) {
                interest.remove(dir);
                anyName.remove(dir);
                if (watcher != null) {
                    watcher.unwatch(dir, listener);
                }
            } else {
                Set<Path> names = interest.get(dir);
                if (names != null) {
                    names.remove(f.abs.getFileName());
                }
            }
        }
        f.watchDirs.clear();
        f.watched = false;
    }

    /** While a rotated file is read, its new name (unknown) must wake us too. */
    private void interestInAnyName(TrackedFile f) {
        for (Path dir : f.watchDirs) {
            boolean any = false;
            for (TrackedFile o : files.values()) {
                if (o.hasRetired() && o.watchDirs.contains(dir)) {
                    any = true;
                    break;
                }
            }
            if (any) {
                anyName.add(dir);
            } else {
                anyName.remove(dir);
            }
        }
    }

    /** On the watcher's thread: take note and wake the source when a name of ours changed. */
    private void changed(Path dir, List<Path> names, boolean gone) {
        if (gone) {
            // the directory went away with its watch: look at its files and watch again when it is back
            command(s -> s.dirGone(dir));
            return;
        }
        if (names.isEmpty() || anyName.contains(dir)) {
            dirtyDirs.add(dir);
            signal();
            return;
        }
        Set<Path> ours = interest.get(dir);
        if (ours == null) {
            return;
        }
        for (Path n : names) {
            if (ours.contains(n)) {
                dirtyDirs.add(dir);
                signal();
                return;
            }
        }
    }

    private void dirGone(Path dir) {
        for (TrackedFile f : files.values()) {
            if (f.watchDirs.contains(dir)) {
                unwatch(f);
                f.poll(reading, false);
            }
        }
    }

    private void command(Consumer<FileSource> c) {
        commands.add(c);
        signal();
    }

    private void applyCommands() {
        Consumer<FileSource> c;
        while ((c = commands.poll()) != null) {
            c.accept(this);
        }
    }

    private void signal() {
        worker.signal();
    }

    private void release() {
        for (TrackedFile f : files.values()) {
            unwatch(f);
            f.close();
        }
        files.clear();
        if (ownWatcher && watcher != null) {
            watcher.close();
        }
        watcher = null;
    }

    private void deliver(String origin, String text) {
        try {
            sink.accept(new LogLine(text, origin, null));
        } catch (RuntimeException e) {
            // a line the jail cannot take is counted and skipped; the source goes on
            if (sinkErrors++ % 1000 == 0) {
                LOG.log(Level.WARNING, "a line of " + origin + " was refused (" + sinkErrors + " so far)", e);
            }
        }
    }

    private final TrackedFile.Reading reading = new TrackedFile.Reading() {
        @Override
        public LineReader reader() {
            return reader;
        }

        @Override
        public Consumer<String> lines(TrackedFile file) {
            String origin = file.origin();
            return text -> deliver(origin, text);
        }

        @Override
        public void position(FilePosition position) {
            try {
                positions.accept(position);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "position listener failed", e);
            }
        }

        @Override
        public Instant now() {
            return clock.instant();
        }

        @Override
        public Duration retireGrace() {
            return RETIRE_GRACE;
        }

        @Override
        public long seekStart(FileChannel ch, long from, long size) throws IOException {
            StartTime st = startTime;
            if (st == null || reader.codec().newlineLength() != 1) {
                return from;
            }
            return TimeSeek.find(ch, from, size, st.notBefore(), st.timeOf(), reader.codec());
        }
    };

    /** For tests: the source's thread, once started. */
    Thread thread() {
        return worker.thread();
    }
}
