package org.jfail2ban.bench;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.jfail2ban.ban.BanLedger;
import org.jfail2ban.ban.FailCounter;
import org.jfail2ban.ban.Ticket;
import org.jfail2ban.filter.IpAddr;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a ban, an unban and a failure when the ledger already holds many bans: it must not
 * grow with their number (fail2ban scans its whole ban list for each unban check).
 * {@code scripts/jmh BanLedgerBench}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class BanLedgerBench {

    @Param({"1000", "100000"})
    int held;

    private BanLedger ledger;
    private FailCounter counter;
    private long now;
    private int next;

    @Setup(Level.Trial)
    public void fill() {
        ledger = new BanLedger(Clock.systemUTC());
        ledger.setJailBanTime("sshd", 600);
        now = System.currentTimeMillis();
        for (int i = 0; i < held; i++) {
            String ip = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
            ledger.add("sshd", Ticket.manual(ip, IpAddr.parse(ip), now + i));
        }
        counter = new FailCounter();
        counter.setMaxRetry(Integer.MAX_VALUE);
    }

    @Benchmark
    public Object banThenUnban() {
        String ip = "192.0." + (next >> 8 & 255) + "." + (next++ & 255);
        ledger.add("sshd", Ticket.manual(ip, null, now));
        return ledger.remove("sshd", ip);
    }

    @Benchmark
    public Object jailsHolding() {
        return ledger.jailsHolding("10.0.0." + (next++ & 255));
    }

    @Benchmark
    public Object countFailure() {
        int n = next++;
        return counter.add("198.51." + (n >> 8 & 255) + "." + (n & 255), null, now, java.util.List.of(), java.util.Map.of(), 1, now);
    }
}
