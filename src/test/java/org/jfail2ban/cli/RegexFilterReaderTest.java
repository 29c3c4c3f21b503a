package org.jfail2ban.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a filter of filter.d as fail2ban-regex does. */
class RegexFilterReaderTest {

    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Path p = dir.resolve("filter.d").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static String setting(List<RegexFilterReader.Setting> s, String name) {
        return s.stream().filter(x -> x.name().equals(name)).map(x -> String.join("\n", x.values())).findFirst().orElse(null);
    }

    @Test
    void includesLocalsInterpolationInitAndTags() throws Exception {
        write("base.conf", "[DEFAULT]\n_daemon = \\S*\nprefix = ^%(_daemon)s\\[\\d+\\]:\n[lt_file]\nsep = ' '\n");
        write("f.conf", String.join("\n",
                "[INCLUDES]",
                "before = base.conf",
                "[DEFAULT]",
                "_daemon = food",
                "[Definition]",
                "failregex = %(prefix)s <mode-<mode>> from <HOST>   ; an inline comment",
                "            %(prefix)s second from <HOST>",
                "# a comment line",
                "mode-normal = normal",
                "mode-extra = extra (x)",
                "maxlines = 2",
                "datepattern = %%Y-%%m-%%d",
                "ignoreregex =",
                "[Init]",
                "mode = normal",
                ""));
        write("f.local", "[Definition]\nmode-extra = %(known/mode-extra)s and more\n");
        List<RegexFilterReader.Setting> s = RegexFilterReader.read(dir, "f", Map.of(), "file");
        assertEquals("^food\\[\\d+\\]: normal from <HOST>\n^food\\[\\d+\\]: second from <HOST>", setting(s, "addfailregex"));
        assertEquals("2", setting(s, "maxlines"));
        assertEquals("%Y-%m-%d", setting(s, "datepattern"));
        assertEquals(null, setting(s, "addignoreregex"), "an empty ignoreregex adds nothing");
        assertEquals("maxlines", s.get(0).name(), "maxlines comes first, as fail2ban sends it");

        List<RegexFilterReader.Setting> extra = RegexFilterReader.read(dir, "f", Map.of("mode", "extra"), "file");
        assertTrue(setting(extra, "addfailregex").startsWith("^food\\[\\d+\\]: extra (x) and more from <HOST>"),
                setting(extra, "addfailregex"));
    }

    @Test
    void errorsNameWhatIsWrong() throws Exception {
        RegexFilterReader.ReadException missing = assertThrows(RegexFilterReader.ReadException.class,
                () -> RegexFilterReader.read(dir, "nope", Map.of(), "file"));
        assertTrue(missing.getMessage().contains("'filter.d/nope'"), missing.getMessage());
        write("bad.conf", "[Definition]\nfailregex = %(undefined)s <HOST>\n");
        RegexFilterReader.ReadException bad = assertThrows(RegexFilterReader.ReadException.class,
                () -> RegexFilterReader.read(dir, "bad", Map.of(), "file"));
        assertTrue(bad.getMessage().contains("'undefined'") && bad.getMessage().contains("'failregex'"), bad.getMessage());
        write("loop.conf", "[Definition]\nfailregex = <a> <HOST>\na = <b>\nb = <a>\n");
        assertThrows(RegexFilterReader.ReadException.class, () -> RegexFilterReader.read(dir, "loop", Map.of(), "file"));
        write("nosection.conf", "failregex = x\n");
        RegexFilterReader.ReadException ns = assertThrows(RegexFilterReader.ReadException.class,
                () -> RegexFilterReader.read(dir, "nosection", Map.of(), "file"));
        assertTrue(ns.getMessage().contains("no section headers") && ns.getMessage().contains("line: 1"), ns.getMessage());
    }

    @Test
    void optionsGivenWithTheName() {
        RegexOptions.Parsed p = RegexOptions.extract("sshd[mode=aggressive, publickey=\"a, b\", x='y']");
        assertEquals("sshd", p.name());
        assertEquals(Map.of("mode", "aggressive", "publickey", "a, b", "x", "y"), p.options());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegexOptions.extract("flt[a='x,y,z',b=z,y,x]"));
        assertEquals("expected option, wrong syntax at 14: y,x", e.getMessage());
    }
}
