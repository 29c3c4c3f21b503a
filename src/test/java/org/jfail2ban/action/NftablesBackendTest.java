package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The native nftables backend in a real kernel, inside namespaces the test makes. */
@Tag("root")
class NftablesBackendTest {

    NetNs fw;
    NetNs peer;

    @BeforeEach
    void setUp() {
        NetNs[] lab = NetNs.firewallAndPeer("nft", 1);
        fw = lab[0];
        peer = lab[1];
        // something of the administrator's own that must survive us untouched
        fw.runIn("table inet admin {\n chain in { type filter hook input priority 10; policy accept; "
                + "tcp dport 9 counter accept; }\n}\n", "nft", "-f", "-").assertOk();
    }

    @AfterEach
    void tearDown() {
        peer.close();
        fw.close();
    }

    private CommandAction nft(String jail, Map<String, String> extra) {
        SharedTargets shared = new SharedTargets();
        return nft(jail, extra, shared);
    }

    private CommandAction nft(String jail, Map<String, String> extra, SharedTargets shared) {
        CommandAction a = new CommandAction(jail, "nftables");
        a.useSharedTargets(shared);
        // what the client sends for our nftables.conf: shell commands plus native = nftables
        a.setProperty("actionban", "false");
        a.setProperty("native", "nftables");
        a.setProperty("nftables", fw.prefix() + " nft");
        a.setProperty("name", jail);
        a.setProperty("port", "2222");
        a.setProperty("protocol", "tcp");
        a.setProperty("type", "multiport");
        a.setProperty("table", "f2b-table");
        a.setProperty("table_family", "inet");
        a.setProperty("chain", "f2b-chain");
        a.setProperty("chain_type", "filter");
        a.setProperty("chain_hook", "input");
        a.setProperty("chain_priority", "-1");
        a.setProperty("blocktype", "reject");
        extra.forEach(a::setProperty);
        return a;
    }

    private String ruleset() {
        return fw.run("nft", "list", "ruleset").assertOk().out();
    }

    @Test
    void banBlocksTheAddressOnTheJailsPortsAndStopLeavesTheRulesetAsItWas() throws Exception {
        String before = ruleset();
        CommandAction a = nft("sshd", Map.of());
        a.start();
        assertTrue(peer.connects("10.77.1.2", "10.77.1.1", 2222), "not yet banned");

        a.banAll(List.of(TestBan.of("10.77.1.2", Map.of("bantime", "600")), TestBan.of("fd77:1::2",
                Map.of("bantime", "-1"))));
        String rs = ruleset();
        assertTrue(rs.matches("(?s).*set addr-set-sshd \\{.*elements = \\{ 10\\.77\\.1\\.2 timeout 10m expires.*"), rs);
        assertTrue(rs.matches("(?s).*set addr6-set-sshd \\{.*elements = \\{ fd77:1::2 \\}.*"), rs);

        assertFalse(peer.connects("10.77.1.2", "10.77.1.1", 2222), "banned IPv4 still connects");
        assertFalse(peer.connects("fd77:1::2", "fd77:1::1", 2222), "banned IPv6 still connects");
        assertTrue(peer.connects("10.77.1.3", "10.77.1.1", 2222), "an address not banned is blocked");
        assertTrue(peer.connects("fd77:1::3", "fd77:1::1", 2222), "an address not banned is blocked");
        assertTrue(peer.connects("10.77.1.2", "10.77.1.1", 8080), "multiport blocks a port not listed");

        a.unban(TestBan.of("10.77.1.2"));
        a.unban(TestBan.of("fd77:1::2"));
        assertTrue(peer.connects("10.77.1.2", "10.77.1.1", 2222), "unbanned IPv4 still blocked");
        assertTrue(peer.connects("fd77:1::2", "fd77:1::1", 2222), "unbanned IPv6 still blocked");

        a.ban(TestBan.of("10.77.1.2", Map.of("bantime", "600")));
        a.stop();
        assertEquals(before, ruleset());
    }

    @Test
    void allportsBlocksEveryPort() throws Exception {
        String before = ruleset();
        CommandAction a = nft("recidive", Map.of("type", "allports", "protocol", "tcp,udp"));
        a.start();
        a.ban(TestBan.of("10.77.1.2", Map.of("bantime", "600")));
        assertFalse(peer.connects("10.77.1.2", "10.77.1.1", 8080));
        assertFalse(peer.connects("10.77.1.2", "10.77.1.1", 2222));
        assertTrue(peer.connects("10.77.1.3", "10.77.1.1", 8080));
        a.stop();
        assertEquals(before, ruleset());
    }

    @Test
    void jailsShareTheTableAndTheLastStopRemovesIt() throws Exception {
        String before = ruleset();
        SharedTargets shared = new SharedTargets();
        CommandAction sshd = nft("sshd", Map.of(), shared);
        CommandAction recidive = nft("recidive", Map.of("type", "allports"), shared);
        sshd.start();
        recidive.start();
        sshd.ban(TestBan.of("10.77.1.2", Map.of("bantime", "600")));
        recidive.ban(TestBan.of("10.77.1.2", Map.of("bantime", "604800")));
        sshd.unban(TestBan.of("10.77.1.2"));
        assertFalse(peer.connects("10.77.1.2", "10.77.1.1", 2222), "recidive's ban must still hold");
        sshd.stop();
        assertTrue(ruleset().contains("addr-set-recidive"));
        assertFalse(ruleset().contains("addr-set-sshd"));
        assertFalse(peer.connects("10.77.1.2", "10.77.1.1", 2222), "recidive's ban must survive sshd's stop");
        recidive.stop();
        assertEquals(before, ruleset());
    }

    @Test
    void batchesOfThousandsAndUnbansOfElementsAlreadyGone() throws Exception {
        CommandAction a = nft("sshd", Map.of());
        a.start();
        List<BanInfo> bans = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            bans.add(TestBan.of("198.18." + (i / 250) + "." + (i % 250 + 1), Map.of("bantime", "600")));
            bans.add(TestBan.of("2001:db8::" + Integer.toHexString(i + 1), Map.of("bantime", "600")));
        }
        a.banAll(bans);
        Set<String> v4 = NftablesBackend.parseElements(
                fw.run("nft", "-j", "list", "set", "inet", "f2b-table", "addr-set-sshd").assertOk().out());
        Set<String> v6 = NftablesBackend.parseElements(
                fw.run("nft", "-j", "list", "set", "inet", "f2b-table", "addr6-set-sshd").assertOk().out());
        assertEquals(3000, v4.size());
        assertEquals(3000, v6.size());
        // someone removes an element behind our back; the batch unban still goes through
        fw.run("nft", "delete", "element", "inet", "f2b-table", "addr-set-sshd", "{ 198.18.0.1 }").assertOk();
        a.unbanAll(bans);
        assertEquals(Set.of(), NftablesBackend.parseElements(
                fw.run("nft", "-j", "list", "set", "inet", "f2b-table", "addr-set-sshd").assertOk().out()));
        a.stop();
    }

    @Test
    void aBanAfterTheTableWasFlushedAwayRepairsIt() throws Exception {
        String before = ruleset();
        CommandAction a = nft("sshd", Map.of());
        a.start();
        fw.run("nft", "delete", "table", "inet", "f2b-table").assertOk();
        a.ban(TestBan.of("10.77.1.2", Map.of("bantime", "600")));
        assertFalse(peer.connects("10.77.1.2", "10.77.1.1", 2222));
        a.stop();
        assertEquals(before, ruleset());
    }
}
