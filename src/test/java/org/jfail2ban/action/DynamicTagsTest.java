package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jfail2ban.action.ShellContext.Kind;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;

/** The quoting the shell applies at a spot, and values that need more than nine arguments. */
class DynamicTagsTest {

    private static Kind[] kinds(String script, String... marks) {
        int[] at = new int[marks.length];
        int from = 0;
        for (int i = 0; i < marks.length; i++) {
            at[i] = script.indexOf(marks[i], from);
            from = at[i] + 1;
        }
        return ShellContext.at(script, at);
    }

    @Test
    void quotingContexts() {
        assertArrayEquals(new Kind[] {Kind.BARE, Kind.DOUBLE, Kind.SINGLE, Kind.BARE, Kind.DOUBLE},
                kinds("echo A \"B\" 'C' $(echo D \"E\")", "A", "B", "C", "D", "E"));
        assertArrayEquals(new Kind[] {Kind.DOUBLE, Kind.BARE},
                kinds("echo \"x `echo \\\"y\\\"` A\" B", "A", "B"));
        assertArrayEquals(new Kind[] {Kind.BARE, Kind.BARE},
                kinds("echo 'it''s' A # comment's B", "A", "B"));
        assertArrayEquals(new Kind[] {Kind.HEREDOC, Kind.BARE, Kind.HEREDOC_LITERAL, Kind.BARE},
                kinds("cat <<EOF\nline A\nEOF\necho B\ncat <<'END'\nC\nEND\necho D", "A", "B", "C", "D"));
        assertArrayEquals(new Kind[] {Kind.HEREDOC},
                kinds("cat <<-EOF\n\tA\n\tEOF\n", "A"));
        // inside ${...} quoting starts afresh: a quoted expansion is right there too
        assertArrayEquals(new Kind[] {Kind.BARE, Kind.BARE},
                kinds("v=\"${x:-A}\" B", "A", "B"));
    }

    @Test
    void twelveForeignValuesReachTheCommandIntact() {
        StringBuilder cmd = new StringBuilder("printf '%s|'");
        Map<String, String> values = new HashMap<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            cmd.append(" <F-V").append(i).append('>');
            String v = "v" + i + " $(x) '" + i;
            values.put("F-V" + i, v);
            expected.add(v);
        }
        DynamicTags.ShellScript s = DynamicTags.forShell(cmd.toString(), values::get, null);
        assertEquals(12, s.args().size());
        Proc.Result r = Proc.run(s.argv()).assertOk();
        assertEquals(String.join("|", expected) + "|", r.out());
    }

    @Test
    void safeValuesAreWrittenAsFail2banWritesThem() {
        DynamicTags.ShellScript s = DynamicTags.forShell("iptables -I f2b-sshd 1 -s <ip> -j REJECT",
                t -> t.equals("ip") ? "2001:db8::1" : null, null);
        assertEquals("iptables -I f2b-sshd 1 -s 2001:db8::1 -j REJECT", s.script());
        assertEquals(List.of(), s.args());
    }
}
