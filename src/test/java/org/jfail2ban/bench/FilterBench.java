package org.jfail2ban.bench;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jfail2ban.cli.RegexFilterReader;
import org.jfail2ban.filter.Failure;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.testing.Oracle;
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
 * The per-line path of a jail: fail2ban's stock sshd filter (read from the oracle's filter.d)
 * on realistic auth.log lines, as the daemon runs it (first failregex that matches wins).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FilterBench {

    static final String FAILURE = "Nov 23 16:42:33 web1 sshd[21345]: Failed password for invalid user admin from 203.0.113.17 port 52144 ssh2";
    static final String FAILURE_IPV6 = "Nov 23 16:42:34 web1 sshd[21346]: Failed password for root from 2001:db8:85a3::8a2e:370:7334 port 40022 ssh2";
    static final String MISS_CRON = "Nov 23 16:42:35 web1 CRON[21347]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)";
    static final String MISS_SSHD = "Nov 23 16:42:36 web1 sshd[21348]: Received disconnect from 198.51.100.4 port 51234:11: disconnected by user";
    static final String ACCEPTED = "Nov 23 16:42:37 web1 sshd[21349]: Accepted publickey for deploy from 192.0.2.10 port 60000 ssh2: ED25519 SHA256:abc";
    static final List<String> MIX = List.of(MISS_CRON, FAILURE, MISS_SSHD, MISS_CRON, ACCEPTED, FAILURE_IPV6, MISS_CRON,
            "Nov 23 16:42:38 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update",
            "Nov 23 16:42:39 web1 sshd[21350]: Invalid user test from 203.0.113.99 port 41000",
            "Nov 23 16:42:40 web1 systemd-logind[612]: New session 42 of user alice.");

    private Filter filter;
    private int next;

    @Setup
    public void setup() throws Exception {
        filter = new Filter(Clock.systemDefaultZone());
        filter.setUseDns("no");
        for (RegexFilterReader.Setting s : RegexFilterReader.read(Oracle.etc(), "sshd", Map.of(), "file")) {
            for (String v : s.values()) {
                switch (s.name()) {
                    case "prefregex" -> filter.setPrefRegex(v);
                    case "addfailregex" -> filter.addFailRegex(v);
                    case "addignoreregex" -> filter.addIgnoreRegex(v);
                    case "maxlines" -> filter.setMaxLines(Integer.parseInt(v));
                    case "datepattern" -> filter.setDatePattern(v);
                    default -> { }
                }
            }
        }
        filter.setCheckFindTime(false);
    }

    @Benchmark
    public List<Failure> failure() {
        return filter.process(FAILURE, null);
    }

    @Benchmark
    public List<Failure> failureIpv6() {
        return filter.process(FAILURE_IPV6, null);
    }

    @Benchmark
    public List<Failure> missOtherDaemon() {
        return filter.process(MISS_CRON, null);
    }

    @Benchmark
    public List<Failure> missSshd() {
        return filter.process(MISS_SSHD, null);
    }

    @Benchmark
    public List<Failure> mixedAuthLog() {
        String l = MIX.get(next);
        next = next + 1 == MIX.size() ? 0 : next + 1;
        return filter.process(l, null);
    }

    /** For a quick look without JMH: lines per second of the mix. */
    public static void main(String[] args) throws Exception {
        FilterBench b = new FilterBench();
        b.setup();
        for (int round = 0; round < 5; round++) {
            long t = System.nanoTime();
            int n = 1_000_000;
            for (int i = 0; i < n; i++) {
                b.mixedAuthLog();
            }
            System.out.printf("%,.0f lines/s%n", n / ((System.nanoTime() - t) / 1e9));
        }
    }
}
