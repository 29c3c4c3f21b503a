package org.jfail2ban.source;

/**
 * A stream of log lines for one jail: files (with rotation) or the systemd journal. A source
 * runs on its own thread once started and hands every complete line to the sink in order.
 */
public interface LogSource extends AutoCloseable {

    /** Starts delivering lines to {@code sink}; returns at once. */
    void start(LineSink sink);

    /** Stops reading and releases files and threads; the source cannot be started again. */
    @Override
    void close();
}
