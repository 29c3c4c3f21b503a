package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values from log lines reach the shell as data in every quoting a command may put a tag in:
 * the command writes the value to a file, the file holds exactly the value, and nothing the
 * value asks for happens.
 */
class CommandActionInjectionTest {

    @TempDir
    Path dir;

    static Stream<String> hostile() {
        return Stream.of(
                "$(touch PWNED)",
                "`touch PWNED`",
                "'; touch PWNED; '",
                "\"; touch PWNED; \"",
                "x\ntouch PWNED",
                "x\rtouch PWNED",
                "~!touch PWNED",
                "a && touch PWNED || touch PWNED",
                "; touch PWNED",
                "| touch PWNED",
                "* ? [a-z]",
                "$HOME ${IFS} $0 $1",
                "\\\"'\\'\"",
                "%s%n%b \\c",
                "<ip> <F-USER> <br>",
                "root'\"$(touch PWNED)\"'`touch PWNED`",
                "EOF\ntouch PWNED\nEOF",
                "  leading and trailing  ",
                "");
    }

    /** Templates with the tag bare, in double quotes, single quotes, $( ), a here-document. */
    static List<String> templates() {
        return List.of(
                "printf '%s' <F-USER> > out",
                "printf '%s' \"<F-USER>\" > out",
                "printf '%s' '<F-USER>' > out",
                "printf '%s' \"$(printf '%s' <F-USER>)\" > out",
                "printf '%s' \"`printf '%s' \"<F-USER>\"`\" > out",
                "cat > out <<EOF\n<F-USER>\nEOF\ntruncate -s -1 out",
                "v=<F-USER>; printf '%s' \"$v\" > out",
                "printf '%s' \"${X:-<F-USER>}\" > out");
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void userFieldStaysData(String value) throws Exception {
        for (String t : templates()) {
            runAndCheck(t, "F-USER", value);
        }
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void matchesStayData(String value) throws Exception {
        runAndCheck("printf '%s' \"<matches>\" > out", "matches", value);
        runAndCheck("printf '%s' <matches> > out", "matches", value);
    }

    private void runAndCheck(String template, String tag, String value) throws Exception {
        Path work = Files.createTempDirectory(dir, "w");
        CommandAction a = new CommandAction("sshd", "probe");
        a.setProperty("actionban", "cd " + work + " && " + template.replace("<F-USER>", "<" + tag + ">"));
        a.setProperty("actionunban", "");
        a.start();
        TestBan ban = TestBan.of("192.0.2.7").with(tag.equals("F-USER") ? "F-USER" : tag, value);
        if (value.contains("\r")) {
            // a here-document cannot keep a bare CR apart from the line end; all else must hold
            if (template.contains("<<EOF")) {
                return;
            }
        }
        a.ban(ban);
        assertFalse(Files.exists(work.resolve("PWNED")), "injected command ran for template " + template);
        assertEquals(value, Files.readString(work.resolve("out")), "value altered by template " + template);
        try (Stream<Path> files = Files.list(work)) {
            assertEquals(List.of("out"), files.map(p -> p.getFileName().toString()).toList(), template);
        }
    }
}
