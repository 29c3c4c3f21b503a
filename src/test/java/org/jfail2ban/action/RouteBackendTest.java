package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Route bans in a real routing table, inside namespaces the test makes. */
@Tag("root")
class RouteBackendTest {

    @Test
    void unreachableRoutesBlockAndStayWhileAnotherJailHoldsThem() throws Exception {
        try (NetNs fw = NetNs.create("route"); NetNs peer = NetNs.create("routepeer")) {
            NetNs.link(fw, peer, 3);
            fw.listen(2222);
            String before = routes(fw);
            SharedTargets shared = new SharedTargets();
            CommandAction sshd = route("sshd", fw, shared);
            CommandAction recidive = route("recidive", fw, shared);
            assertTrue(peer.connects("10.77.3.2", "10.77.3.1", 2222));
            sshd.banAll(List.of(TestBan.of("10.77.3.2", Map.of("bantime", "600")), TestBan.of("fd77:3::2")));
            recidive.ban(TestBan.of("10.77.3.2", Map.of("bantime", "604800")));
            assertTrue(routes(fw).contains("unreachable 10.77.3.2"), routes(fw));
            assertTrue(routes(fw).contains("unreachable fd77:3::2"), routes(fw));
            assertFalse(peer.connects("10.77.3.2", "10.77.3.1", 2222));
            assertFalse(peer.connects("fd77:3::2", "fd77:3::1", 2222));
            assertTrue(peer.connects("10.77.3.3", "10.77.3.1", 2222));
            sshd.unbanAll(List.of(TestBan.of("10.77.3.2"), TestBan.of("fd77:3::2")));
            assertFalse(peer.connects("10.77.3.2", "10.77.3.1", 2222), "recidive's ban must stay");
            assertTrue(peer.connects("fd77:3::2", "fd77:3::1", 2222));
            fw.run("ip", "route", "del", "unreachable", "10.77.3.2").assertOk(); // gone behind our back
            recidive.unban(TestBan.of("10.77.3.2"));
            assertEquals(before, routes(fw));
            sshd.stop();
            recidive.stop();
        }
    }

    private static CommandAction route(String jail, NetNs ns, SharedTargets shared) throws ActionException {
        CommandAction a = new CommandAction(jail, "route");
        a.useSharedTargets(shared);
        a.setProperty("native", "route");
        a.setProperty("iproute", ns.prefix() + " ip");
        a.setProperty("blocktype", "unreachable");
        a.start();
        return a;
    }

    /** Every route but the link-local ones, which the kernel adds when it pleases. */
    private static String routes(NetNs ns) {
        String all = ns.run("ip", "route", "show", "table", "all").assertOk().out()
                + ns.run("ip", "-6", "route", "show", "table", "all").assertOk().out();
        return all.lines().filter(l -> !l.contains("fe80:")).reduce("", (a, b) -> a + b + "\n");
    }
}
