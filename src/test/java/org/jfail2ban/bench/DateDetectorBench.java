package org.jfail2ban.bench;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.jfail2ban.filter.DateDetector;
import org.jfail2ban.filter.DateMatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of finding the date of one log line with the default template library, on a log that
 * keeps one format (the common case: the last template is tried first, where the last date
 * was). Run: {@code scripts/jmh DateDetectorBench -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DateDetectorBench {

    static final String SYSLOG = "Aug 14 11:59:58 host sshd[1234]: Failed password for invalid user admin from 192.0.2.1 port 22 ssh2";
    static final String ISO = "2005-08-14 11:59:58,123 fail2ban.actions [1234]: NOTICE [sshd] Ban 192.0.2.1";
    static final String NO_DATE = "Failed password for invalid user admin from 192.0.2.1 port 22 ssh2";
    /** No date, but the colons and digits the templates look for. */
    static final String STACK_TRACE = "\tat org.example.auth.LoginService.check(LoginService.java:142) ~[app.jar:1.0.2]";

    private DateDetector syslog;
    private DateDetector iso;
    private DateDetector noDate;
    private DateDetector stackTrace;

    @Setup
    public void setUp() {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1124013600), ZoneId.of("Europe/Paris"));
        syslog = new DateDetector(clock);
        iso = new DateDetector(clock);
        noDate = new DateDetector(clock);
        stackTrace = new DateDetector(clock);
        // settle the template order as on a real log
        for (int i = 0; i < 100; i++) {
            syslog.match(SYSLOG);
            iso.match(ISO);
            noDate.match(NO_DATE);
            stackTrace.match(STACK_TRACE);
        }
    }

    @Benchmark
    public DateMatch syslogLine() {
        return syslog.match(SYSLOG);
    }

    @Benchmark
    public DateMatch isoLine() {
        return iso.match(ISO);
    }

    @Benchmark
    public DateMatch lineWithoutDate() {
        return noDate.match(NO_DATE);
    }

    @Benchmark
    public DateMatch stackTraceLine() {
        return stackTrace.match(STACK_TRACE);
    }
}
