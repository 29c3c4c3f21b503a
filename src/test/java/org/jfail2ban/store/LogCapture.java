package org.jfail2ban.store;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what the store logs (System.Logger goes to java.util.logging) during a test. */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("org.jfail2ban.store");
    private final List<String> lines = new ArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord r) {
        lines.add(r.getLevel() + " " + r.getMessage());
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized String all() {
        return String.join("\n", lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
