package org.jfail2ban.store;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that owns the connection. Reads run one by one; writes waiting in the queue
 * are committed together in one transaction (one fsync for all of them: group commit), each in
 * its own savepoint so that one failing write does not take the others down with it.
 */
final class Worker {

    private static final System.Logger LOG = System.getLogger("org.jfail2ban.store");
    /** Writes per transaction at most: bounds the time a waiting reader is held up. */
    private static final int MAX_BATCH = 4096;

    interface Task<T> {
        T run(Connection c) throws SQLException;
    }

    private static final class Job<T> {
        final Task<T> task;
        final boolean write;
        final CompletableFuture<T> done = new CompletableFuture<>();
        T result;

        Job(Task<T> task, boolean write) {
            this.task = task;
            this.write = write;
        }
    }

    private final Connection connection;
    private final Runnable onRollback;
    private final Runnable periodic;
    private final long periodNanos;
    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closing;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /**
     * @param onRollback run on the worker thread after any rollback (caches must forget)
     * @param periodic   run on the worker thread every {@code periodNanos} (the hourly purge)
     */
    Worker(Connection connection, String name, Runnable onRollback, Runnable periodic, long periodNanos) {
        this.connection = connection;
        this.onRollback = onRollback;
        this.periodic = periodic;
        this.periodNanos = periodNanos;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    <T> CompletableFuture<T> read(Task<T> task) {
        if (Thread.currentThread() == thread) {
            // a read asked for inside a job (a ban's data read when first needed): queued, it
            // would wait for the job that waits for it
            try {
                return CompletableFuture.completedFuture(task.run(connection));
            } catch (SQLException | RuntimeException e) {
                return CompletableFuture.failedFuture(wrap(e));
            }
        }
        return submit(new Job<>(task, false));
    }

    <T> CompletableFuture<T> write(Task<T> task) {
        return submit(new Job<>(task, true));
    }

    private <T> CompletableFuture<T> submit(Job<T> job) {
        // under the lock: no job can slip in behind the last one stop() queues
        synchronized (queue) {
            if (!closing) {
                queue.add(job);
                return job.done;
            }
        }
        job.done.completeExceptionally(new StoreException("the database is closed"));
        return job.done;
    }

    /** Finishes every job queued so far, then stops. */
    CompletableFuture<Void> stop() {
        synchronized (queue) {
            closing = true;
            queue.add(new Job<>(c -> null, false));
        }
        return stopped;
    }

    /**
     * Closes the connection once the thread has stopped: the log is checkpointed into the
     * database file and removed, so the file alone holds everything (as fail2ban expects it).
     */
    void closeConnection() {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, "Database thread still busy; closing its connection anyway");
        }
        try {
            connection.commit();
            connection.setAutoCommit(true);
            try (java.sql.Statement s = connection.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "Database checkpoint at close failed: " + e.getMessage());
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "Closing the database failed: " + e.getMessage());
            }
        }
    }

    private void run() {
        long nextPeriodic = System.nanoTime() + periodNanos;
        List<Job<?>> batch = new ArrayList<>();
        try {
            while (true) {
                long wait = nextPeriodic - System.nanoTime();
                Job<?> job = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : null;
                if (job == null) {
                    if (closing && queue.isEmpty()) {
                        break;
                    }
                    nextPeriodic = System.nanoTime() + periodNanos;
                    runPeriodic();
                    continue;
                }
                if (!job.write) {
                    runRead(job);
                    if (closing && queue.isEmpty()) {
                        break;
                    }
                    continue;
                }
                batch.add(job);
                while (batch.size() < MAX_BATCH && queue.peek() != null && queue.peek().write) {
                    batch.add(queue.poll());
                }
                runWrites(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Job<?> left;
            while ((left = queue.poll()) != null) {
                left.done.completeExceptionally(new StoreException("the database is closed"));
            }
            stopped.complete(null);
        }
    }

    private void runPeriodic() {
        try {
            periodic.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Periodic database work failed: " + e.getMessage(), e);
        }
    }

    private <T> void runRead(Job<T> job) {
        try {
            T r = job.task.run(connection);
            connection.commit();
            job.done.complete(r);
        } catch (SQLException | RuntimeException e) {
            rollback();
            job.done.completeExceptionally(wrap(e));
        }
    }

    private void runWrites(List<Job<?>> batch) {
        List<Job<?>> ok = new ArrayList<>(batch.size());
        for (Job<?> job : batch) {
            Savepoint sp = null;
            try {
                sp = batch.size() > 1 ? connection.setSavepoint() : null;
                runTask(job);
                if (sp != null) {
                    connection.releaseSavepoint(sp);
                }
                ok.add(job);
            } catch (SQLException | RuntimeException e) {
                if (sp != null) {
                    try {
                        connection.rollback(sp);
                        connection.releaseSavepoint(sp);
                    } catch (SQLException e2) {
                        e.addSuppressed(e2);
                    }
                    onRollback.run();
                } else {
                    rollback();
                }
                job.done.completeExceptionally(wrap(e));
            }
        }
        if (ok.isEmpty()) {
            return;
        }
        try {
            connection.commit();
        } catch (SQLException e) {
            rollback();
            for (Job<?> job : ok) {
                job.done.completeExceptionally(wrap(e));
            }
            return;
        }
        for (Job<?> job : ok) {
            complete(job);
        }
    }

    private <T> void runTask(Job<T> job) throws SQLException {
        job.result = job.task.run(connection);
    }

    private static <T> void complete(Job<T> job) {
        job.done.complete(job.result);
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.log(Level.ERROR, "Database rollback failed: " + e.getMessage(), e);
        }
        onRollback.run();
    }

    static StoreException wrap(Throwable e) {
        if (e instanceof StoreException) {
            return (StoreException) e;
        }
        return new StoreException(e.getMessage(), e);
    }
}
