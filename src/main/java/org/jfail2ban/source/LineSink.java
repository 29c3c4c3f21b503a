package org.jfail2ban.source;

/** Where a source delivers its lines, in order, on the source's own thread. */
@FunctionalInterface
public interface LineSink {
    void accept(LogLine line);
}
