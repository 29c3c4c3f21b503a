package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.Test;

class ClientCommandLineTest {

    @Test
    void optionsAsGetoptReadsThem() throws Exception {
        ClientCommandLine c = ClientCommandLine.parse(new String[] {"-xf", "-s/run/x.sock", "--pid", "/run/x.pid", "-vv",
            "--logtarget=STDERR", "-c", "/etc/j", "set", "sshd", "-x"});
        assertTrue(c.force);
        assertFalse(c.background);
        assertEquals("/run/x.sock", c.socket);
        assertEquals("/run/x.pid", c.pidfile);
        assertEquals(3, c.verbose);
        assertEquals("STDERR", c.logtarget);
        assertEquals(Path.of("/etc/j"), c.conf);
        assertEquals(List.of("set", "sshd", "-x"), c.args, "options end at the first word of the command");
        assertEquals(2, ClientCommandLine.parse(new String[] {"--dp"}).dump);
        assertEquals(2, ClientCommandLine.parse(new String[] {"--version"}).version);
        assertEquals(1, ClientCommandLine.parse(new String[] {"-V"}).version);
        assertThrows(ClientCommandLine.BadOption.class, () -> ClientCommandLine.parse(new String[] {"-Z"}));
        assertThrows(ClientCommandLine.BadOption.class, () -> ClientCommandLine.parse(new String[] {"-s"}));
        assertThrows(ClientCommandLine.BadOption.class, () -> ClientCommandLine.parse(new String[] {"--bogus"}));
        assertThrows(ClientCommandLine.BadOption.class, () -> ClientCommandLine.parse(new String[] {"--d"}), "ambiguous prefix");
    }

    private static List<String> optionColumn(String help) {
        List<String> out = new ArrayList<>();
        for (String l : help.split("\n")) {
            if (l.startsWith("    -")) {
                out.add(l.substring(0, Math.min(l.length(), 28)).stripTrailing());
            }
        }
        return out;
    }

    @Test
    void theServerHelpListsFail2bansOptionsInItsColumns() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ClientCommandLine.usage(new PrintStream(buf, true, StandardCharsets.UTF_8), "fail2ban-server", "jfail2ban");
        String ours = buf.toString(StandardCharsets.UTF_8);
        String theirs = Oracle.run("fail2ban-server", List.of("-h")).assertOk().out();
        assertEquals(optionColumn(theirs), optionColumn(ours));
        assertTrue(ours.startsWith("Usage: fail2ban-server [OPTIONS]\n\n"));
        assertFalse(ours.contains("Command:"));
    }

    @Test
    void theClientHelpEndsWithTheCommands() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ClientCommandLine.usage(new PrintStream(buf, true, StandardCharsets.UTF_8), "fail2ban-client", "jfail2ban");
        String ours = buf.toString(StandardCharsets.UTF_8);
        assertTrue(ours.startsWith("Usage: fail2ban-client [OPTIONS] <COMMAND>\n"));
        assertTrue(ours.contains("\nCommand:\n" + " ".repeat(45) + "BASIC\n    start "));
    }

    @Test
    void interactiveLinesSplitLikeAShell() {
        assertEquals(List.of("set", "sshd", "addfailregex", "Failed for .* from <HOST>"),
                ClientMain.split("set sshd addfailregex 'Failed for .* from <HOST>'"));
        assertEquals(List.of("a b", "c\"d", "e f", "g$"), ClientMain.split("\"a b\" c\\\"d e\\ f \"g\\$\""));
        assertEquals(List.of(), ClientMain.split("   "));
        assertThrows(IllegalArgumentException.class, () -> ClientMain.split("'open"));
    }

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new ClientMain("fail2ban-client", new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void smallAnswersNeedNoServer() {
        assertEquals("600\n", run("--str2sec", "10m")[1]);
        assertEquals("5400.0\n", run("--str2sec", "1.5h")[1]);
        assertEquals("1.0.2\n", run("-V")[1]);
        assertTrue(run("--version")[1].contains("Fail2Ban v1.0.2 compatible"));
        String[] usage = run();
        assertEquals("255", usage[0]);
        assertTrue(usage[1].startsWith("Usage: fail2ban-client"));
        String[] bad = run("-Z");
        assertEquals("255", bad[0]);
        assertTrue(bad[2].contains("ERROR   option -Z not recognized"), bad[2]);
    }

    @Test
    void aConfigurationTestFailsClearlyOnAnUnreadableConfiguration() {
        String[] r = run("-c", "/nonexistent/jfail2ban-conf", "-t");
        assertEquals("255", r[0]);
        assertTrue(r[2].contains("ERROR   Failed during configuration: "), r[2]);
        assertTrue(r[2].contains("test configuration failed"), r[2]);
    }

    @Test
    void aMissingServerIsReportedClearly() {
        String[] r = run("-s", "/nonexistent/dir/f.sock", "status");
        assertEquals("255", r[0]);
        assertTrue(r[2].contains("ERROR   Failed to access socket path: /nonexistent/dir/f.sock. Is fail2ban running?"), r[2]);
    }
}
