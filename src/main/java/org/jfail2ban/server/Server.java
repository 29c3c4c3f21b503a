package org.jfail2ban.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jfail2ban.action.SharedTargets;
import org.jfail2ban.ban.Ban;
import org.jfail2ban.ban.BanLedger;
import org.jfail2ban.filter.HostResolver;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.protocol.Reply;
import org.jfail2ban.source.FileWatcher;

/**
 * The daemon: holds every jail, the ban ledger, the log and the database settings, and
 * executes commands. It knows nothing of configuration files: it starts empty and is built up,
 * changed and queried by commands only ({@link #execute}), from its socket or from the
 * configuration stream of a client.
 */
public final class Server {

    private final Clock clock;
    private final ServerLog log;
    private final Logger serverLog;
    private final String version;
    private final ActionFactory actionFactory;
    private final BanLedger ledger;
    private final Commands commands;
    private final Cymru cymru;
    /** One for the server: every action of every jail records its holds on shared targets here. */
    private final SharedTargets targets = new SharedTargets();
    private FileWatcher watcher;
    private boolean watcherFailed;
    /** One cache of host names for the filters of all jails (usedns). */
    private final HostResolver resolver;

    /** Guards the set of jails and every change to it (add, start, stop, reload). */
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Jail> jails = new LinkedHashMap<>();
    /** Jails being reloaded: name to jail, or to null once the new configuration named it again. */
    private final Map<String, Jail> reloadState = new HashMap<>();

    private volatile BanJournal journal;
    private volatile String dbFile;
    private volatile long dbPurgeAge = 86_400;
    private volatile int dbMaxMatches = 10;
    private volatile String allowIpv6 = "auto";

    private volatile SocketListener listener;
    private volatile boolean quitting;
    private final CountDownLatch quitDone = new CountDownLatch(1);

    /**
     * @param version       what the {@code version} command answers
     * @param actionFactory makes the actions {@code addaction} adds
     */
    public Server(Clock clock, ServerLog log, String version, ActionFactory actionFactory) {
        this(clock, log, version, actionFactory, new Cymru());
    }

    Server(Clock clock, ServerLog log, String version, ActionFactory actionFactory, Cymru cymru) {
        this.clock = clock;
        this.log = log;
        this.serverLog = log.logger("fail2ban.server");
        this.version = version;
        this.actionFactory = actionFactory;
        this.ledger = new BanLedger(clock);
        this.commands = new Commands(this);
        this.cymru = cymru;
        this.journal = BanJournal.none(log.logger("fail2ban.database"));
        this.resolver = new HostResolver(clock, java.time.Duration.ofSeconds(2));
        ledger.start(this::expire);
    }

    private void expire(Ban ban) {
        Jail j;
        lock.lock();
        try {
            j = jails.get(ban.jail());
        } finally {
            lock.unlock();
        }
        if (j != null) {
            j.expire(ban);
        }
    }

    public Clock clock() {
        return clock;
    }

    public ServerLog log() {
        return log;
    }

    /** Who is banned by which jail; the action work asks it which jails still hold an address. */
    public BanLedger ledger() {
        return ledger;
    }

    BanJournal journal() {
        return journal;
    }

    ActionFactory actionFactory() {
        return actionFactory;
    }

    SharedTargets sharedTargets() {
        return targets;
    }

    HostResolver hostResolver() {
        return resolver;
    }

    /**
     * The one inotify watcher the jails' file sources share (one thread for all), made on first
     * use; null where inotify is not available, and the sources then poll.
     */
    synchronized FileWatcher fileWatcher() {
        if (watcher == null && !watcherFailed) {
            try {
                watcher = new FileWatcher();
            } catch (IOException e) {
                watcherFailed = true;
                serverLog.warning("inotify is not available (%s): the log files are polled", e.getMessage());
            }
        }
        return watcher;
    }

    Cymru cymru() {
        return cymru;
    }

    String version() {
        return version;
    }

    /** Executes one command and answers; a bad command gets an error reply, never an exception. */
    public Reply execute(List<?> command) {
        return commands.execute(command);
    }

    // ------------------------------------------------------------------ running

