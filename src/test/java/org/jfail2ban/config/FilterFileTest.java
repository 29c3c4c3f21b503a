package org.jfail2ban.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading one filter on its own, as fail2ban-regex does: the jail's reader without a jail. */
class FilterFileTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve("filter.d").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    /** The values of a command ("addfailregex"), one per line, or null when there is none. */
    private static String setting(FilterFile f, String name) {
        for (List<Object> cmd : f.commands()) {
            if (cmd.get(2).equals(name)) {
                List<String> out = new ArrayList<>();
                for (Object o : cmd.get(0).equals("multi-set") ? (List<?>) cmd.get(3) : cmd.subList(3, cmd.size())) {
                    out.add(String.valueOf(o));
                }
                return String.join("\n", out);
            }
        }
        return null;
    }

    private static final String F_CONF = String.join("\n",
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
            "journalmatch = _SYSTEMD_UNIT=food.service + _COMM=food",
            "[Init]",
            "mode = normal",
            "");

    @Test
    void includesLocalsInterpolationInitAndTags() throws Exception {
        write("base.conf", "[DEFAULT]\n_daemon = \\S*\nprefix = ^%(_daemon)s\\[\\d+\\]:\n");
        write("f.conf", F_CONF);
        write("f.local", "[Definition]\nmode-extra = %(known/mode-extra)s and more\n");
        FilterFile f = FilterFile.read(dir, "f", Map.of(), "auto").orElseThrow();
        assertEquals("^food\\[\\d+\\]: normal from <HOST>\n^food\\[\\d+\\]: second from <HOST>", setting(f, "addfailregex"));
        assertEquals("2", setting(f, "maxlines"));
        assertEquals("%Y-%m-%d", setting(f, "datepattern"));
        assertEquals(null, setting(f, "addignoreregex"), "an empty ignoreregex adds nothing");
        assertEquals(List.of("set", FilterFile.JAIL, "maxlines", 2), f.commands().get(0), "maxlines comes first, as fail2ban sends it");
        assertEquals(List.of("set", FilterFile.JAIL, "addjournalmatch", "_SYSTEMD_UNIT=food.service", "+", "_COMM=food"),
                f.commands().get(f.commands().size() - 1));
        assertEquals(Map.of("logtype", "file", "datepattern", "%Y-%m-%d", "known/mode", "normal", "mode", "normal"), f.realOptions());

        FilterFile extra = FilterFile.read(dir, "f", Map.of("mode", "extra"), "systemd").orElseThrow();
        assertTrue(setting(extra, "addfailregex").startsWith("^food\\[\\d+\\]: extra (x) and more from <HOST>"),
                setting(extra, "addfailregex"));
        assertEquals("journal", extra.realOptions().get("logtype"), "the journal backend makes logtype journal");
        assertEquals("extra", extra.realOptions().get("mode"));
    }

    @Test
    void aFileNamedByItsPathWithItsLocalAndIncludes() throws Exception {
        Path other = dir.resolve("elsewhere");
        Files.createDirectories(other);
        Files.writeString(other.resolve("base.conf"), "[DEFAULT]\n_daemon = \\S*\nprefix = ^%(_daemon)s\\[\\d+\\]:\n");
        Files.writeString(other.resolve("f.conf"), F_CONF);
        Files.writeString(other.resolve("f.local"), "[Init]\nmode = local\n[Definition]\nmode-local = from the local\n");
        FilterFile f = FilterFile.readFile(other.resolve("f.conf"), Map.of(), "auto").orElseThrow();
        assertEquals("^food\\[\\d+\\]: from the local from <HOST>\n^food\\[\\d+\\]: second from <HOST>", setting(f, "addfailregex"));
        assertTrue(FilterFile.readFile(other.resolve("none.conf"), Map.of(), "auto").isEmpty());
    }

    @Test
    void errorsNameWhatIsWrong() throws Exception {
        assertTrue(FilterFile.read(dir, "nope", Map.of(), "auto").isEmpty(), "a filter that is not there is none");
        assertThrows(ConfigException.class, () -> FilterFile.read(dir.resolve("missing"), "f", Map.of(), "auto"));
        write("bad.conf", "[Definition]\nfailregex = %(undefined)s <HOST>\n");
        ConfigException bad = assertThrows(ConfigException.class, () -> FilterFile.read(dir, "bad", Map.of(), "auto"));
        assertTrue(bad.getMessage().contains("undefined") && bad.getMessage().contains("failregex"), bad.getMessage());
        write("loop.conf", "[Definition]\nfailregex = <a> <HOST>\na = <b>\nb = <a>\n");
        assertThrows(ConfigException.class, () -> FilterFile.read(dir, "loop", Map.of(), "auto"));
        write("nosection.conf", "failregex = x\n");
        ConfigException ns = assertThrows(ConfigException.class, () -> FilterFile.read(dir, "nosection", Map.of(), "auto"));
        assertTrue(ns.getMessage().contains("nosection.conf"), ns.getMessage());
    }

    @Test
    void optionsGivenWithTheName() {
        OptionSpec p = OptionSpec.parse("sshd[mode=aggressive, publickey=\"a, b\", x='y']");
        assertEquals("sshd", p.name());
        assertEquals(Map.of("mode", "aggressive", "publickey", "a, b", "x", "y"), p.options());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptionSpec.parse("flt[a='x,y,z',b=z,y,x]"));
        assertEquals("expected option, wrong syntax at 14: y,x", e.getMessage());
    }
}
