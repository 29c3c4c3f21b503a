package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The native iptables and ipset backends in a real kernel, inside namespaces the test makes. */
@Tag("root")
class IptablesBackendTest {

    NetNs fw;
    NetNs peer;

    @BeforeEach
    void setUp() {
        NetNs[] lab = NetNs.firewallAndPeer("ipt", 2);
        fw = lab[0];
        peer = lab[1];
        // the administrator's own rules, which must stay as they are
        fw.run("iptables", "-w", "-A", "INPUT", "-p", "tcp", "--dport", "9", "-j", "ACCEPT").assertOk();
        fw.run("ip6tables", "-w", "-A", "INPUT", "-p", "tcp", "--dport", "9", "-j", "ACCEPT").assertOk();
    }

    @AfterEach
    void tearDown() {
        peer.close();
        fw.close();
    }

    /** iptables-save and ip6tables-save without comments and counters, and the sets. */
    static String state(NetNs ns) {
        StringBuilder sb = new StringBuilder();
        for (String tool : List.of("iptables-save", "ip6tables-save")) {
            for (String l : ns.run(tool).assertOk().out().split("\n")) {
                if (!l.startsWith("#")) {
                    sb.append(l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]")).append('\n');
                }
            }
        }
        sb.append(ns.run("ipset", "list", "-n").assertOk().out());
        return sb.toString();
    }

    private CommandAction action(String jail, String kind, Map<String, String> extra, SharedTargets shared) {
        CommandAction a = new CommandAction(jail, kind);
        a.useSharedTargets(shared);
        a.setProperty("native", kind);
        a.setProperty("name", jail);
        a.setProperty("iptables", fw.prefix() + " iptables -w");
        a.setProperty("iptables?family=inet6", fw.prefix() + " ip6tables -w");
        a.setProperty("ipset", fw.prefix() + " ipset");
        a.setProperty("blocktype", "REJECT --reject-with icmp-port-unreachable");
        a.setProperty("blocktype?family=inet6", "REJECT --reject-with icmp6-port-unreachable");
        a.setProperty("port", "2222");
        a.setProperty("protocol", "tcp");
        a.setProperty("type", "multiport");
        extra.forEach(a::setProperty);
        return a;
    }

    @Test
    void iptablesBansThroughItsSetAndStopLeavesTheRulesAsTheyWere() throws Exception {
        String before = state(fw);
        CommandAction a = action("sshd", "iptables", Map.of(), new SharedTargets());
        a.start();
        assertTrue(peer.connects("10.77.2.2", "10.77.2.1", 2222));
        a.banAll(List.of(TestBan.of("10.77.2.2", Map.of("bantime", "600")),
                TestBan.of("fd77:2::2", Map.of("bantime", "-1"))));
        String sets = fw.run("ipset", "list").assertOk().out();
        assertTrue(sets.matches("(?s).*Name: f2b-sshd\n.*10\\.77\\.2\\.2 timeout \\d+.*"), sets);
        assertTrue(sets.matches("(?s).*Name: f2b-sshd6\n.*fd77:2::2 timeout 0.*"), sets);
        assertFalse(peer.connects("10.77.2.2", "10.77.2.1", 2222));
        assertFalse(peer.connects("fd77:2::2", "fd77:2::1", 2222));
        assertTrue(peer.connects("10.77.2.3", "10.77.2.1", 2222));
        assertTrue(peer.connects("10.77.2.2", "10.77.2.1", 8080), "multiport blocks a port not listed");
        a.unbanAll(List.of(TestBan.of("10.77.2.2"), TestBan.of("fd77:2::2")));
        assertTrue(peer.connects("10.77.2.2", "10.77.2.1", 2222));
        assertTrue(peer.connects("fd77:2::2", "fd77:2::1", 2222));
        a.ban(TestBan.of("10.77.2.2", Map.of("bantime", "600")));
        a.stop();
        assertEquals(before, state(fw));
    }

    @Test
    void iptablesAllports() throws Exception {
        String before = state(fw);
        CommandAction a = action("recidive", "iptables", Map.of("type", "allports"), new SharedTargets());
        a.start();
        a.ban(TestBan.of("10.77.2.2", Map.of("bantime", "600")));
        assertFalse(peer.connects("10.77.2.2", "10.77.2.1", 8080));
        assertTrue(peer.connects("10.77.2.3", "10.77.2.1", 8080));
        a.stop();
        assertEquals(before, state(fw));
    }

    @Test
    void ipsetSharedByTwoJailsKeepsTheAddressUntilTheLastBanEnds() throws Exception {
        // the administrator's firewall refers to a set of their own
        fw.run("ipset", "create", "blacklist", "hash:ip", "timeout", "0").assertOk();
        fw.run("ipset", "create", "blacklist6", "hash:ip", "family", "inet6", "timeout", "0").assertOk();
        fw.run("iptables", "-w", "-I", "INPUT", "-m", "set", "--match-set", "blacklist", "src", "-j", "DROP").assertOk();
        String before = state(fw);
        SharedTargets shared = new SharedTargets();
        Map<String, String> props = Map.of("ipmset", "blacklist");
        CommandAction sshd = action("sshd", "ipset", props, shared);
        CommandAction recidive = action("recidive", "ipset", props, shared);
        sshd.start();
        recidive.start();
        recidive.ban(TestBan.of("10.77.2.2", Map.of("bantime", "604800")));
        sshd.ban(TestBan.of("10.77.2.2", Map.of("bantime", "600")));
        String list = fw.run("ipset", "list", "blacklist").assertOk().out();
        long timeout = Long.parseLong(list.replaceAll("(?s).*10\\.77\\.2\\.2 timeout (\\d+).*", "$1"));
        assertTrue(timeout > 600, "the shorter ban shortened the longer one: " + timeout);
        assertFalse(peer.connects("10.77.2.2", "10.77.2.1", 2222));
        sshd.unban(TestBan.of("10.77.2.2"));
        assertFalse(peer.connects("10.77.2.2", "10.77.2.1", 2222), "sshd's unban removed recidive's ban");
        recidive.unban(TestBan.of("10.77.2.2"));
        assertTrue(peer.connects("10.77.2.2", "10.77.2.1", 2222));
        sshd.ban(TestBan.of("10.77.2.2", Map.of("bantime", "600")));
        sshd.stop();
        recidive.stop();
        assertEquals(before, state(fw), "the administrator's sets stay, without our entries");
    }

    @Test
    void ipsetCreatesAndDestroysItsOwnSets() throws Exception {
        String before = state(fw);
        CommandAction a = action("sshd", "ipset", Map.of(), new SharedTargets());
        a.start();
        assertTrue(fw.run("ipset", "list", "-n").out().contains("f2b-sshd6"));
        a.ban(TestBan.of("fd77:2::2", Map.of("bantime", "600")));
        assertTrue(fw.run("ipset", "list", "f2b-sshd6").out().contains("fd77:2::2 timeout"));
        a.stop();
        assertEquals(before, state(fw));
    }
}