    /**
     * Runs the server on a socket until it is told to stop: writes the pidfile, binds the socket,
     * calls {@code onReady}, serves, and on the way out stops every jail and removes the socket
     * and the pidfile.
     */
    public void run(Path socket, Path pidfile, boolean force, Runnable onReady) throws ServerStartException {
        serverLog.info("-".repeat(50));
        serverLog.info("Starting %s", log.banner());
        writePidfile(pidfile);
        SocketListener l = new SocketListener(socket, this);
        try {
            l.bind(force);
        } catch (ServerStartException e) {
            serverLog.error("Could not start server: %s", e.getMessage());
            listener = null;
            quit();
            removePidfile(pidfile);
            throw e;
        }
        listener = l;
        if (quitting) {
            // a signal came while binding
            l.stopAccepting();
            l.removeSocket();
        } else {
            onReady.run();
            l.serve();
        }
        quit();
        try {
            quitDone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        l.awaitHandlers(2000);
        removePidfile(pidfile);
    }

    private void writePidfile(Path pidfile) {
        if (pidfile == null) {
            return;
        }
        serverLog.debug("Creating PID file %s", pidfile);
        try {
            Path dir = pidfile.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.writeString(pidfile, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(pidfile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            serverLog.error("Unable to create PID file: %s", e);
        }
    }

    private void removePidfile(Path pidfile) {
        if (pidfile == null) {
            return;
        }
        serverLog.debug("Remove PID file %s", pidfile);
        try {
            Files.deleteIfExists(pidfile);
        } catch (IOException e) {
            serverLog.error("Unable to remove PID file: %s", e);
        }
    }

    public boolean isQuitting() {
        return quitting;
    }

    /**
     * Stops the server: no new clients, every jail stopped (its bans lifted in its actions and
     * its actions stopped), the database closed, the socket removed. Idempotent; returns when done.
     */
    public void quit() {
        quitting = true;
        if (!claimQuit()) {
            // another thread (a signal, the "stop" command) is on it: wait for it to finish
            try {
                quitDone.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            serverLog.info("Shutdown in progress...");
            SocketListener l = listener;
            if (l != null) {
                l.stopAccepting();
            }
            stopAllJails();
            try {
                journal.close();
            } catch (RuntimeException e) {
                serverLog.error("Closing the database failed: %s", e);
            }
            journal = BanJournal.none(log.logger("fail2ban.database"));
            if (l != null) {
                l.removeSocket();
            }
            ledger.close();
            resolver.close();
            synchronized (this) {
                if (watcher != null) {
                    watcher.close();
                    watcher = null;
                }
            }
            serverLog.info("Exiting Fail2ban");
        } finally {
            quitDone.countDown();
        }
    }

    private boolean quitClaimed;

    private synchronized boolean claimQuit() {
        if (quitClaimed) {
            return false;
        }
        quitClaimed = true;
        return true;
    }

    // ------------------------------------------------------------------ jails

    Jail jail(String name) {
        lock.lock();
        try {
            Jail j = jails.get(name);
            if (j == null) {
                throw CommandException.unknownJail(name);
            }
            return j;
        } finally {
            lock.unlock();
        }
    }

    private List<Jail> jailList() {
        lock.lock();
        try {
            return new ArrayList<>(jails.values());
        } finally {
            lock.unlock();
        }
    }

    void addJail(String name, String backend) {
        lock.lock();
        try {
            Jail existing = jails.get(name);
            if (existing != null && reloadState.get(name) != null) {
                if (existing.backend().equals(backend)) {
                    serverLog.info("Reload jail %s", PyRepr.repr(name));
                    reloadState.put(name, null);
                    journal.addJail(name);
                    return;
                }
                serverLog.info("Restart jail %s (reason: %s != %s)", PyRepr.repr(name), PyRepr.repr(existing.backend()),
                        PyRepr.repr(backend));
                stopJail(name);
                reloadState.remove(name);
            }
            if (jails.containsKey(name)) {
                throw new CommandException(Reply.Kind.DUPLICATE_JAIL, name);
            }
            Jail j = new Jail(this, name, backend);
            jails.put(name, j);
            journal.addJail(name);
        } finally {
            lock.unlock();
        }
    }

    void startJail(String name) {
        lock.lock();
        try {
            Jail j = jail(name);
            if (!j.isStarted()) {
                j.start();
            } else if (reloadState.containsKey(name)) {
                serverLog.info("Jail %s reloaded", PyRepr.repr(name));
            }
            reloadState.remove(name);
            j.setIdle(false);
        } finally {
            lock.unlock();
        }
    }

    void stopJail(String name) {
        lock.lock();
        try {
            Jail j = jail(name);
            j.stop();
            jails.remove(name);
            journal.delJail(name);
        } finally {
            lock.unlock();
        }
    }

    void stopAllJails() {
        serverLog.info("Stopping all jails");
        lock.lock();
        try {
            for (String name : new ArrayList<>(jails.keySet())) {
                stopJail(name);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code reload JAIL|--all OPTS STREAM}: pauses the jails concerned, runs the stream quietly,
     * drops what the stream no longer names; bans are kept unless {@code --unban}.
     */
    Object reload(String name, List<String> opts, List<?> stream, Commands cmds) {
        beginReload(name, opts);
        try {
            for (Object c : stream) {
                if (!(c instanceof List<?> l)) {
                    throw new CommandException("a command must be a list, not " + PyRepr.repr(c));
                }
                cmds.handle(l, true);
            }
        } finally {
            endReload();
        }
        return "OK";
    }

    private void beginReload(String name, List<String> opts) {
        boolean all = name.equals("--all");
        lock.lock();
        try {
            if (!reloadState.isEmpty() && (all || reloadState.containsKey(name))) {
                throw new CommandException("Reload already in progress");
            }
            serverLog.info("Reload %s", all ? "all jails" : "jail " + name);
            if (!all) {
                if (!opts.contains("--if-exists") || jails.containsKey(name)) {
                    jail(name);
                    if (opts.contains("--unban")) {
                        jail(name).unbanAll();
                    }
                    if (opts.contains("--restart")) {
                        stopJail(name);
                    }
                }
            } else {
                if (opts.contains("--unban")) {
                    unbanAll();
                }
                if (opts.contains("--restart")) {
                    stopAllJails();
                }
            }
            for (Jail j : new ArrayList<>(jails.values())) {
                if (all || j.name().equals(name)) {
                    reloadState.put(j.name(), j);
                    j.beginReload();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void endReload() {
        lock.lock();
        try {
            List<String> gone = new ArrayList<>();
            for (Jail j : new ArrayList<>(jails.values())) {
                if (reloadState.containsKey(j.name())) {
                    gone.add(j.name());
                } else {
                    j.endReload();
                }
            }
            for (String n : gone) {
                stopJail(n);
            }
            reloadState.clear();
            serverLog.info("Reload finished.");
        } finally {
            lock.unlock();
        }
    }

    /** {@code status}: the number of jails and their names, sorted. */
    List<Object> status() {
        List<String> names = new ArrayList<>();
        for (Jail j : jailList()) {
            names.add(j.name());
        }
        names.sort(null);
        return List.of(List.of("Number of jail", (long) names.size()), List.of("Jail list", String.join(", ", names)));
    }

    /** {@code banned [IP...]} and {@code get JAIL banned [IP...]}. */
    Object banned(String name, List<String> ids) {
        if (name != null) {
            Jail j = jail(name);
            if (ids.isEmpty()) {
                return j.bannedIds();
            }
            if (ids.size() == 1) {
                return j.bans(ids.get(0)) ? 1L : 0L;
            }
            List<Object> out = new ArrayList<>();
            for (String id : ids) {
                out.add(j.bans(id) ? 1L : 0L);
            }
            return out;
        }
        List<Object> out = new ArrayList<>();
        List<Jail> all = jailList();
        if (!ids.isEmpty()) {
            for (String id : ids) {
                List<String> holders = new ArrayList<>();
                for (Jail j : all) {
                    if (j.bans(id)) {
                        holders.add(j.name());
                    }
                }
                out.add(holders);
            }
            return out;
        }
        for (Jail j : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(j.name(), j.bannedIds());
            out.add(m);
        }
        return out;
    }

    /** {@code unban IP...}: in every jail that bans them; absent ones are no error. */
    int unban(List<String> ids) {
        int n = 0;
        for (Jail j : jailList()) {
            n += j.unbanIds(ids, true);
        }
        return n;
    }

    /** {@code unban --all}: every ban of every jail. */
    int unbanAll() {
        int n = 0;
        for (Jail j : jailList()) {
            n += j.unbanAll();
        }
        return n;
    }

    // ------------------------------------------------------------------ settings

    void setAllowIpv6(String value) {
        allowIpv6 = value;
    }

    String allowIpv6() {
        return allowIpv6;
    }

    String dbFile() {
        return dbFile;
    }

    /** {@code set dbfile FILE|:memory:|None}: only while no jail exists, as in fail2ban. */
    void setDbFile(String file) {
        lock.lock();
        try {
            if (file.equals(dbFile)) {
                return;
            }
            boolean none = file.equalsIgnoreCase("none");
            if (dbFile == null && none) {
                return;
            }
            if (!jails.isEmpty()) {
                throw new CommandException("Cannot change database when there are jails present");
            }
            Logger dbLog = log.logger("fail2ban.database");
            journal.close();
            journal = BanJournal.none(dbLog);
            dbFile = null;
            if (none) {
                return;
            }
            BanJournal opened;
            try {
                opened = BanJournal.open(file, clock, dbLog);
            } catch (RuntimeException e) {
                dbLog.error("Unable to open the database %s: %s", file, e.getMessage());
                throw new CommandException("cannot open the database " + file + ": " + e.getMessage());
            }
            opened.setMaxMatches(dbMaxMatches);
            opened.setPurgeAge(dbPurgeAge);
            opened.delAllJails();
            journal = opened;
            dbFile = file;
        } finally {
            lock.unlock();
        }
    }

    int dbMaxMatches() {
        return dbMaxMatches;
    }

    void setDbMaxMatches(int n) {
        dbMaxMatches = n;
        journal.setMaxMatches(n);
    }

    long dbPurgeAge() {
        return dbPurgeAge;
    }

    void setDbPurgeAge(long seconds) {
        dbPurgeAge = seconds;
        journal.setPurgeAge(seconds);
    }
}
