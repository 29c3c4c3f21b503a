package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hosts.deny: safe edits, fail2ban's line format, and bans of several jails. */
class HostsDenyBackendTest {

    @TempDir
    Path dir;

    private static final String ADMIN = "# the administrator's own lines\nsshd: 203.0.113.0/24\nALL: .example.net\n";

    private CommandAction action(String jail, Path file, SharedTargets shared) throws ActionException {
        CommandAction a = new CommandAction(jail, "hostsdeny");
        a.useSharedTargets(shared);
        a.setProperty("native", "hostsdeny");
        a.setProperty("file", file.toString());
        a.setProperty("daemon_list", "ALL");
        a.start();
        return a;
    }

    @Test
    void addressStaysWhileAnotherJailHoldsIt() throws Exception {
        Path deny = dir.resolve("hosts.deny");
        Files.writeString(deny, ADMIN);
        Files.setPosixFilePermissions(deny, PosixFilePermissions.fromString("rw-r-----"));
        SharedTargets shared = new SharedTargets();
        CommandAction sshd = action("sshd", deny, shared);
        CommandAction recidive = action("recidive", deny, shared);

        sshd.ban(TestBan.of("192.0.2.5", Map.of("bantime", "600")));
        recidive.ban(TestBan.of("192.0.2.5", Map.of("bantime", "604800")));
        sshd.ban(TestBan.of("2001:db8::5", Map.of("bantime", "600")));
        assertEquals(ADMIN + "ALL: 192.0.2.5\nALL: [2001:db8::5]\n", Files.readString(deny));

        sshd.unbanAll(List.of(TestBan.of("192.0.2.5"), TestBan.of("2001:db8::5")));
        assertEquals(ADMIN + "ALL: 192.0.2.5\n", Files.readString(deny), "recidive's ban must stay");
        recidive.unban(TestBan.of("192.0.2.5"));
        assertEquals(ADMIN, Files.readString(deny));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(deny)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(deny), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void linesAreTheOnesFail2bansOwnActionRemoves() throws Exception {
        Path deny = dir.resolve("hosts.deny");
        Files.writeString(deny, ADMIN);
        CommandAction ours = action("sshd", deny, new SharedTargets());
        ours.banAll(List.of(TestBan.of("192.0.2.5"), TestBan.of("2001:db8::5")));
        // fail2ban's stock hostsdeny unban command, through our command action, on our lines
        CommandAction stock = new CommandAction("other", "hostsdeny");
        for (String[] kv : OracleStreams.actions(OracleStreams.stream(OracleStreams.configDir(dir.resolve("conf"), null,
                "[DEFAULT]\nbackend = polling\nlogpath = /dev/null\n[hd]\nenabled = true\nfilter = sshd\n"
                        + "action = hostsdeny[file=\"" + deny + "\"]\n")), "hd").get("hostsdeny")) {
            stock.setProperty(kv[0], kv[1]);
        }
        stock.start();
        stock.banAll(List.of(TestBan.of("192.0.2.9"), TestBan.of("2001:db8::9")));
        stock.unbanAll(List.of(TestBan.of("192.0.2.5"), TestBan.of("2001:db8::5")));
        assertEquals(ADMIN + "ALL: 192.0.2.9\nALL: [2001:db8::9]\n", Files.readString(deny));
        // ours removes the lines fail2ban's action wrote
        ours.unbanAll(List.of(TestBan.of("192.0.2.9"), TestBan.of("2001:db8::9")));
        assertEquals(ADMIN, Files.readString(deny));
    }

    @Test
    void concurrentJailsLoseNoLine() throws Exception {
        Path deny = dir.resolve("hosts.deny");
        Files.writeString(deny, ADMIN);
        SharedTargets shared = new SharedTargets();
        List<CommandAction> jails = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
            jails.add(action("jail" + j, deny, shared));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
            int jj = j;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    jails.get(jj).ban(TestBan.of("198.51." + jj + "." + i));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        List<String> lines = Files.readAllLines(deny);
        assertEquals(3 + 200, lines.size());
        assertTrue(Files.readString(deny).startsWith(ADMIN));
    }
}
