package org.jfail2ban.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jfail2ban.action.BenchAccess;
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
 * What a command action costs in the JVM per ban, before the shell runs: the resolved command
 * (cached per family) and the ban's values put in with quoting chosen by shell context. The
 * fork of /bin/sh that follows costs about a millisecond; this must stay far below it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ActionSubstitutionBench {

    private BenchAccess firewall;
    private BenchAccess mail;
    private Function<String, String> plainBan;
    private Function<String, String> hostileBan;

    @Setup
    public void setUp() {
        Map<String, String> fw = new LinkedHashMap<>();
        fw.put("actionban", "<iptables> -I f2b-<name> 1 -s <ip> -j <blocktype>");
        fw.put("iptables", "iptables <lockingopt>");
        fw.put("iptables?family=inet6", "ip6tables <lockingopt>");
        fw.put("lockingopt", "-w");
        fw.put("name", "sshd");
        fw.put("blocktype", "REJECT --reject-with icmp-port-unreachable");
        firewall = new BenchAccess(fw);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("actionban", "{ printf 'Subject: [Fail2Ban] %s\\n\\n' \"<name>: banned <ip>\"\n"
                + "printf '%s\\n' \"<matches>\"; whois -- \"<ip>\" | sed -e 's/^~/ ~/'; } | <mailcmd>");
        m.put("mailcmd", "/usr/sbin/sendmail -i -f \"<sender>\" <dest>");
        m.put("sender", "fail2ban");
        m.put("dest", "root");
        m.put("name", "sshd");
        mail = new BenchAccess(m);
        plainBan = t -> t.equals("ip") ? "192.0.2.77" : null;
        String matches = "Aug 14 11:58:59 host sshd[1]: Invalid user $(reboot) from 192.0.2.77 port 2222\n".repeat(5);
        hostileBan = t -> switch (t) {
            case "ip" -> "192.0.2.77";
            case "matches" -> matches;
            default -> null;
        };
        firewall.operation("actionban", "inet4");
        mail.operation("actionban", "inet4");
    }

    @Benchmark
    public int firewallBan() {
        return BenchAccess.shell(firewall.operation("actionban", "inet4"), plainBan);
    }

    @Benchmark
    public int mailBanWithHostileLines() {
        return BenchAccess.shell(mail.operation("actionban", "inet4"), hostileBan);
    }
}
