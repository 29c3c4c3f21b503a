package org.jfail2ban.source;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Directory change notices for file sources: inotify on Linux, through Java's WatchService.
 *
 * <p>Directories are watched rather than files, because log rotation renames and replaces files:
 * a watch on the directory sees the old file moved away, the new one created, and every write to
 * either. One watcher (one inotify instance and one thread that hands the notices on) can serve
 * every source of a server; a source made without one creates its own.
 *
 * <p>Listeners run on the watcher's thread and must only take note and return.
 */
public final class FileWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("org.jfail2ban.source");

    /** Told what changed in a watched directory. */
    interface Listener {
        /**
         * @param dir   the directory as the listener registered it
         * @param names the names that changed in it; empty when events were lost (check all)
         * @param gone  the directory itself was deleted or moved: its watch has ended
         */
        void changed(Path dir, List<Path> names, boolean gone);
    }

    private final WatchService service;
    private final boolean kernelNotices;
    private final Thread thread;
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final Map<WatchKey, Map<Listener, Path>> listeners = new HashMap<>();
    private volatile boolean closed;

    /** Opens an inotify instance and starts the thread that hands its notices on. */
    public FileWatcher() throws IOException {
        this.service = FileSystems.getDefault().newWatchService();
        // elsewhere than Linux the JDK may only poll every few seconds: sources then poll themselves
        this.kernelNotices = service.getClass().getName().contains("Linux");
        this.thread = new Thread(this::run, "jfail2ban-file-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts telling {@code listener} about changes in {@code dir}.
     *
     * @return false when the directory cannot be watched (missing, not a directory, no
     *         permission, inotify limits): the caller polls it instead
     */
    synchronized boolean watch(Path dir, Listener listener) {
        if (closed || !kernelNotices) {
            return false;
        }
        WatchKey key = keys.get(dir);
        if (key == null || !key.isValid()) {
            try {
                key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | UnsupportedOperationException | ClosedWatchServiceException e) {
                LOG.log(Level.DEBUG, "cannot watch {0}: {1}", dir, e.toString());
                return false;
            }
            keys.put(dir, key);
        }
        listeners.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(listener, dir);
        return true;
    }

    /** Stops telling {@code listener} about {@code dir}; the watch ends with its last listener. */
    synchronized void unwatch(Path dir, Listener listener) {
        WatchKey key = keys.get(dir);
        if (key == null) {
            return;
        }
        Map<Listener, Path> ls = listeners.get(key);
        if (ls != null) {
            ls.remove(listener);
            if (!ls.isEmpty()) {
                return;
            }
            listeners.remove(key);
        }
        keys.values().removeIf(k -> k == key);
        key.cancel();
    }

    private void run() {
        while (!closed) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            List<Path> names = new ArrayList<>();
            boolean lost = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path)) {
                    lost = true;
                } else {
                    names.add((Path) event.context());
                }
            }
            boolean gone = !key.reset();
            Map<Listener, Path> targets;
            synchronized (this) {
                Map<Listener, Path> ls = listeners.get(key);
                targets = ls == null ? Map.of() : new LinkedHashMap<>(ls);
                if (gone) {
                    listeners.remove(key);
                    keys.values().removeIf(k -> k == key);
                }
            }
            List<Path> told = lost ? List.of() : names;
            for (Map.Entry<Listener, Path> t : targets.entrySet()) {
                try {
                    t.getKey().changed(t.getValue(), told, gone);
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "file watch listener failed", e);
                }
            }
        }
    }

    /** Ends every watch and the thread. */
    @Override
    public void close() {
        closed = true;
        try {
            service.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the watch service: {0}", e.toString());
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
