package org.jfail2ban.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our shipped nftables, iptables and dummy actions, read from config/ by the configurator and
 * run as the commands a server would run (tags filled in per address family), against the
 * firewall of a network namespace this test creates and deletes.
 */
class ShippedActionsTest {

    private static final AtomicInteger SEQ = new AtomicInteger();

    @TempDir
    Path tmp;
    String ns;

    @BeforeEach
    void namespace() {
        ns = "jf2b-config-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }

    @AfterEach
    void removeNamespace() {
        Proc.run(List.of("ip", "netns", "del", ns));
    }

    /** The action's options as the configurator sends them for a jail of our shipped config. */
    private Map<String, String> action(String jailLocal) throws Exception {
        Path dir = ConfigDir.copyOf(Path.of("config"), tmp.resolve("conf")).dir;
        Files.writeString(dir.resolve("jail.local"), jailLocal.replace("LOG", Files.writeString(tmp.resolve("x.log"), "").toString()));
        Map<String, String> props = new LinkedHashMap<>();
        for (List<Object> cmd : Configurator.commands(dir)) {
            if (cmd.get(0).equals("multi-set") && cmd.get(2).equals("action")) {
                for (Object o : (List<?>) cmd.get(4)) {
                    List<?> kv = (List<?>) o;
                    props.put((String) kv.get(0), PyText.str(kv.get(1)));
                }
            }
        }
        return props;
    }

    /** The command as a server runs it for one family: family variants first, tags filled in. */
    private static String command(Map<String, String> props, String key, String family, Map<String, String> dynamic) {
        Map<String, String> p = new HashMap<>(props);
        for (Map.Entry<String, String> e : props.entrySet()) {
            if (e.getKey().endsWith("?family=" + family)) {
                p.put(e.getKey().substring(0, e.getKey().indexOf('?')), e.getValue());
            }
        }
        p.putAll(dynamic);
        String cmd = p.get(key);
        for (int round = 0; round < 20; round++) {
            String before = cmd;
            for (Map.Entry<String, String> e : p.entrySet()) {
                cmd = cmd.replace("<" + e.getKey() + ">", e.getValue());
            }
            if (cmd.equals(before)) {
                break;
            }
        }
        return cmd;
    }

    private Proc.Result inNs(String cmd) {
        return Proc.run(List.of("ip", "netns", "exec", ns, "sh", "-c", cmd));
    }

    private String ok(String cmd) {
        Proc.Result r = inNs(cmd);
        assertEquals(0, r.exit(), cmd + "\n" + r.err());
        return r.out();
    }

    @Test
    @Tag("root")
    void nftablesBansInItsOwnTableWithTimeoutsAndLeavesNothingBehind() throws Exception {
        assertEquals(0, Proc.run(List.of("ip", "netns", "add", ns)).exit());
        Map<String, String> a = action("[sshd]\nlogpath = LOG\nport = ssh,2222,8000:8010\n");
        assertEquals("nftables", a.get("native"));
        assertEquals("f2b-sshd", a.get("table"));
        assertEquals("input", a.get("chain"));
        String before = ok("nft list ruleset");

        String start4 = command(a, "actionstart", "inet4", Map.of());
        assertEquals(start4, command(a, "actionstart", "inet6", Map.of()), "one start serves both families");
        ok(start4);
        ok(start4); // a second start replaces the table instead of failing
        String table = ok("nft list table inet f2b-sshd");
        assertTrue(table.contains("set addr4"), table);
        assertTrue(table.contains("set addr6"), table);
        assertTrue(table.contains("type filter hook input priority filter - 1; policy accept;"), table);
        assertTrue(table.contains("tcp dport { 22, 2222, 8000-8010 } ip saddr @addr4 reject"), table);
        assertTrue(table.contains("tcp dport { 22, 2222, 8000-8010 } ip6 saddr @addr6 reject"), table);
        ok(command(a, "actioncheck", "inet4", Map.of()));

        ok(command(a, "actionban", "inet4", Map.of("ip", "192.0.2.1", "bantime", "600")));
        ok(command(a, "actionban", "inet6", Map.of("ip", "2001:db8::1", "bantime", "-1")));
        String v4 = ok("nft list set inet f2b-sshd addr4");
        assertTrue(v4.matches("(?s).*192\\.0\\.2\\.1 timeout 10m expires .*"), v4);
        String v6 = ok("nft list set inet f2b-sshd addr6");
        assertTrue(v6.contains("2001:db8::1"), v6);
        assertFalse(v6.contains("timeout 0"), v6);

        ok(command(a, "actionunban", "inet4", Map.of("ip", "192.0.2.1")));
        ok(command(a, "actionunban", "inet4", Map.of("ip", "192.0.2.1"))); // gone already: no error
        assertFalse(ok("nft list set inet f2b-sshd addr4").contains("192.0.2.1"));
        ok(command(a, "actionflush", "inet4", Map.of()));
        assertFalse(ok("nft list set inet f2b-sshd addr6").contains("2001:db8::1"));

        ok(command(a, "actionstop", "inet4", Map.of()));
        assertEquals(before, ok("nft list ruleset"));
    }

    @Test
    @Tag("root")
    void nftablesAllportsBlocksRealTraffic() throws Exception {
        assertEquals(0, Proc.run(List.of("ip", "netns", "add", ns)).exit());
        ok("ip link set lo up");
        Map<String, String> a = action("[sshd]\nlogpath = LOG\nbanaction = %(banaction_allports)s\n");
        assertEquals("allports", a.get("type"));
        ok(command(a, "actionstart", "inet4", Map.of()));
        String chain = ok("nft list chain inet f2b-sshd input");
        assertTrue(chain.contains("meta l4proto tcp ip saddr @addr4 reject"), chain);
        String probe = "python3 -c \"import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); "
                + "c=socket.socket(); c.settimeout(2); r=c.connect_ex(s.getsockname()); print(r)\"";
        assertEquals("0", ok(probe).trim(), "connects before the ban");
        ok(command(a, "actionban", "inet4", Map.of("ip", "127.0.0.1", "bantime", "60")));
        assertTrue(!ok(probe).trim().equals("0"), "refused while banned");
        ok(command(a, "actionunban", "inet4", Map.of("ip", "127.0.0.1")));
        assertEquals("0", ok(probe).trim(), "connects again after the unban");
        ok(command(a, "actionstop", "inet4", Map.of()));
    }

    @Test
    @Tag("root")
    void iptablesUsesOneChainPerFamilyAndCleansUp() throws Exception {
        assertEquals(0, Proc.run(List.of("ip", "netns", "add", ns)).exit());
        Map<String, String> a = action("[DEFAULT]\nbanaction = iptables\n[sshd]\nlogpath = LOG\nport = 22,8000:8010\n"
                + "protocol = tcp,udp\n");
        assertEquals("iptables", a.get("native"));
        assertEquals("INPUT", a.get("chain"));
        String before4 = ok("iptables -w -S");
        String before6 = ok("ip6tables -w -S");
        String start4 = command(a, "actionstart", "inet4", Map.of());
        String start6 = command(a, "actionstart", "inet6", Map.of());
        assertTrue(start6.contains("ip6tables -w"), start6);
        ok(start4);
        ok(start6);
        ok(start4); // idempotent
        String rules = ok("iptables -w -S");
        assertTrue(rules.contains("-A INPUT -p tcp -m multiport --dports 22,8000:8010 -j f2b-sshd"), rules);
        assertTrue(rules.contains("-A INPUT -p udp -m multiport --dports 22,8000:8010 -j f2b-sshd"), rules);
        assertEquals(1, rules.split("-p tcp -m multiport", -1).length - 1, rules);
        ok(command(a, "actioncheck", "inet4", Map.of()));
        ok(command(a, "actioncheck", "inet6", Map.of()));

        ok(command(a, "actionban", "inet4", Map.of("ip", "192.0.2.7")));
        ok(command(a, "actionban", "inet6", Map.of("ip", "2001:db8::7")));
        assertTrue(ok("iptables -w -S f2b-sshd").contains("-A f2b-sshd -s 192.0.2.7/32 -j REJECT --reject-with icmp-port-unreachable"));
        assertTrue(ok("ip6tables -w -S f2b-sshd").contains("-A f2b-sshd -s 2001:db8::7/128 -j REJECT --reject-with icmp6-port-unreachable"));
        ok(command(a, "actionunban", "inet4", Map.of("ip", "192.0.2.7")));
        assertFalse(ok("iptables -w -S f2b-sshd").contains("192.0.2.7"));

        ok(command(a, "actionstop", "inet4", Map.of()));
        ok(command(a, "actionstop", "inet6", Map.of()));
        assertEquals(before4, ok("iptables -w -S"));
        assertEquals(before6, ok("ip6tables -w -S"));
    }

    @Test
    void dummyWritesEachEventToItsFile() throws Exception {
        Path target = tmp.resolve("dummy.log");
        Map<String, String> a = action("[sshd]\nlogpath = LOG\naction = dummy[target=" + target + "]\n");
        for (String[] step : new String[][] {{"actionstart", ""}, {"actionban", "192.0.2.9"}, {"actionunban", "192.0.2.9"},
            {"actionstop", ""}}) {
            String cmd = command(a, step[0], "inet4", Map.of("ip", step[1], "bantime", "600"));
            Proc.Result r = Proc.run(List.of("sh", "-c", cmd));
            assertEquals(0, r.exit(), r.err());
        }
        assertEquals("start sshd\nban 192.0.2.9 sshd 600\nunban 192.0.2.9 sshd\nstop sshd\n", Files.readString(target));
    }
}
