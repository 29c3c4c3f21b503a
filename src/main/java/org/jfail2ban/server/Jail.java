package org.jfail2ban.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;
import org.jfail2ban.action.Action;
import org.jfail2ban.action.BanInfo;
import org.jfail2ban.ban.Ban;
import org.jfail2ban.ban.BanLedger;
import org.jfail2ban.ban.FailCounter;
import org.jfail2ban.ban.IgnoreList;
import org.jfail2ban.ban.Ticket;
import org.jfail2ban.filter.Failure;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.filter.IpAddr;
import org.jfail2ban.protocol.LevelNames;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.source.FilePosition;
import org.jfail2ban.source.FileSource;
import org.jfail2ban.source.LogLine;

/**
 * One jail: a log source and a filter whose failures are counted per id, and the actions that
 * ban the ids reaching maxretry.
 *
 * <p>Threads: the source's thread runs the filter and the counting for every line (the jail's
 * one thread of truth for its failures); one action worker runs every ban, unban, start and stop
 * of the jail's actions in order, so an unban never overtakes its ban. Commands arrive on socket
 * threads; what they change is guarded by the jail's locks, and what they ban or unban they hand
 * to the worker and wait for.
 */
final class Jail {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final long DAY = 86_400_000L;

    private final Server server;
    private final String name;
    private final String backend;
    private final FileSource source;
    private final Logger jailLog;
    private final Logger filterLog;
    private final Logger actionsLog;

    /** Guards the filter: the source thread matches lines while commands change its regexes. */
    private final Object filterLock = new Object();
    private Filter filter;
    private final FailCounter counter = new FailCounter();
    private final IgnoreList ignores;

    private final Map<String, Boolean> logPaths = new LinkedHashMap<>();
    private final LinkedHashMap<String, Action> actions = new LinkedHashMap<>();
    /** Touched by the worker only. */
    private final Set<Action> startedActions = new HashSet<>();
    private final ExecutorService worker;

    private final Object idleLock = new Object();
    private boolean idle;
    private volatile boolean started;
    private volatile boolean stopped;
    private final AtomicLong banTotal = new AtomicLong();

    private Number findTime = 600L;
    private long banTime = 600;
    private String encoding = "UTF-8";
    private String logTimeZone;
    private String datePattern;
    private String useDns = "warn";
    private Object ignoreCommand = Boolean.FALSE;
    private final Map<String, Object> banExtra = new LinkedHashMap<>();

    private Set<String> reloadLogs;
    private Set<String> reloadActions;
    private long nextOldLineWarning = Long.MIN_VALUE;
    private long nextFutureLineWarning = Long.MIN_VALUE;

