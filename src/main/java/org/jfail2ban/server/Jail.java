package org.jfail2ban.server;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
import org.jfail2ban.action.Action;
import org.jfail2ban.action.BanInfo;
import org.jfail2ban.ban.Ban;
import org.jfail2ban.ban.BanLedger;
import org.jfail2ban.ban.BanTimeIncrement;
import org.jfail2ban.ban.FailCounter;
import org.jfail2ban.ban.IgnoreList;
import org.jfail2ban.ban.Ticket;
import org.jfail2ban.config.TimeSpan;
import org.jfail2ban.filter.Failure;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.filter.IpAddr;
import org.jfail2ban.protocol.LevelNames;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.source.FilePosition;
import org.jfail2ban.source.FileSource;
import org.jfail2ban.source.JournalSource;
import org.jfail2ban.source.LogEncoding;
import org.jfail2ban.source.LogLine;
import org.jfail2ban.source.LogSource;
import org.jfail2ban.store.BanHistory;
import org.jfail2ban.store.Changes;
import org.jfail2ban.store.JournalPosition;

/**
 * One jail: a log source and a filter whose failures are counted per id, and the actions that
 * ban the ids reaching maxretry.
 *
 * <p>Threads: the source's thread runs the filter and the counting for every line (the jail's
 * one thread of truth for its failures), and after each batch of lines writes what the batch
 * produced — failure counts, bans, the log position — to the database in one transaction. One
 * action worker runs every ban, unban, start and stop of the jail's actions in order, so an
 * unban never overtakes its ban; it acts on a ban only once the ban is on disk, and hands the
 * bans (and unbans) that are ready together to each action as one batch. Commands arrive on
 * socket threads; what they change is guarded by the jail's locks, and what they ban or unban
 * they hand to the worker and wait for.
 */
final class Jail {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final long DAY = 86_400_000L;
    /** A batch whose lines gave a ban but no position (a rotated file's last lines) is written after this. */
    private static final long LATE_FLUSH_MS = 200;
    private static final CompletableFuture<Void> DURABLE = CompletableFuture.completedFuture(null);

    private final Server server;
    private final String name;
    private final String backend;
    private final LogSource source;
    /** The source when it reads files, else null. */
    private final FileSource files;
    /** The source when it reads the systemd journal, else null. */
    private final JournalSource journalSource;
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
    private final ScheduledThreadPoolExecutor worker;

    /** What the current batch of lines produced; the source thread fills it (and flushes it, under its lock). */
    private final Pending pending = new Pending();
    /** Bans and unbans waiting for the worker, which takes those ready together as one batch. */
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final SplittableRandom random = new SplittableRandom();

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
    /** The bantime.* options as set, for {@code get}; {@link #increment} is what they compute. */
    private final Map<String, Object> banExtra = new LinkedHashMap<>();
    private volatile BanTimeIncrement increment = BanTimeIncrement.NONE;

    private Set<String> reloadLogs;
    private Set<String> reloadActions;
    private long nextOldLineWarning = Long.MIN_VALUE;
    private long nextFutureLineWarning = Long.MIN_VALUE;

    /** Failures and bans of a batch of lines, not yet written. */
    private static final class Pending {
        final Set<String> touched = new LinkedHashSet<>();
        final List<Ticket> tickets = new ArrayList<>();
        boolean lateFlushScheduled;

        boolean isEmpty() {
            return touched.isEmpty() && tickets.isEmpty();
        }
    }

