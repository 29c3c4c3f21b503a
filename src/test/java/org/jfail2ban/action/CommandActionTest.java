package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command actions behave as action.d files expect: families, on-demand start, check and repair. */
class CommandActionTest {

    @TempDir
    Path dir;
    Path log;

    @BeforeEach
    void setUp() {
        log = dir.resolve("log");
    }

    private CommandAction action(String jail, Map<String, String> props) {
        CommandAction a = new CommandAction(jail, "probe");
        props.forEach(a::setProperty);
        return a;
    }

    private List<String> lines() throws Exception {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private String echo(String what) {
        return "echo \"" + what + "\" >> " + log;
    }

    @Test
    void familyConditionalActionStartsPerFamilyOnDemand() throws Exception {
        CommandAction a = action("sshd", Map.of(
                "actionstart", echo("start <set> <family>"),
                "actionstop", echo("stop <set>"),
                "actionban", echo("ban <ip> in <set>"),
                "actionunban", echo("unban <ip> from <set>"),
                "set", "v4-<name>",
                "set?family=inet6", "v6-<name>",
                "name", "sshd"));
        a.start();
        assertEquals(List.of(), lines(), "nothing starts before a ban of a family");
        a.ban(TestBan.of("192.0.2.1"));
        a.ban(TestBan.of("192.0.2.2"));
        a.ban(TestBan.of("2001:db8::1"));
        a.unban(TestBan.of("2001:db8::1"));
        a.stop();
        List<String> l = lines();
        assertEquals(List.of("start v4-sshd inet4", "ban 192.0.2.1 in v4-sshd", "ban 192.0.2.2 in v4-sshd",
                "start v6-sshd inet6", "ban 2001:db8::1 in v6-sshd", "unban 2001:db8::1 from v6-sshd"),
                l.subList(0, 6));
        assertEquals(List.of("stop v4-sshd", "stop v6-sshd"), l.subList(6, 8).stream().sorted().toList());
        assertEquals(8, l.size());
    }

    @Test
    void plainActionStartsOnceAndStopsOnce() throws Exception {
        CommandAction a = action("web", Map.of(
                "actionstart", echo("start <name>"),
                "actionstop", echo("stop <name>"),
                "actionban", echo("ban <ip> <failures>"),
                "name", "web"));
        a.start();
        a.ban(TestBan.of("192.0.2.1", Map.of("failures", "3")));
        a.ban(TestBan.of("2001:db8::2", Map.of("failures", "4")));
        a.stop();
        assertEquals(List.of("start web", "ban 192.0.2.1 3", "ban 2001:db8::2 4", "stop web"), lines());
    }

    @Test
    void unbanOfAnUntouchedFamilyDoesNothing() throws Exception {
        CommandAction a = action("web", Map.of("actionunban", echo("unban <ip>")));
        a.start();
        a.unban(TestBan.of("192.0.2.1"));
        assertEquals(List.of(), lines());
    }

    @Test
    void failedBanIsCheckedRepairedAndRetriedOnce() throws Exception {
        Path ok = dir.resolve("chain-exists");
        CommandAction a = action("sshd", Map.of(
                "actioncheck", "test -f " + ok,
                "actionrepair", "touch " + ok + "; " + echo("repair"),
                "actionban", "test -f " + ok + " && " + echo("ban <ip>")));
        a.start();
        a.ban(TestBan.of("192.0.2.9"));
        assertEquals(List.of("repair", "ban 192.0.2.9"), lines());
    }

    @Test
    void withoutRepairCommandTheFamilyIsRestarted() throws Exception {
        Path ok = dir.resolve("chain-exists");
        CommandAction a = action("sshd", Map.of(
                "actionstart", "touch " + ok + "; " + echo("start"),
                "actionstop", "rm -f " + ok + "; " + echo("stop"),
                "actioncheck", "test -f " + ok,
                "actionban", "test -f " + ok + " && " + echo("ban <ip>")));
        a.start();
        Files.delete(ok); // someone flushed the firewall
        a.ban(TestBan.of("192.0.2.9"));
        assertEquals(List.of("start", "stop", "start", "ban 192.0.2.9"), lines());
    }

    @Test
    void brokenEnvironmentFailsTheBanAfterOneRepair() throws Exception {
        CommandAction a = action("sshd", Map.of(
                "actioncheck", "false",
                "actionrepair", echo("repair"),
                "actionban", "false"));
        a.start();
        ActionException e = assertThrows(ActionException.class, () -> a.ban(TestBan.of("192.0.2.9")));
        assertTrue(e.getMessage().contains("192.0.2.9"), e.getMessage());
        assertEquals(List.of("repair"), lines());
    }

    @Test
    void unbanDoesNotRepairUnlessAsked() throws Exception {
        CommandAction a = action("sshd", Map.of(
                "actioncheck", "false",
                "actionrepair", echo("repair"),
                "actionban", echo("ban"),
                "actionunban", "false"));
        a.start();
        a.ban(TestBan.of("192.0.2.9"));
        assertThrows(ActionException.class, () -> a.unban(TestBan.of("192.0.2.9")));
        assertEquals(List.of("ban"), lines());
        a.setProperty("actionrepair_on_unban", "True");
        assertThrows(ActionException.class, () -> a.unban(TestBan.of("192.0.2.9")));
        assertEquals(List.of("ban", "repair"), lines());
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws Exception {
        Path pids = dir.resolve("pids");
        CommandAction a = action("sshd", Map.of(
                "timeout", "1",
                "actionban", "(sleep 300; " + echo("late") + ") & echo $! > " + pids + "; sleep 300 | cat"));
        a.start();
        assertThrows(ActionException.class, () -> a.ban(TestBan.of("192.0.2.9")));
        long child = Long.parseLong(Files.readString(pids).strip());
        // the background subshell and its sleep are gone with the rest of the group
        for (int i = 0; i < 50 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "background child survived");
        assertEquals(List.of(), lines());
    }

    @Test
    void restoredBansSkipNorestoredActions() throws Exception {
        CommandAction a = action("sshd", Map.of("norestored", "True", "actionban", echo("mail <ip>")));
        a.start();
        a.ban(TestBan.of("192.0.2.1").restoredBan());
        a.ban(TestBan.of("192.0.2.2"));
        assertEquals(List.of("mail 192.0.2.2"), lines());
    }

    @Test
    void lineBreakSpaceAndRestoredTags() throws Exception {
        CommandAction a = action("sshd", Map.of(
                "actionban", "printf '%s' \"a<sp>b<br>c <restored> <ip-rev>\" >> " + log));
        a.start();
        a.ban(TestBan.of("192.0.2.1"));
        assertEquals(List.of("a b", "c 0 1.2.0.192."), lines());
    }

    @Test
    void selfReferenceIsAnErrorNamingTheAction() {
        CommandAction a = action("sshd", Map.of("actionstart", "echo <a>", "a", "x<b>", "b", "y<a>"));
        ActionException e = assertThrows(ActionException.class, a::start);
        assertTrue(e.getMessage().contains("jail sshd action probe") && e.getMessage().contains("refer to themselves"),
                e.getMessage());
    }

    @Test
    void sameUnbanCommandInTwoJailsKeepsTheAddressUntilTheLastBanEnds() throws Exception {
        SharedTargets shared = new SharedTargets();
        Path deny = dir.resolve("deny");
        Files.writeString(deny, "");
        Map<String, String> props = Map.of(
                "actionban", "echo '<ip>' >> " + deny,
                "actionunban", "sed -i '/^<ip>$/d' " + deny);
        CommandAction sshd = action("sshd", props);
        CommandAction recidive = action("recidive", props);
        sshd.useSharedTargets(shared);
        recidive.useSharedTargets(shared);
        sshd.start();
        recidive.start();
        sshd.ban(TestBan.of("192.0.2.5"));
        recidive.ban(TestBan.of("192.0.2.5"));
        sshd.unban(TestBan.of("192.0.2.5"));
        assertTrue(Files.readString(deny).contains("192.0.2.5"), "sshd's unban removed recidive's ban");
        recidive.unban(TestBan.of("192.0.2.5"));
        assertFalse(Files.readString(deny).contains("192.0.2.5"));
    }

    @Test
    void flushIsRefusedWhileAnotherJailHoldsTheTarget() throws Exception {
        SharedTargets shared = new SharedTargets();
        Map<String, String> props = Map.of(
                "actionban", echo("ban <ip>"),
                "actionunban", echo("unban <ip>"),
                "actionflush", echo("flush"));
        CommandAction a = action("a", props);
        CommandAction b = action("b", props);
        a.useSharedTargets(shared);
        b.useSharedTargets(shared);
        a.start();
        b.start();
        a.ban(TestBan.of("192.0.2.5"));
        b.ban(TestBan.of("192.0.2.6"));
        assertFalse(a.flush(), "flush would remove b's ban");
        b.unban(TestBan.of("192.0.2.6"));
        assertTrue(a.flush());
        assertEquals(List.of("ban 192.0.2.5", "ban 192.0.2.6", "unban 192.0.2.6", "flush"), lines());
        assertFalse(action("c", Map.of()).flush(), "no actionflush: one by one");
    }
}
