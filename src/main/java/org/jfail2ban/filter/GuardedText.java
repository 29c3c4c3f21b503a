package org.jfail2ban.filter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The text a regex runs over, with a budget: java.util.regex reads its input only through
 * {@link #charAt}, so counting those reads counts the engine's work. A hostile line that makes a
 * pattern backtrack for ever reads characters for ever; once the work of one log line exceeds
 * its budget of CPU time, {@link #charAt} throws {@link OverBudget} and the line is abandoned.
 *
 * <p>The clock is read only every {@value #CHECK_EVERY} reads, and started at the first such
 * read: an ordinary line (a few thousand reads) never reads it. One instance serves one filter,
 * on the filter's one thread.
 */
final class GuardedText implements CharSequence {

    /** Reads between two looks at the clock. */
    static final int CHECK_EVERY = 1 << 14;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Thrown when a line has used up its budget. Carries no stack: it is control flow. */
    static final class OverBudget extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverBudget() {
            super("time budget of the line used up", null, false, false);
        }
    }

    private final boolean cpuClock;
    private long budgetNanos;
    private String text = "";
    private long reads;
    private long nextCheck;
    private long deadline;

    GuardedText(long budgetNanos) {
        this.budgetNanos = budgetNanos;
        boolean cpu;
        try {
            cpu = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.getCurrentThreadCpuTime() >= 0;
        } catch (UnsupportedOperationException e) {
            cpu = false;
        }
        this.cpuClock = cpu;
        startLine();
    }

    void setBudget(long nanos) {
        this.budgetNanos = nanos;
    }

    long budgetNanos() {
        return budgetNanos;
    }

    /** Starts the budget of a new log line. */
    void startLine() {
        reads = 0;
        nextCheck = CHECK_EVERY;
        deadline = Long.MIN_VALUE;
    }

    /** Points this at {@code s}, keeping the line's budget. */
    GuardedText of(String s) {
        this.text = s;
        return this;
    }

    private long now() {
        return cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private void check() {
        nextCheck = reads + CHECK_EVERY;
        long t = now();
        if (deadline == Long.MIN_VALUE) {
            deadline = t + budgetNanos;
        } else if (t - deadline > 0) {
            throw new OverBudget();
        }
    }

    @Override
    public char charAt(int index) {
        if (++reads >= nextCheck) {
            check();
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.substring(start, end);
    }

    @Override
    public String toString() {
        return text;
    }
}
