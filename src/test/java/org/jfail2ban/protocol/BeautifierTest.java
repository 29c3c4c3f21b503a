package org.jfail2ban.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BeautifierTest {

    private static String b(Object reply, String... cmd) {
        return Beautifier.beautify(List.of(cmd), reply);
    }

    @Test
    void jailStatusIsSeed004sTreeWithTabs() {
        List<Object> reply = List.of(
                List.of("Filter", List.of(List.of("Currently failed", 25L), List.of("Total failed", 90L),
                        List.of("File list", List.of("/var/log/fail2ban.log")))),
                List.of("Actions", List.of(List.of("Currently banned", 10L), List.of("Total banned", 10L),
                        List.of("Banned IP list", List.of("129.226.114.97", "103.246.240.26")))));
        assertEquals("Status for the jail: recidive\n"
                + "|- Filter\n"
                + "|  |- Currently failed:\t25\n"
                + "|  |- Total failed:\t90\n"
                + "|  `- File list:\t/var/log/fail2ban.log\n"
                + "`- Actions\n"
                + "   |- Currently banned:\t10\n"
                + "   |- Total banned:\t10\n"
                + "   `- Banned IP list:\t129.226.114.97 103.246.240.26", b(reply, "status", "recidive"));
    }

    @Test
    void serverStatusIsSeed004sTree() {
        assertEquals("Status\n|- Number of jail:\t2\n`- Jail list:\trecidive, sshd",
                b(List.of(List.of("Number of jail", 2L), List.of("Jail list", "recidive, sshd")), "status"));
    }

    @Test
    void listsAreTrees() {
        assertEquals("Current monitored log file(s):\n|- /a\n`- /b", b(List.of("/a", "/b"), "get", "sshd", "logpath"));
        assertEquals("No file is currently monitored", b(List.of(), "set", "sshd", "dellogpath", "/a"));
        assertEquals("These IP addresses/networks are ignored:\n`- 10.0.0.0/8", b(List.of("10.0.0.0/8"), "set", "j", "addignoreip", "x"));
        assertEquals("The following regular expression are defined:\n|- [0]: a\n`- [1]: b", b(List.of("a", "b"), "get", "j", "failregex"));
        assertEquals("No regular expression is defined", b(List.of(), "get", "j", "ignoreregex"));
        assertEquals("The jail j has the following actions:\na, b", b(List.of("a", "b"), "get", "j", "actions"));
        assertEquals("No actions for jail j", b(List.of(), "get", "j", "actions"));
        assertEquals("The jail j action a has the following properties:\nx, y", b(List.of("x", "y"), "get", "j", "actionproperties", "a"));
    }

    @Test
    void banListsAndRawValues() {
        assertEquals("1.2.3.4 5.6.7.8", b(List.of("1.2.3.4", "5.6.7.8"), "get", "j", "banip"));
        assertEquals("1.2.3.4;5.6.7.8", b(List.of("1.2.3.4", "5.6.7.8"), "get", "j", "banip", ";"));
        assertEquals("a\nb", b(List.of("a", "b"), "get", "j", "banip", "--with-time"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sshd", List.of("1.2.3.4"));
        assertEquals("[{'sshd': ['1.2.3.4']}]", b(List.of(m), "banned"));
        assertEquals("[1, 0]", b(List.of(1L, 0L), "get", "j", "banned", "a", "b"));
        assertEquals("True", b(true, "get", "j", "ignoreself"));
        assertEquals("None", b(null, "get", "j", "logtimezone"));
        assertEquals("5400.0", b(5400.0, "set", "j", "findtime", "1.5h"));
        assertEquals("['<ip>', 100, 300]", b(List.of("<ip>", 100L, 300L), "get", "j", "ignorecache"));
    }

    @Test
    void simpleCommands() {
        assertEquals("Server replied: pong", b("pong", "ping"));
        assertEquals("Shutdown successful", b(null, "stop"));
        assertEquals("Jail stopped", b(null, "stop", "sshd"));
        assertEquals("Jail started", b(null, "start", "sshd"));
        assertEquals("Added jail sshd", b("sshd", "add", "sshd"));
        assertEquals("logs: rolled over", b("rolled over", "flushlogs"));
        assertEquals("hello world", b(Arrays.asList("hello", "world"), "echo", "hello", "world"));
        assertEquals("Current logging level is 'INFO'", b("INFO", "get", "loglevel"));
        assertEquals("Current logging target is:\n`- /var/log/fail2ban.log", b("/var/log/fail2ban.log", "get", "logtarget"));
        assertEquals("Database currently disabled", b(null, "get", "dbfile"));
        assertEquals("Current database purge age is:\n`- 86400seconds", b(86400L, "get", "dbpurgeage"));
        assertEquals("Current date pattern set to: Default Detectors", b(Arrays.asList(null, "Default Detectors"), "get", "j", "datepattern"));
        assertEquals("Current log encoding is set to:\nUTF-8", b("UTF-8", "get", "j", "logencoding"));
    }

    @Test
    void errorsAreWordedAsFail2ban() {
        assertEquals("Sorry but the jail 'x' does not exist", Beautifier.beautifyError(Reply.error(Reply.Kind.UNKNOWN_JAIL, "x")));
        assertEquals("Sorry but the command is invalid", Beautifier.beautifyError(Reply.error(Reply.Kind.INVALID_COMMAND, "list index out of range")));
        assertEquals("The jail 'x' already exists", Beautifier.beautifyError(Reply.error(Reply.Kind.DUPLICATE_JAIL, "x")));
        assertEquals("Invalid command", Beautifier.beautifyError(Reply.error(Reply.Kind.ERROR, "Invalid command")));
    }

    @Test
    void anUnexpectedShapeIsPrintedRaw() {
        assertEquals("'odd'", b("odd", "status", "sshd"));
    }
}
