package org.jfail2ban.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;

/** The man pages render without a warning and document what fail2ban 1.0.2's -h lists. */
final class ManPageTest {

    private static final List<String> PAGES = List.of("fail2ban-client.1", "fail2ban-server.1", "fail2ban-regex.1", "jail.conf.5");

    /** The page as man shows it, in plain ASCII, without hyphenation (words stay whole). */
    private static String render(String page) {
        Proc.Result r = Proc.run(List.of("sh", "-c", "man --warnings --nh --nj -E ascii -l \"$1\" | col -b", "render",
                Packaging.file("man/" + page).toString()), null, Map.of("MANWIDTH", "200", "LC_ALL", "C", "MANPAGER", "cat"), null, 60)
                .assertOk();
        assertEquals("", r.err(), page + " renders with warnings");
        assertTrue(r.out().length() > 1000, page + " is nearly empty");
        return r.out();
    }

    @Test
    void everyPageRendersCleanly() {
        for (String page : PAGES) {
            assertTrue(render(page).contains("NAME"), page);
        }
    }

    @Test
    void commandPagesDocumentEveryOption() {
        for (String tool : Packaging.TOOLS) {
            String text = render(tool + ".1");
            List<String> missing = new ArrayList<>();
            for (String option : Packaging.oracleHelp(tool).options()) {
                if (!text.matches("(?s).*(^|[\\s,(])" + java.util.regex.Pattern.quote(option) + "([\\s,=]|$).*")) {
                    missing.add(option);
                }
            }
            assertEquals(List.of(), missing, tool + ".1 leaves out options");
        }
    }

    @Test
    void clientPageNamesEveryCommand() {
        String text = render("fail2ban-client.1");
        List<String> missing = new ArrayList<>();
        for (List<String> c : Packaging.oracleHelp("fail2ban-client").commands()) {
            // the command word, and for set/get the setting (a jail's or the server's)
            String word = (c.get(0).equals("set") || c.get(0).equals("get")) && c.size() > 1
                    ? (c.get(1).equals("<JAIL>") && c.size() > 2 ? c.get(2) : c.get(1)) : c.get(0);
            if (!word.startsWith("<") && !text.contains(word) && !missing.contains(word)) {
                missing.add(word);
            }
        }
        assertEquals(List.of(), missing, "fail2ban-client.1 leaves out commands");
    }
}