    /** A ban for the worker (once {@code durable} is done), or a ban whose time is up ({@code due}). */
    private record Event(Ticket ticket, CompletableFuture<Void> durable, Ban due) {
        boolean isBan() {
            return ticket != null;
        }
    }

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
        OptionSpec spec = OptionSpec.parse(backend);
        if (spec.name().equalsIgnoreCase("systemd")) {
            this.journalSource = journalOf(spec);
            this.files = null;
            this.source = journalSource;
            journalSource.onPosition(p -> onPosition(c -> c.updateJournal(name, new JournalPosition(p.cursor(), p.time()))));
        } else {
            this.files = new FileSource(backendOf(spec), server.clock(), server.fileWatcher());
            this.journalSource = null;
            this.source = files;
            files.onPosition(p -> onPosition(c -> c.updateLog(name, p)));
        }
        this.filter = new Filter(server.clock(), server.hostResolver());
        this.ignores = IgnoreList.system(server.clock());
        server.ledger().setJailBanTime(name, banTime);
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "f2b/a." + name);
            t.setDaemon(true);
            return t;
        });
        worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        worker.setRemoveOnCancelPolicy(true);
    }

    private FileSource.Backend backendOf(OptionSpec o) {
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
            default:
                String msg = "Unknown backend " + o.name() + ". Must be among ['pyinotify', 'gamin', 'polling', 'systemd'] or 'auto'";
                jailLog.error("%s", msg);
                throw new CommandException(msg);
        }
    }

    /** {@code backend = systemd[journalpath=..., journalfiles=..., journalflags=..., namespace=...]}. */
    private JournalSource journalOf(OptionSpec o) {
        if (!JournalSource.available()) {
            jailLog.error("Backend 'systemd' failed to initialize: journalctl was not found");
            throw new CommandException("Backend 'systemd' needs journalctl (package systemd), which was not found on the PATH");
        }
        JournalSource js = new JournalSource(server.clock(), "journalctl");
        for (Map.Entry<String, String> e : o.options().entrySet()) {
            try {
                js.setOption(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                jailLog.error("%s", ex.getMessage());
                throw new CommandException(ex.getMessage());
            }
        }
        jailLog.info("Jail '%s' uses systemd %s", name, PyRepr.repr(new LinkedHashMap<>(o.options())));
        jailLog.info("Initiated 'systemd' backend");
        return js;
    }

    String name() {
        return name;
    }

    String backend() {
        return backend;
    }

    BanJournal store() {
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
        String why = ignores.check(f.id(), f.ip(), tags(f.id(), f.ip(), f::tags));
        if (why != null) {
            filterLog.info("[%s] Ignore %s by %s", name, f.id(), why);
            return;
        }
        int weight = failureWeight(f.id(), t);
        if (weight == 0) {
            return;
        }
        filterLog.info("[%s] Found %s - %s", name, f.id(), timeText(t));
        Ticket ticket = counter.add(f.id(), f.ip(), t, f.lines(), f.tags(), weight, now);
        synchronized (pending) {
            pending.touched.add(f.id());
            if (ticket != null) {
                pending.tickets.add(ticket);
                if (!pending.lateFlushScheduled) {
                    pending.lateFlushScheduled = true;
                    later(this::lateFlush, LATE_FLUSH_MS);
                }
            }
        }
    }

    /**
     * How much a failure counts, as fail2ban's observer weighs it with {@code bantime.increment}:
     * 1, or more for an id the database knows as banned before (2, 3, 5, 9 ... for 1, 2, 3, 4
     * bans); 0 for a line from before the id's last ban, already counted then.
     */
    private int failureWeight(String id, long time) {
        BanTimeIncrement inc = increment;
        if (!inc.enabled() || !store().enabled()) {
            return 1;
        }
        Optional<BanHistory> h = store().banHistory(id, name, false);
        if (h.isEmpty()) {
            return 1;
        }
        long lastBan = h.get().timeOfBan().toEpochMilli();
        if (time <= lastBan) {
            log("observer").debug("[%s] Ignore failure %s before last ban %s < %s, restored", name, id, timeText(time),
                    timeText(lastBan));
            return 0;
        }
        int maxRetry = counter.maxRetry();
        int w = BanTimeIncrement.failureWeight(h.get().banCount(), maxRetry);
        if (w > 1) {
            log("observer").info("[%s] Found %s, bad - %s, %d # -> %d%s", name, id, timeText(time), h.get().banCount(), w,
                    w >= maxRetry ? ", Ban" : "");
        }
        return w;
    }

    private static Function<String, String> tags(String id, IpAddr ip, Supplier<Map<String, String>> tags) {
        // the captured values only when an ignorecommand asks: a restored ban's are not parsed yet
        return tag -> switch (tag) {
            case "ip", "fid" -> id;
            case "family" -> ip == null ? "" : ip.family().tag();
            default -> tag.startsWith("F-") ? tags.get().get(tag.substring(2).toLowerCase(Locale.ROOT)) : null;
        };
    }

    String timeText(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), server.clock().getZone()).format(TIME);
    }

    // ---------------------------------------------------------------- batches: failures, bans, position

    /**
     * The source read a batch of lines up to this position: what they produced goes to the
     * database with the position, in one transaction. After a crash the database then holds a
     * batch whole or not at all, and the lines of a batch not kept are read again: each line
     * counts exactly once.
     */
    private void onPosition(Consumer<Changes> position) {
        synchronized (pending) {
            flush(pending, position);
        }
    }

    /**
     * The bans of lines that no position followed (the last lines of a rotated file) are not left
     * waiting for the next line: they are written alone. Their failures wait for the position.
     */
    private void lateFlush() {
        synchronized (pending) {
            pending.lateFlushScheduled = false;
            if (pending.tickets.isEmpty()) {
                return;
            }
            Pending bans = new Pending();
            bans.tickets.addAll(pending.tickets);
            pending.tickets.clear();
            flush(bans, null);
        }
    }

    /** Writes a batch and hands its bans to the worker, which acts on them once the write is durable. */
    private void flush(Pending p, Consumer<Changes> position) {
        Written w = write(p, position);
        for (Ticket t : w.bans()) {
            post(new Event(t, w.durable(), null));
        }
    }

    /** The bans of a batch and the write that must be durable before anything acts on them. */
    private record Written(List<Ticket> bans, CompletableFuture<Void> durable) {
    }

    /** Writes a batch: its bans, then the counts of the ids it touched, then the position. */
    private Written write(Pending p, Consumer<Changes> position) {
        if (p.isEmpty() && position == null) {
            return new Written(List.of(), DURABLE);
        }
        boolean keep = store().enabled();
        Changes c = new Changes();
        List<Ticket> bans = new ArrayList<>(p.tickets.size());
        Set<String> banned = new HashSet<>();
        long now = server.clock().millis();
        for (Ticket t : p.tickets) {
            banned.add(t.id());
            Ticket ready = prepare(t, now);
            if (ready == null) {
                c.dropFailure(name, t.id());
                continue;
            }
            if (keep && !ready.restored() && server.ledger().get(name, ready.id()) == null) {
                c.addBan(BanJournal.record(name, ready, server.ledger().banTimeFor(name, ready), ready.banCount() + 1));
            } else {
                c.dropFailure(name, ready.id());
            }
            bans.add(ready);
        }
        if (keep) {
            for (String id : p.touched) {
                FailCounter.Count k = counter.count(id);
                if (k != null) {
                    c.putFailure(name, BanJournal.record(k));
                } else if (!banned.contains(id)) {
                    c.dropFailure(name, id);
                }
            }
            if (position != null) {
                position.accept(c);
            }
        }
        p.touched.clear();
        p.tickets.clear();
        return new Written(bans, store().commit(name, c));
    }

    /**
     * A ticket made ready to ban, as fail2ban's observer does: with {@code bantime.increment} its
     * length and ban count from the id's history in the database (a ticket from lines older than
     * the id's last ban was counted then, and is not written again); null when its ban would
     * already be over.
     */
    private Ticket prepare(Ticket t, long now) {
        long secs = server.ledger().banTimeFor(name, t);
        BanTimeIncrement inc = increment;
        if (!t.restored() && inc.enabled() && secs > 0 && store().enabled() && t.banTime() == Ticket.JAIL_BANTIME) {
            Optional<BanHistory> h = store().banHistory(t.id(), name, inc.overallJails());
            BanTimeIncrement.NewBan nb = inc.newBan(secs, h.orElse(null), random);
            boolean seen = h.isPresent() && t.time() <= h.get().timeOfBan().toEpochMilli();
            long length = nb.banTime() != secs ? nb.banTime() : Ticket.JAIL_BANTIME;
            t = new Ticket(t.id(), t.ip(), t.time(), t.evidence(), length, nb.banCount() - 1, seen);
            if (nb.banTime() != secs) {
                String end = nb.banTime() < 0 ? "infinite" : timeText(t.time() + nb.banTime() * 1000);
                actionsLog.notice("[%s] Increase Ban %s (%d # %s -> %s)", name, t.id(), nb.banCount(),
                        nb.banTime() < 0 ? "permanent" : TimeSpan.format(nb.banTime()), end);
                secs = nb.banTime();
            }
        }
        if (secs >= 0 && t.time() + secs * 1000 < now) {
            actionsLog.info("[%s] Ignore %s, expired bantime", name, t.id());
            return null;
        }
        return t;
    }

    // ---------------------------------------------------------------- bans and unbans (on the worker)

    private void post(Event e) {
        events.add(e);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                worker.execute(this::drain);
            } catch (RejectedExecutionException ex) {
                // the jail is stopping: its bans are lifted and the rest is kept in the database
                drainScheduled.set(false);
            }
        }
    }

    private void later(Runnable task, long millis) {
        try {
            worker.schedule(task, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the jail is stopping
        }
    }

    /** Takes every ban and unban ready now: runs of bans go to each action as one batch, runs of unbans too. */
    private void drain() {
        drainScheduled.set(false);
        List<Event> run = new ArrayList<>();
        Event e;
        while ((e = events.poll()) != null) {
            if (!run.isEmpty() && run.get(0).isBan() != e.isBan()) {
                process(run);
                run = new ArrayList<>();
            }
            run.add(e);
        }
        if (!run.isEmpty()) {
            process(run);
        }
    }

    private void process(List<Event> run) {
        if (run.get(0).isBan()) {
            banNow(run);
            return;
        }
        long now = server.clock().millis();
        List<Ban> lifted = new ArrayList<>();
        for (Event e : run) {
            Ban b = server.ledger().removeIfDue(name, e.due().id(), now);
            if (b != null) {
                lifted.add(b);
            }
        }
        unban(lifted, actionSnapshot().entrySet(), true);
    }

    /**
     * Bans tickets whose write is durable: each goes into the ledger (an id banned already is
     * only prolonged), is logged, and the new ones go to each action as one batch. The number of
     * new bans.
     */
    private int banNow(List<Event> run) {
        BanLedger ledger = server.ledger();
        List<BanInfo> infos = new ArrayList<>(run.size());
        List<BanInfo> fresh = new ArrayList<>(run.size());
        // the Ban lines of a batch are written together (100,000 at a restore), before the actions
        List<String> banLines = new ArrayList<>();
        for (Event e : run) {
            try {
                e.durable().join();
            } catch (RuntimeException ex) {
                // logged by the store: a ban not kept still protects until the next restart
            }
            Ticket t = e.ticket();
            BanLedger.Added added = ledger.add(name, t);
            Ban b = added.ban();
            if (!added.isNew()) {
                double diff = (t.time() - b.start()) / 1000.0;
                int level = diff < 3 ? LevelNames.DEBUG : diff < 60 ? LevelNames.NOTICE : LevelNames.WARNING;
                actionsLog.logAll(LevelNames.NOTICE, banLines);
                banLines.clear();
                actionsLog.log(level, "[%s] %s already banned", name, t.id());
                continue;
            }
            banTotal.incrementAndGet();
            banLines.add("[" + name + "] " + (t.restored() ? "Restore " : "") + "Ban " + t.id());
            BanInfo info = new TicketInfo(this, b);
            infos.add(info);
            if (!t.restored()) {
                fresh.add(info);
            }
        }
        actionsLog.logAll(LevelNames.NOTICE, banLines);
        if (infos.isEmpty()) {
            return 0;
        }
        for (Map.Entry<String, Action> e : actionSnapshot().entrySet()) {
            boolean noRestored = Values.asBool(e.getValue().properties().getOrDefault("norestored", "false"));
            List<BanInfo> todo = noRestored ? fresh : infos;
            if (todo.isEmpty()) {
                continue;
            }
            try {
                e.getValue().banAll(todo);
            } catch (Exception ex) {
                actionsLog.error("Failed to execute ban jail '%s' action '%s' info '%s': %s", name, e.getKey(), what(todo),
                        message(ex));
            }
        }
        return infos.size();
    }

    /** The info of a batch for a log line: the ban itself when alone. */
    private static Object what(List<BanInfo> infos) {
        return infos.size() == 1 ? infos.get(0) : infos.size() + " bans from " + infos.get(0) + " to " + infos.get(infos.size() - 1);
    }

    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Lifts bans in the given actions, all of them as one batch per action. */
    private void unban(List<Ban> bans, Collection<Map.Entry<String, Action>> acts, boolean log) {
        if (bans.isEmpty()) {
            return;
        }
        List<BanInfo> infos = new ArrayList<>(bans.size());
        for (Ban b : bans) {
            if (log) {
                actionsLog.notice("[%s] Unban %s", name, b.id());
            }
            infos.add(new TicketInfo(this, b));
        }
        for (Map.Entry<String, Action> e : acts) {
            try {
                e.getValue().unbanAll(infos);
            } catch (Exception ex) {
                actionsLog.error("Failed to execute unban jail '%s' action '%s' info '%s': %s", name, e.getKey(), what(infos),
                        message(ex));
            }
        }
    }

    /** Called by the ledger's scheduler when a ban's time is up. */
    void expire(Ban due) {
        if (!worker.isShutdown()) {
            post(new Event(null, null, due));
        }
    }

    /**
     * Lifts every ban of the jail: each action that can flush all at once does so, the others
     * get one batch of unbans.
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
            store().commitNow(name, new Changes().removeAllBans(name));
        }
        unban(bans, oneByOne, true);
        return bans.size();
    }

    private synchronized Map<String, Action> actionSnapshot() {
        return new LinkedHashMap<>(actions);
    }

    private <T> T onWorker(Callable<T> task) {
        Future<T> f;
        try {
            f = worker.submit(task);
        } catch (RejectedExecutionException e) {
            throw new CommandException("the jail '" + name + "' is stopped");
        }
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

    /** {@code set JAIL banip ID...}: the number of new bans; each is on disk before it is acted on. */
    int banIds(List<String> ids) {
        long now = server.clock().millis();
        return onWorker(() -> {
            Pending p = new Pending();
            for (String id : ids) {
                IpAddr ip = IpAddr.parse(id);
                p.tickets.add(Ticket.manual(ip.toString(), ip.isValid() ? ip : null, now));
            }
            Written w = write(p, null);
            List<Event> run = new ArrayList<>();
            for (Ticket t : w.bans()) {
                run.add(new Event(t, w.durable(), null));
            }
            return run.isEmpty() ? 0 : banNow(run);
        });
    }

    /**
     * {@code set JAIL unbanip [--report-absent] ID...} and {@code unban ID...}: lifts bans by
     * id, or every ban inside a network given as {@code 10.0.0.0/8}; they leave the database
     * too, as in fail2ban.
     */
    int unbanIds(List<String> ids, boolean ifExists) {
        return onWorker(() -> {
            List<String> missed = new ArrayList<>();
            List<Ban> lifted = new ArrayList<>();
            Changes c = new Changes();
            for (String text : ids) {
                IpAddr ip = IpAddr.parse(text);
                String id = ip.toString();
                c.removeBan(name, id);
                Ban b = server.ledger().remove(name, id);
                if (b != null) {
                    lifted.add(b);
                    continue;
                }
                int inNet = 0;
                if (ip.isValid() && !ip.isSingle()) {
                    for (Ban other : server.ledger().bans(name)) {
                        if (other.ip() != null && other.ip().isInNet(ip)) {
                            c.removeBan(name, other.id());
                            if (server.ledger().remove(name, other.id()) != null) {
                                lifted.add(other);
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
            }
            if (store().enabled()) {
                store().commitNow(name, c);
            }
            unban(lifted, actionSnapshot().entrySet(), true);
            if (!missed.isEmpty()) {
                throw new CommandException("not banned: " + PyRepr.repr(missed));
            }
            return lifted.size();
        });
    }

    /** {@code unban --all} and reload --unban: lifts every ban, from the database too. */
    int unbanAll() {
        return onWorker(() -> flushBans(true));
    }

    /** {@code set JAIL attempt IP [LINE...]}: a failure counted by hand, written at once. */
    int attempt(String text, List<String> lines) {
        IpAddr ip = IpAddr.parse(text);
        long now = server.clock().millis();
        filterLog.info("[%s] Attempt %s - %s", name, ip, timeText(now));
        Ticket t = counter.add(ip.toString(), ip.isValid() ? ip : null, now, lines, Map.of(), Math.max(1, lines.size()), now);
        Pending p = new Pending();
        p.touched.add(ip.toString());
        if (t != null) {
            p.tickets.add(t);
        }
        flush(p, null);
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
        restore();
        if (journalSource != null) {
            journalSource.setFindTime(Duration.ofMillis(Math.round(counter.findTime() * 1000)));
            store().journalPosition(name).ifPresent(p -> journalSource.resumeAfter(p.cursor()));
        }
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

    /**
     * Takes back what the database kept: the failure counts still inside findtime, and the bans
     * still due (expired ones are left out), which go to the actions as one batch.
     */
    private void restore() {
        BanJournal st = store();
        if (!st.enabled()) {
            return;
        }
        long now = server.clock().millis();
        for (FailCounter.Count k : st.failures(name, now - Math.round(counter.findTime() * 1000))) {
            counter.restore(k);
        }
        long bt = banTime();
        List<Event> run = new ArrayList<>();
        for (Ticket t : st.currentBans(name, now, bt, increment.maxBanTime(bt))) {
            if (ignores.check(t.id(), t.ip(), tags(t.id(), t.ip(), t::tags)) != null) {
                filterLog.info("[%s] Ignore %s by ignore list (restored ban)", name, t.id());
                continue;
            }
            run.add(new Event(t, DURABLE, null));
        }
        if (!run.isEmpty()) {
            worker.execute(() -> banNow(run));
        }
    }

    /**
     * Stops reading, lifts the jail's bans in its actions (a flush, or one batch of unbans) and
     * stops the actions; waits for all. The bans stay in the database for the next start.
     */
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
                unban(server.ledger().bans(name), gone.entrySet(), false);
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
        if (files == null) {
            throw new CommandException("the jail '" + name + "' reads the systemd journal: it has no log files");
        }
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            throw new CommandException("[Errno 2] No such file or directory: " + PyRepr.repr(path));
        }
        // the source resumes there only when the file still starts with the same first line
        FilePosition resume = store().logPosition(name, path).orElse(null);
        files.addPath(p, tail, resume);
        synchronized (this) {
            logPaths.put(path, tail);
        }
    }

    void delLogPath(String path) {
        synchronized (this) {
            if (logPaths.remove(path) == null) {
                return;
            }
        }
        files.removePath(Path.of(path));
        filterLog.info("Removed logfile: %s", PyRepr.repr(path));
    }

    String setLogEncoding(String value) {
        Charset cs;
        try {
            cs = LogEncoding.forName(value);
        } catch (IllegalArgumentException e) {
            throw new CommandException("unknown encoding: " + value);
        }
        String enc = value.equalsIgnoreCase("auto") ? cs.name() : value;
        if (files != null) {
            files.setEncoding(cs);
        } else {
            journalSource.setEncoding(cs);
        }
        synchronized (this) {
            encoding = enc;
        }
        filterLog.info("  encoding: %s", enc);
        return enc;
    }

    synchronized String logEncoding() {
        return encoding;
    }

    // ---------------------------------------------------------------- journal matches

    /** {@code set JAIL addjournalmatch FIELD=value [+ ...]}; a file jail keeps none, as in fail2ban. */
    void addJournalMatch(List<String> words) {
        if (journalSource == null) {
            return;
        }
        try {
            journalSource.addMatch(words);
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        }
    }

    /** {@code set JAIL deljournalmatch [FIELD=value ...]}: one group, or all of them. */
    void delJournalMatch(List<String> words) {
        if (journalSource == null) {
            return;
        }
        try {
            if (words.isEmpty()) {
                journalSource.clearMatches();
            } else {
                journalSource.removeMatch(words);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        }
    }

    List<List<String>> journalMatches() {
        return journalSource == null ? List.of() : journalSource.matches();
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
        synchronized (filterLock) {
            filter.setFindTime(n.longValue());
        }
        synchronized (this) {
            findTime = n;
        }
        if (journalSource != null) {
            journalSource.setFindTime(Duration.ofMillis(Math.round(n.doubleValue() * 1000)));
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
        try {
            // checked here: a formula or a span that cannot be computed is refused when set
            increment = increment.with(opt, v);
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage());
        }
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
            a = server.actionFactory().create(name, actName, server.sharedTargets(), server.clock());
            a.useSharedTargets(server.sharedTargets());
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
            unban(server.ledger().bans(name), List.of(Map.entry(actName, a)), false);
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
                files != null ? List.of("File list", logPaths())
                        : List.of("Journal matches", List.of(journalSource.describeMatches())));
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
