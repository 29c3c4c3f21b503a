package org.jfail2ban.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;

class CommandHelpTest {

    @Test
    void listsEveryCommandOfFail2ban102InItsOrder() {
        String script = "from fail2ban.protocol import protocol\n"
                + "for m in protocol:\n    print(m[1] if m[0] == '' else m[0])\n";
        Proc.Result r = Proc.run(List.of(Oracle.python(), "-c", script), null,
                Map.of("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString()), null, 60).assertOk();
        List<String> theirs = List.of(r.out().strip().split("\n"));
        assertEquals(theirs, CommandHelp.signatures());
    }

    @Test
    void keepsFail2bansColumns() {
        for (String l : CommandHelp.lines()) {
            assertTrue(l.isEmpty() || l.startsWith("    "), l);
            if (l.length() > 45 && !l.substring(4, 45).isBlank() && l.charAt(44) == ' ' && l.charAt(45) != ' ') {
                assertTrue(l.length() - 45 <= 34, "description wider than 34: " + l);
            }
        }
        List<String> lines = CommandHelp.lines();
        assertEquals(" ".repeat(45) + "BASIC", lines.get(0));
        assertEquals("    start                                    starts the server and its jails", lines.get(1));
        // a signature of 41 characters or more stands alone, its description below from column 45
        int i = lines.indexOf("    set <JAIL> addaction <ACT>[ <PYTHONFILE> <JSONKWARGS>]");
        assertTrue(i > 0 && lines.get(i + 1).startsWith(" ".repeat(45) + "adds"), lines.get(i + 1));
    }
}
