package org.jfail2ban.source;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread of a source, and how others wake it: a source sleeps until something is signalled
 * (a change notice, a command, closing) or a timeout passes, and never spins.
 */
final class SourceThread {

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean signalled;
    private Thread thread;
    private volatile boolean closed;

    /** A poll interval, checked: a source that polls must wait between looks. */
    static Duration pollInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive: " + interval);
        }
        return interval;
    }

    SourceThread(String name) {
        this.name = name;
    }

    /** Runs {@code body} on the source's thread; a source starts once. */
    synchronized void start(Runnable body) {
        if (thread != null || closed) {
            throw new IllegalStateException("a source starts once: " + name);
        }
        thread = new Thread(body, name);
        // a source left open must not keep the JVM alive
        thread.setDaemon(true);
        thread.start();
    }

    boolean closed() {
        return closed;
    }

    /**
     * Marks the source closed, runs {@code interrupt} (to end what the thread may block on),
     * wakes the thread and waits for it to end (unless called from it).
     *
     * @return whether the thread had been started: if not, the caller releases what it holds
     */
    boolean close(Runnable interrupt) {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        interrupt.run();
        signal();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return t != null;
    }

    synchronized Thread thread() {
        return thread;
    }

    void signal() {
        lock.lock();
        try {
            signalled = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps until signalled or closed, or {@code timeout} (null: no timeout) has passed. */
    void await(Duration timeout) {
        lock.lock();
        try {
            if (timeout == null) {
                while (!signalled && !closed) {
                    wake.awaitUninterruptibly();
                }
            } else {
                long nanos = Math.max(1, timeout.toNanos());
                while (!signalled && !closed && nanos > 0) {
                    nanos = wake.awaitNanos(nanos);
                }
            }
            signalled = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }
}