    Jail(Server server, String name, String backend) {
        this.server = server;
        this.name = name;
        this.backend = backend;
        this.jailLog = server.log().logger("fail2ban.jail");
        this.filterLog = server.log().logger("fail2ban.filter");
        this.actionsLog = server.log().logger("fail2ban.actions");
        jailLog.info("Creating new jail '%s'", name);
        if (name.length() >= 26) {
            jailLog.warning("Jail name %s might be too long and some commands might not function correctly. Please shorten", PyRepr.repr(name));
        }
        this.source = new FileSource(backendOf(backend));
        this.filter = new Filter(server.clock());
        this.ignores = IgnoreList.system(server.clock());
        source.onPosition(this::savePosition);
        server.ledger().setJailBanTime(name, banTime);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "f2b/a." + name);
            t.setDaemon(true);
            return t;
        });
    }

    private FileSource.Backend backendOf(String spec) {
        OptionSpec o = OptionSpec.parse(spec);
        String kind = o.name().toLowerCase(Locale.ROOT);
        String opts = PyRepr.repr(new LinkedHashMap<>(o.options()));
        switch (kind) {
            case "auto", "pyinotify", "polling", "gamin": {
                FileSource.Backend b = kind.equals("auto") ? FileSource.Backend.AUTO
                        : kind.equals("pyinotify") ? FileSource.Backend.PYINOTIFY : FileSource.Backend.POLLING;
                String how = b == FileSource.Backend.AUTO ? "inotify with a polling fallback"
                        : b == FileSource.Backend.PYINOTIFY ? "pyinotify" : "poller";
                jailLog.info("Jail '%s' uses %s %s", name, how, opts);
                if (kind.equals("gamin")) {
                    jailLog.warning("Could only initiated 'polling' backend whenever 'gamin' was requested");
                } else {
                    jailLog.info("Initiated '%s' backend", kind);
                }
                return b;
            }
            case "systemd":
                jailLog.error("Backend 'systemd' failed to initialize: the journal source is not available yet");
                throw new CommandException("Backend 'systemd' (the systemd journal) is not available yet in this "
                        + "version; let the jail read a log file (backend auto, polling or pyinotify)");
            default:
                String msg = "Unknown backend " + o.name() + ". Must be among ['pyinotify', 'gamin', 'polling', 'systemd'] or 'auto'";
                jailLog.error("%s", msg);
                throw new CommandException(msg);
        }
    }

    String name() {
        return name;
    }

    String backend() {
        return backend;
    }

    BanJournal journal() {
        return server.journal();
    }

    Logger log(String which) {
        return server.log().logger("fail2ban." + which);
    }

    // ---------------------------------------------------------------- the way of a line

    private void onLine(LogLine line) {
        if (!awaitActive()) {
            return;
        }
        List<Failure> found;
        synchronized (filterLock) {
            try {
                found = filter.process(line.text(), line.time());
            } catch (RuntimeException e) {
                // a line the filter chokes on is skipped: bad input never stops the jail
                filterLog.error("Failed to process line: %s, caught exception: %s", PyRepr.repr(line.text()), e);
                return;
            }
        }
        for (Failure f : found) {
            onFailure(f);
        }
    }

    private boolean awaitActive() {
        synchronized (idleLock) {
            try {
                while (idle && !stopped) {
                    idleLock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return !stopped;
        }
    }

    private void onFailure(Failure f) {
        long now = server.clock().millis();
        long t = f.time() == null ? now : f.time().toEpochMilli();
        if (t > now) {
            if (t - now > 60_000 && now >= nextFutureLineWarning) {
                nextFutureLineWarning = now + DAY;
                filterLog.warning("[%s] Detected a log entry %ss after the current time. This looks like a timezone "
                        + "problem. Treating such entries as if they just happened.", name, (t - now) / 1000);
            }
            t = now;
        }
        double window = counter.findTime();
        if (t < now - window * 1000) {
            if (now >= nextOldLineWarning) {
                nextOldLineWarning = now + DAY;
                filterLog.warning("[%s] Ignoring all log entries older than %ss; these are probably messages "
                        + "generated while fail2ban was not running.", name, PyRepr.str(findTime));
            }
            return;
        }
        String why = ignores.check(f.id(), f.ip(), tags(f.id(), f.ip(), f.tags()));
        if (why != null) {
            filterLog.info("[%s] Ignore %s by %s", name, f.id(), why);
            return;
        }
        filterLog.info("[%s] Found %s - %s", name, f.id(), timeText(t));
        Ticket ticket = counter.add(f.id(), f.ip(), t, f.lines(), f.tags(), 1, now);
        if (ticket != null) {
            worker.execute(() -> ban(ticket));
        }
    }

    private static Function<String, String> tags(String id, IpAddr ip, Map<String, String> tags) {
        return tag -> switch (tag) {
            case "ip", "fid" -> id;
            case "family" -> ip == null ? "" : ip.family().tag();
            default -> tag.startsWith("F-") ? tags.get(tag.substring(2).toLowerCase(Locale.ROOT)) : null;
        };
    }

    String timeText(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), server.clock().getZone()).format(TIME);
    }

    private void savePosition(FilePosition p) {
        try {
            journal().saveLogPosition(name, p);
        } catch (RuntimeException e) {
            filterLog.error("Unable to save the position of %s: %s", p.path(), e);
        }
    }

    // ---------------------------------------------------------------- bans (on the worker)

    /** Bans a ticket; 1 when it is a new ban, 0 when it was banned already or is too old. */
    private int ban(Ticket ticket) {
        BanLedger ledger = server.ledger();
        long now = server.clock().millis();
        Ticket t = ticket;
        if (!t.restored()) {
            try {
                t = journal().prepareBan(name, t, banTime, Map.copyOf(banExtra));
            } catch (RuntimeException e) {
                actionsLog.error("[%s] Failed to prepare the ban of %s: %s", name, t.id(), e);
            }
        }
        long secs = ledger.banTimeFor(name, t);
        if (secs >= 0 && t.time() + secs * 1000 < now) {
            actionsLog.info("[%s] Ignore %s, expired bantime", name, t.id());
            return 0;
        }
        BanLedger.Added added = ledger.add(name, t);
        Ban b = added.ban();
        if (!added.isNew()) {
            double diff = (t.time() - b.start()) / 1000.0;
            int level = diff < 3 ? LevelNames.DEBUG : diff < 60 ? LevelNames.NOTICE : LevelNames.WARNING;
            actionsLog.log(level, "[%s] %s already banned", name, t.id());
            return 0;
        }
        banTotal.incrementAndGet();
        if (!t.restored()) {
            try {
                journal().addBan(name, b);
            } catch (RuntimeException e) {
                actionsLog.error("[%s] Failed to store the ban of %s: %s", name, t.id(), e);
            }
        }
        actionsLog.notice("[%s] %sBan %s", name, t.restored() ? "Restore " : "", t.id());
        BanInfo info = new TicketInfo(this, b);
        for (Map.Entry<String, Action> e : actionSnapshot().entrySet()) {
            if (t.restored() && Values.asBool(e.getValue().properties().getOrDefault("norestored", "false"))) {
                continue;
            }
            try {
                e.getValue().ban(info);
            } catch (Exception ex) {
                actionsLog.error("Failed to execute ban jail '%s' action '%s' info '%s': %s", name, e.getKey(), info, message(ex));
            }
        }
        return 1;
    }

    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private void unban(Ban b, Collection<Map.Entry<String, Action>> acts, boolean log) {
        if (log) {
            actionsLog.notice("[%s] Unban %s", name, b.id());
        }
        BanInfo info = new TicketInfo(this, b);
        for (Map.Entry<String, Action> e : acts) {
            try {
                e.getValue().unban(info);
            } catch (Exception ex) {
                actionsLog.error("Failed to execute unban jail '%s' action '%s' info '%s': %s", name, e.getKey(), info, message(ex));
            }
        }
    }

    /** Called by the ledger's scheduler when a ban's time is up. */
    void expire(Ban due) {
        if (worker.isShutdown()) {
            return;
        }
        worker.execute(() -> {
            Ban b = server.ledger().removeIfDue(name, due.id(), server.clock().millis());
            if (b != null) {
                unban(b, actionSnapshot().entrySet(), true);
            }
        });
    }

    /**
     * Lifts every ban of the jail: each action that can flush all at once does so, the others
     * unban one by one.
     */
    private int flushBans(boolean fromJournal) {
        List<Ban> bans = server.ledger().removeAll(name);
        List<Map.Entry<String, Action>> oneByOne = new ArrayList<>();
        for (Map.Entry<String, Action> e : actionSnapshot().entrySet()) {
            try {
                if (e.getValue().flush()) {
                    actionsLog.notice("[%s] Flush ticket(s) with %s", name, e.getKey());
                    continue;
                }
            } catch (Exception ex) {
                actionsLog.error("Failed to flush bans in jail '%s' action '%s': %s", name, e.getKey(), message(ex));
            }
            oneByOne.add(e);
        }
        if (fromJournal) {
            journal().delBan(name, null);
        }
        for (Ban b : bans) {
            unban(b, oneByOne, true);
        }
        return bans.size();
    }

    private synchronized Map<String, Action> actionSnapshot() {
        return new LinkedHashMap<>(actions);
    }

    private <T> T onWorker(Callable<T> task) {
        if (worker.isShutdown()) {
            throw new CommandException("the jail '" + name + "' is stopped");
        }
        Future<T> f = worker.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new CommandException(String.valueOf(e.getCause()));
        }
    }

    /** {@code set JAIL banip ID...}: the number of new bans. */
    int banIds(List<String> ids) {
        long now = server.clock().millis();
        return onWorker(() -> {
            int n = 0;
            for (String id : ids) {
                IpAddr ip = IpAddr.parse(id);
                n += ban(Ticket.manual(ip.toString(), ip.isValid() ? ip : null, now));
            }
            return n;
        });
    }

    /**
     * {@code set JAIL unbanip [--report-absent] ID...} and {@code unban ID...}: lifts bans by
     * id, or every ban inside a network given as {@code 10.0.0.0/8}.
     */
    int unbanIds(List<String> ids, boolean ifExists) {
        return onWorker(() -> {
            List<String> missed = new ArrayList<>();
            int n = 0;
            for (String text : ids) {
                IpAddr ip = IpAddr.parse(text);
                String id = ip.toString();
                journal().delBan(name, id);
                Ban b = server.ledger().remove(name, id);
                if (b != null) {
                    unban(b, actionSnapshot().entrySet(), true);
                    n++;
                    continue;
                }
                int inNet = 0;
                if (ip.isValid() && !ip.isSingle()) {
                    for (Ban other : server.ledger().bans(name)) {
                        if (other.ip() != null && other.ip().isInNet(ip)) {
                            journal().delBan(name, other.id());
                            if (server.ledger().remove(name, other.id()) != null) {
                                unban(other, actionSnapshot().entrySet(), true);
                                inNet++;
                            }
                        }
                    }
                }
                if (inNet == 0) {
                    actionsLog.log(LevelNames.MSG, "%s is not banned", text);
                    if (!ifExists) {
                        missed.add(text);
                    }
                }
                n += inNet;
            }
            if (!missed.isEmpty()) {
                throw new CommandException("not banned: " + PyRepr.repr(missed));
            }
            return n;
        });
    }

    /** {@code unban --all} and reload --unban: lifts every ban, from the database too. */
    int unbanAll() {
        return onWorker(() -> flushBans(true));
    }

    /** {@code set JAIL attempt IP [LINE...]}: a failure counted by hand. */
    int attempt(String text, List<String> lines) {
        IpAddr ip = IpAddr.parse(text);
        long now = server.clock().millis();
        filterLog.info("[%s] Attempt %s - %s", name, ip, timeText(now));
        Ticket t = counter.add(ip.toString(), ip.isValid() ? ip : null, now, lines, Map.of(), Math.max(1, lines.size()), now);
        if (t != null && !worker.isShutdown()) {
            worker.execute(() -> ban(t));
        }
        return 1;
    }

    // ---------------------------------------------------------------- life cycle

    boolean isStarted() {
        return started;
    }

    void start() {
        synchronized (this) {
            if (started) {
                return;
            }
            started = true;
        }
        setIdle(false);
        worker.execute(() -> {
            for (Map.Entry<String, Action> e : actionSnapshot().entrySet()) {
                startAction(e.getKey(), e.getValue());
            }
        });
        restoreBans();
        source.start(this::onLine);
        jailLog.info("Jail %s started", PyRepr.repr(name));
    }

    private void startAction(String actName, Action a) {
        if (startedActions.contains(a)) {
            return;
        }
        try {
            a.start();
            startedActions.add(a);
        } catch (Exception ex) {
            startedActions.add(a);
            actionsLog.error("Failed to start jail '%s' action '%s': %s", name, actName, message(ex));
        }
    }

    private void restoreBans() {
        List<Ticket> restored;
        try {
            restored = journal().currentBans(name, server.clock().millis(), banTime);
        } catch (RuntimeException e) {
            jailLog.error("Restore bans failed: %s", e);
            return;
        }
        for (Ticket t : restored) {
            if (ignores.check(t.id(), t.ip(), tags(t.id(), t.ip(), t.tags())) != null) {
                filterLog.info("[%s] Ignore %s by ignore list (restored ban)", name, t.id());
                continue;
            }
            worker.execute(() -> ban(t));
        }
    }

    /** Stops reading, lifts the jail's bans in its actions, stops the actions; waits for all. */
    void stop() {
        stopped = true;
        synchronized (idleLock) {
            idleLock.notifyAll();
        }
        source.close();
        if (!worker.isShutdown()) {
            Future<?> done = worker.submit(() -> {
                flushBans(false);
                List<Map.Entry<String, Action>> acts = new ArrayList<>(actionSnapshot().entrySet());
                for (int i = acts.size() - 1; i >= 0; i--) {
                    stopAction(acts.get(i).getKey(), acts.get(i).getValue());
                }
            });
            worker.shutdown();
            try {
                done.get();
                worker.awaitTermination(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                jailLog.error("Stop of jail '%s' failed: %s", name, e.getCause());
            }
        }
        server.ledger().forgetJail(name);
        jailLog.info("Jail %s stopped", PyRepr.repr(name));
    }

    private void stopAction(String actName, Action a) {
        if (!startedActions.remove(a)) {
            return;
        }
        try {
            a.stop();
        } catch (Exception ex) {
            actionsLog.error("Failed to stop jail '%s' action '%s': %s", name, actName, message(ex));
        }
    }

    void setIdle(boolean value) {
        synchronized (idleLock) {
            idle = value;
            idleLock.notifyAll();
        }
    }

    boolean idle() {
        synchronized (idleLock) {
            return idle;
        }
    }

    // ---------------------------------------------------------------- reload

    /** Begins a reload: the jail pauses and forgets what the new configuration sets again. */
    void beginReload() {
        setIdle(true);
        synchronized (filterLock) {
            for (Regexes r : List.of(FAIL, IGNORE)) {
                while (!r.list().apply(filter).isEmpty()) {
                    r.del().accept(filter, 0);
                }
            }
        }
        ignores.clear();
        synchronized (this) {
            reloadLogs = new HashSet<>(logPaths.keySet());
            reloadActions = new HashSet<>();
        }
    }

    /**
     * Ends a reload: logs and actions the new configuration did not name again are dropped
     * (the bans of a dropped action are lifted in it first); the others are told to reload.
     */
    void endReload() {
        Set<String> oldLogs;
        Set<String> keptActions;
        synchronized (this) {
            oldLogs = reloadLogs;
            keptActions = reloadActions;
            reloadLogs = null;
            reloadActions = null;
        }
        if (oldLogs == null) {
            return;
        }
        for (String p : oldLogs) {
            delLogPath(p);
        }
        Map<String, Action> gone = new LinkedHashMap<>();
        Map<String, Action> kept = new LinkedHashMap<>();
        synchronized (this) {
            for (Map.Entry<String, Action> e : actions.entrySet()) {
                (keptActions.contains(e.getKey()) ? kept : gone).put(e.getKey(), e.getValue());
            }
        }
        if (worker.isShutdown()) {
            return;
        }
        onWorker(() -> {
            for (Map.Entry<String, Action> e : kept.entrySet()) {
                try {
                    e.getValue().reload();
                } catch (Exception ex) {
                    actionsLog.error("Failed to reload jail '%s' action '%s': %s", name, e.getKey(), message(ex));
                }
            }
            if (!gone.isEmpty()) {
                for (Ban b : server.ledger().bans(name)) {
                    unban(b, gone.entrySet(), false);
                }
                for (Map.Entry<String, Action> e : gone.entrySet()) {
                    stopAction(e.getKey(), e.getValue());
                    synchronized (this) {
                        actions.remove(e.getKey());
                    }
                }
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- log files

    synchronized List<String> logPaths() {
        return new ArrayList<>(logPaths.keySet());
    }

    void addLogPath(String path, boolean tail) {
        synchronized (this) {
            if (logPaths.containsKey(path)) {
                if (reloadLogs != null && reloadLogs.remove(path)) {
                    return;
                }
                filterLog.error("%s already exists", path);
                return;
            }
        }
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            throw new CommandException("[Errno 2] No such file or directory: " + PyRepr.repr(path));
        }
        FilePosition resume = null;
        if (!tail) {
            try {
                resume = journal().logPosition(name, p);
            } catch (RuntimeException e) {
                filterLog.error("Unable to read the position of %s: %s", path, e);
            }
        }
        String hash = firstLineHash(p);
        if (resume != null && !resume.firstLineHash().equals(hash)) {
            resume = null;
        }
        long pos = 0;
        try {
            pos = resume != null ? resume.offset() : tail ? Files.size(p) : 0;
        } catch (IOException e) {
            pos = 0;
        }
        source.addPath(p, tail, resume);
        synchronized (this) {
            logPaths.put(path, tail);
        }
        filterLog.info("Added logfile: %s (pos = %d, hash = %s)", PyRepr.repr(path), pos, hash);
    }

    /** MD5 of the file's first line, as fail2ban identifies a log across rotations. */
    static String firstLineHash(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[4096];
            boolean any = false;
            int n;
            outer:
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        md.update(buf, 0, i + 1);
                        any = true;
                        break outer;
                    }
                }
                md.update(buf, 0, n);
                any = true;
            }
            return any ? HexFormat.of().formatHex(md.digest()) : "";
        } catch (IOException | NoSuchAlgorithmException e) {
            return "";
        }
    }

    void delLogPath(String path) {
        synchronized (this) {
            if (logPaths.remove(path) == null) {
                return;
            }
        }
        source.removePath(Path.of(path));
        filterLog.info("Removed logfile: %s", PyRepr.repr(path));
    }

    String setLogEncoding(String value) {
        String enc = value.equalsIgnoreCase("auto") ? Charset.defaultCharset().name() : value;
        Charset cs = charset(enc);
        if (cs == null) {
            throw new CommandException("unknown encoding: " + value);
        }
        source.setEncoding(cs);
        synchronized (this) {
            encoding = enc;
        }
        filterLog.info("  encoding: %s", enc);
        return enc;
    }

    /** A charset by its Java or its Python name ({@code latin-1}, {@code utf_8}). */
    static Charset charset(String name) {
        for (String n : List.of(name, name.replace('_', '-'), name.replace("-", "").replace("_", ""), name.replace('-', '_'))) {
            try {
                return Charset.forName(n);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                // try the next spelling
            }
        }
        return null;
    }

    synchronized String logEncoding() {
        return encoding;
    }

    // ---------------------------------------------------------------- filter settings

    /** failregex or ignoreregex: the same handling for either list of the filter. */
    record Regexes(BiConsumer<Filter, String> add, ObjIntConsumer<Filter> del, Function<Filter, List<String>> list) {
    }

    static final Regexes FAIL = new Regexes(Filter::addFailRegex, Filter::delFailRegex, Filter::failRegex);
    static final Regexes IGNORE = new Regexes(Filter::addIgnoreRegex, Filter::delIgnoreRegex, Filter::ignoreRegex);

    void addRegex(Regexes which, String regex) {
        synchronized (filterLock) {
            try {
                which.add().accept(filter, regex);
            } catch (IllegalArgumentException e) {
                filterLog.error("%s", e.getMessage());
                throw new CommandException(e.getMessage());
            }
        }
    }

    /** Removes the regex at an index (negative from the end); a bad index is logged, as fail2ban does. */
    void delRegex(Regexes which, int index) {
        synchronized (filterLock) {
            int n = which.list().apply(filter).size();
            int i = index < 0 ? n + index : index;
            if (i < 0 || i >= n) {
                filterLog.error("Cannot remove regular expression. Index %d is not valid", index);
                return;
            }
            which.del().accept(filter, i);
        }
    }

    List<String> regexes(Regexes which) {
        synchronized (filterLock) {
            return which.list().apply(filter);
        }
    }

    void setPrefRegex(String regex) {
        synchronized (filterLock) {
            try {
                filter.setPrefRegex(regex);
            } catch (IllegalArgumentException e) {
                filterLog.error("%s", e.getMessage());
                throw new CommandException(e.getMessage());
            }
        }
    }

    String prefRegex() {
        synchronized (filterLock) {
            String p = filter.prefRegex();
            return p == null ? "" : p;
        }
    }

    void setUseDns(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (!v.equals("yes") && !v.equals("warn") && !v.equals("no") && !v.equals("raw")) {
            filterLog.error("Incorrect value %s specified for usedns. Using safe 'no'", PyRepr.repr(value));
            v = "no";
        }
        synchronized (filterLock) {
            filter.setUseDns(v);
            useDns = v;
        }
    }

    String useDns() {
        synchronized (filterLock) {
            return useDns;
        }
    }

    void setDatePattern(String pattern) {
        synchronized (filterLock) {
            try {
                filter.setDatePattern(pattern);
            } catch (IllegalArgumentException e) {
                throw new CommandException(e.getMessage());
            }
            datePattern = pattern;
        }
    }

    /** fail2ban's answer: [pattern, its name], or [None, "Default Detectors"]. */
    List<Object> datePattern() {
        String p;
        synchronized (filterLock) {
            p = datePattern;
        }
        List<Object> out = new ArrayList<>(2);
        if (p == null || p.strip().matches("\\^?\\{\\^?(LN-BEG|DATE)\\}")) {
            out.add(null);
            out.add("Default Detectors");
        } else {
            out.add(null);
            out.add(p);
        }
        return out;
    }

    void setLogTimeZone(String zone) {
        synchronized (filterLock) {
            try {
                filter.setLogTimeZone(zone);
            } catch (RuntimeException e) {
                throw new CommandException("Unknown timezone " + PyRepr.repr(zone) + ": " + e.getMessage());
            }
            logTimeZone = zone;
        }
    }

    String logTimeZone() {
        synchronized (filterLock) {
            return logTimeZone;
        }
    }

    void setMaxLines(int lines) {
        if (lines <= 0) {
            throw new CommandException("maxlines must be integer greater than zero");
        }
        synchronized (filterLock) {
            filter.setMaxLines(lines);
        }
        filterLog.info("  maxLines: %d", lines);
    }

    int maxLines() {
        synchronized (filterLock) {
            return filter.maxLines();
        }
    }

    Number setFindTime(Object value) {
        Number n = Values.seconds(value);
        counter.setFindTime(n.doubleValue());
        synchronized (this) {
            findTime = n;
        }
        filterLog.info("  findtime: %s", PyRepr.str(n));
        return n;
    }

    synchronized Number findTime() {
        return findTime;
    }

    void setMaxRetry(int value) {
        counter.setMaxRetry(value);
        filterLog.info("  maxRetry: %d", value);
    }

    int maxRetry() {
        return counter.maxRetry();
    }

    void setMaxMatches(int value) {
        counter.setMaxMatches(value);
    }

    int maxMatches() {
        return counter.maxMatches();
    }

    IgnoreList ignores() {
        return ignores;
    }

    synchronized void setIgnoreCommand(String cmd) {
        ignoreCommand = cmd;
        ignores.setCommand(cmd);
    }

    synchronized Object ignoreCommand() {
        return ignoreCommand;
    }

    void setIgnoreCache(String spec) {
        OptionSpec o = OptionSpec.parse("cache[" + spec + "]");
        Map<String, String> opts = o.options();
        if (opts.isEmpty() || !opts.containsKey("key")) {
            ignores.setCache(null, 0, 0);
            return;
        }
        int count = opts.containsKey("max-count") ? Values.toInt(opts.get("max-count")) : 100;
        double time = opts.containsKey("max-time") ? Values.seconds(opts.get("max-time")).doubleValue() : 300;
        ignores.setCache(opts.get("key"), count, time);
    }

    // ---------------------------------------------------------------- ban settings

    long setBanTime(Object value) {
        Number n = Values.seconds(value);
        long secs = n.longValue();
        synchronized (this) {
            banTime = secs;
        }
        server.ledger().setJailBanTime(name, secs);
        actionsLog.info("  banTime: %s", PyRepr.str(n));
        return secs;
    }

    synchronized long banTime() {
        return banTime;
    }

    /** {@code set JAIL bantime.OPT VALUE}; an empty value removes the option. */
    void setBanTimeExtra(String opt, String value) {
        String v = value == null || value.isEmpty() ? null : value;
        synchronized (this) {
            if (v == null) {
                banExtra.remove(opt);
            } else if (opt.equals("increment")) {
                banExtra.put(opt, Values.asBool(v));
            } else if (opt.equals("maxtime") || opt.equals("rndtime")) {
                banExtra.put(opt, Values.seconds(v));
            } else {
                banExtra.put(opt, v);
            }
        }
        jailLog.info("Set banTime.%s = %s", opt, v == null ? "None" : v);
        if (opt.equals("increment") && v != null && Values.asBool(v) && server.dbFile() == null) {
            jailLog.warning("ban time increment is not available as long jail database is not set");
        }
    }

    synchronized Object banTimeExtra(String opt) {
        return banExtra.get(opt);
    }

    // ---------------------------------------------------------------- actions

    void addAction(String actName) {
        Action a;
        synchronized (this) {
            if (actions.containsKey(actName)) {
                if (reloadActions != null) {
                    reloadActions.add(actName);
                    return;
                }
                throw new CommandException("Action " + actName + " already exists");
            }
            a = server.actionFactory().create(name, actName, server.ledger());
            actions.put(actName, a);
            if (reloadActions != null) {
                reloadActions.add(actName);
            }
        }
        if (started && !worker.isShutdown()) {
            worker.execute(() -> startAction(actName, a));
        }
    }

    /** Removes an action, lifting the jail's bans in it and stopping it first. */
    void delAction(String actName) {
        Action a = action(actName);
        onWorker(() -> {
            for (Ban b : server.ledger().bans(name)) {
                unban(b, List.of(Map.entry(actName, a)), false);
            }
            stopAction(actName, a);
            return null;
        });
        synchronized (this) {
            actions.remove(actName);
        }
    }

    synchronized Action action(String actName) {
        Action a = actions.get(actName);
        if (a == null) {
            throw new CommandException("Invalid Action name: " + actName);
        }
        return a;
    }

    synchronized List<String> actionNames() {
        return new ArrayList<>(actions.keySet());
    }

    /** Runs an action's method ({@code set JAIL action ACT start}) on the worker. */
    Object callAction(String actName, String method, Map<String, Object> args) {
        Action a = action(actName);
        return onWorker(() -> {
            switch (method) {
                case "start" -> {
                    a.start();
                    startedActions.add(a);
                }
                case "stop" -> {
                    a.stop();
                    startedActions.remove(a);
                }
                case "reload" -> a.reload();
                case "flush" -> {
                    return a.flush();
                }
                case "ban", "unban" -> {
                    BanInfo info = new MapBanInfo(args);
                    if (method.equals("ban")) {
                        a.ban(info);
                    } else {
                        a.unban(info);
                    }
                }
                default -> throw new CommandException("'" + a.getClass().getSimpleName() + "' object has no method '" + method + "'");
            }
            return null;
        });
    }

    /** The ban info of a method called by hand with JSON arguments ({@code {"ip": "192.0.2.1"}}). */
    private record MapBanInfo(Map<String, Object> args) implements BanInfo {
        @Override
        public String id() {
            return String.valueOf(args.getOrDefault("ip", args.getOrDefault("fid", "")));
        }

        @Override
        public IpAddr ip() {
            return IpAddr.parseOrNull(id());
        }

        @Override
        public boolean restored() {
            return Values.asBool(args.getOrDefault("restored", false));
        }

        @Override
        public String tag(String tag) {
            Object v = args.get(tag);
            return v == null ? null : PyRepr.str(v);
        }
    }

    // ---------------------------------------------------------------- status

    int bannedCount() {
        return server.ledger().count(name);
    }

    long banTotal() {
        return banTotal.get();
    }

    int failedCount() {
        return counter.size(server.clock().millis());
    }

    long failTotal() {
        return counter.total();
    }

    /** The ids banned, in the order they were banned. */
    List<String> bannedIds() {
        List<String> out = new ArrayList<>();
        for (Ban b : server.ledger().bans(name)) {
            out.add(b.id());
        }
        return out;
    }

    boolean bans(String id) {
        return server.ledger().get(name, IpAddr.parse(id).toString()) != null;
    }

    /** {@code get JAIL banip [--with-time]}: ordered by the end of the ban. */
    List<String> banList(boolean withTime) {
        List<Ban> bans = new ArrayList<>(server.ledger().bans(name));
        bans.sort((a, b) -> Long.compare(a.end(), b.end()));
        List<String> out = new ArrayList<>();
        for (Ban b : bans) {
            if (!withTime) {
                out.add(b.id());
                continue;
            }
            long end = b.end();
            String endText = end == Long.MAX_VALUE || end >= 253_402_214_400_000L ? "9999-12-31 23:59:59" : timeText(end);
            out.add(b.id() + " \t" + timeText(b.start()) + " + " + b.banTime() + " = " + endText);
        }
        return out;
    }

    /** {@code status JAIL [FLAVOR]}: the Filter and Actions sections. */
    List<Object> status(String flavor, Cymru cymru) {
        if (!List.of("short", "basic", "cymru").contains(flavor)) {
            actionsLog.warning("Unsupported extended jail status flavor %s. Supported: ['short', 'basic', 'cymru']", PyRepr.repr(flavor));
        }
        List<Object> filt = List.of(
                List.of("Currently failed", (long) failedCount()),
                List.of("Total failed", failTotal()),
                List.of("File list", logPaths()));
        List<Object> acts = new ArrayList<>();
        if (flavor.equals("short")) {
            acts.add(List.of("Currently banned", (long) bannedCount()));
            acts.add(List.of("Total banned", banTotal()));
        } else {
            List<String> ids = bannedIds();
            acts.add(List.of("Currently banned", (long) ids.size()));
            acts.add(List.of("Total banned", banTotal()));
            acts.add(List.of("Banned IP list", ids));
            if (flavor.equals("cymru")) {
                List<IpAddr> ips = new ArrayList<>();
                for (Ban b : server.ledger().bans(name)) {
                    if (b.ip() != null) {
                        ips.add(b.ip());
                    }
                }
                Cymru.Info info = cymru.lookup(ips);
                acts.add(List.of("Banned ASN list", info.asn()));
                acts.add(List.of("Banned Country list", info.country()));
                acts.add(List.of("Banned RIR list", info.rir()));
            }
        }
        return List.of(List.of("Filter", filt), List.of("Actions", acts));
    }
}
