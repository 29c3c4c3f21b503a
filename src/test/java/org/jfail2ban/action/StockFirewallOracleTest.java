package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fail2ban's own iptables-multiport and nftables-multiport actions, configured by its own
 * client, run through our CommandAction in one namespace and through the Python fail2ban-server
 * in another; the firewalls must end up the same after start, bans, unbans and stop.
 */
@Tag("root")
class StockFirewallOracleTest {

    @TempDir
    Path tmp;

    @Test
    void iptablesMultiportLeavesTheSameRulesAsFail2ban() throws Exception {
        compare("iptables-multiport");
    }

    @Test
    void nftablesMultiportLeavesTheSameRulesAsFail2ban() throws Exception {
        compare("nftables-multiport");
    }

    private void compare(String actionFile) throws Exception {
        String host = NetNs.hostFirewall();
        String jail = "j" + actionFile.replace("-", "").substring(0, 6);
        Path conf = OracleStreams.configDir(tmp.resolve("conf"), null,
                "[DEFAULT]\nbackend = polling\n[" + jail + "]\nenabled = true\nfilter = sshd\nlogpath = /dev/null\n"
                        + "action = " + actionFile + "[port=\"22,2222\", protocol=\"tcp,udp\"]\n");
        List<JsonArray> stream = OracleStreams.stream(conf);
        List<String[]> props = OracleStreams.actions(stream, jail).get(actionFile);
        JsonArray multiSet = null;
        for (JsonArray c : stream) {
            if (c.get(0).getAsString().equals("multi-set") && c.get(1).getAsString().equals(jail)) {
                multiSet = c;
            }
        }
        try (NetNs ours = NetNs.create("stock"); NetNs theirs = NetNs.create("stockpy")) {
            // the Python server, in its own namespace, driven through its socket
            Path sock = tmp.resolve("f2b.sock");
            String pkg = Oracle.root().resolve("usr/lib/python3/dist-packages").toString();
            Process server = new ProcessBuilder(theirs.cmd("env", "PYTHONPATH=" + pkg, Oracle.python(),
                    Oracle.root().resolve("usr/bin/fail2ban-server").toString(), "-c", conf.toString(), "-f", "--async", "-x",
                    "-s", sock.toString(), "-p", tmp.resolve("f2b.pid").toString(),
                    "--logtarget", tmp.resolve("f2b.log").toString(), "--loglevel", "DEBUG"))
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("f2b.out").toFile()).start();
            try {
                CommandAction a = new CommandAction(jail, actionFile);
                for (String[] kv : props) {
                    a.setProperty(kv[0], kv[1]);
                }
                // the commands name their tools (nft, iptables ...): those run inside our namespace
                Path bin = ours.wrappers(tmp.resolve("bin"), "nft", "iptables", "ip6tables");
                a.environment(Map.of("PATH", bin + ":" + System.getenv("PATH")));

                String before = state(theirs);
                assertEquals(before, state(ours), "two fresh namespaces differ");
                send(sock, List.of(List.of("add", jail, "polling"), List.of("set", jail, "addaction", actionFile),
                        multiSet, List.of("start", jail)));
                a.start();
                assertEquals(state(theirs), state(ours), "after start");

                List<String> addrs = List.of("192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2");
                List<Object> banCmd = new ArrayList<>(List.of("set", jail, "banip"));
                banCmd.addAll(addrs);
                send(sock, List.of(banCmd));
                List<BanInfo> bans = new ArrayList<>();
                addrs.forEach(ip -> bans.add(TestBan.of(ip, Map.of("bantime", "600"))));
                a.banAll(bans);
                String banned = state(ours);
                assertTrue(banned.contains("192.0.2.2") && banned.contains("2001:db8::2"), banned);
                assertEquals(state(theirs), banned, "after bans");

                send(sock, List.of(List.of("set", jail, "unbanip", "192.0.2.1", "2001:db8::1")));
                a.unbanAll(List.of(TestBan.of("192.0.2.1"), TestBan.of("2001:db8::1")));
                assertEquals(state(theirs), state(ours), "after unbans");

                send(sock, List.of(List.of("stop", jail)));
                assertTrue(a.flush()); // the server flushes before it stops, as fail2ban does
                a.stop();
                assertEquals(state(theirs), state(ours), "after stop");
            } finally {
                try {
                    send(sock, List.of(List.of("stop")));
                } catch (AssertionError e) {
                    // already gone
                }
                server.destroy();
                server.waitFor();
            }
        }
        assertEquals(host, NetNs.hostFirewall(), "the host's own firewall was touched");
    }

    /** Sends commands through fail2ban's own client socket code; each must succeed. */
    private static void send(Path sock, List<?> commands) {
        StringBuilder in = new StringBuilder();
        for (Object c : commands) {
            in.append(new com.google.gson.Gson().toJson(c)).append('\n');
        }
        String out = OracleStreams.pythonArgs(OracleStreams.resource("f2b_send.py"), List.of(sock.toString()),
                in.toString());
        for (String line : out.split("\n")) {
            JsonArray r = JsonParser.parseString(line).getAsJsonArray();
            assertEquals(0, r.get(0).getAsInt(), "fail2ban-server refused a command: " + r);
        }
    }

    /** The firewall as a user lists it: nft ruleset and iptables-save, without comments and counters. */
    private static String state(NetNs ns) {
        StringBuilder sb = new StringBuilder(ns.run("nft", "list", "ruleset").assertOk().out());
        for (String tool : List.of("iptables-save", "ip6tables-save")) {
            Proc.Result r = ns.run(tool).assertOk();
            for (String l : r.out().split("\n")) {
                if (!l.startsWith("#") && !l.isEmpty()) {
                    sb.append(l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]")).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
