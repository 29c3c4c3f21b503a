package org.jfail2ban.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every configuration error stops the reading with a message that names the file (and line),
 * the section and the key, so a sysadmin can go straight to the fault.
 */
class ErrorsTest {

    @TempDir
    Path tmp;
    ConfigDir c;
    String log;
    String jail;

    @BeforeEach
    void setUp() {
        c = new ConfigDir(tmp).basics();
        log = c.log("test.log").toString();
        jail = tmp + "/jail.conf";
    }

    private void jail(String... extra) {
        String[] head = {"[DEFAULT]", "port = 22", "action = test[port=%(port)s]", "[t]", "enabled = true",
            "filter = test", "logpath = " + log};
        String[] all = new String[head.length + extra.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(extra, 0, all, head.length, extra.length);
        c.file("jail.conf", all);
    }

    private String error() {
        return c.message(ConfigException.class);
    }

    @Test
    void missingFilterFile() {
        c.file("jail.conf", "[t]", "enabled = true", "filter = sshdd[mode=normal]", "logpath = " + log);
        assertEquals(jail + " line 3: [t] filter: filter 'sshdd' not found: no " + tmp + "/filter.d/sshdd.conf, "
                + tmp + "/filter.d/sshdd.local or " + tmp + "/filter.d/sshdd.d/*.conf|*.local", error());
    }

    @Test
    void missingActionFile() {
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = " + log, "action = test",
                "         nftabels[port=ssh]");
        assertEquals(jail + " line 5: [t] action: action 'nftabels' not found: no " + tmp + "/action.d/nftabels.conf, "
                + tmp + "/action.d/nftabels.local or " + tmp + "/action.d/nftabels.d/*.conf|*.local", error());
    }

    @Test
    void syntaxError() {
        c.file("jail.local", "[t]", "maxretry = 3", "this line has no equals sign", "bantime = 1h");
        jail();
        assertEquals(tmp + "/jail.local line 3: [t] syntax error: 'this line has no equals sign' is neither a [section]"
                + " header nor a 'key = value' line", error());
    }

    @Test
    void optionBeforeAnySection() {
        c.file("jail.local", "maxretry = 3");
        jail();
        assertEquals(tmp + "/jail.local line 1: a [section] header must come before 'maxretry = 3'", error());
    }

    @Test
    void keyGivenTwiceInOneFile() {
        jail("maxretry = 3", "maxretry = 4");
        assertEquals(jail + " line 9: [t] maxretry: given twice in this section of the file", error());
    }

    @Test
    void missingInterpolationName() {
        jail("bantime = %(ban_time)s");
        assertEquals(jail + " line 8: [t] bantime: %(ban_time)s names no option 'ban_time' in [t] or [DEFAULT]", error());
    }

    @Test
    void missingInterpolationNameDeepDown() {
        c.file("jail.conf", "[DEFAULT]", "action_ = test[port=%(prot)s]", "action = %(action_)s",
                "[t]", "enabled = true", "filter = test", "logpath = " + log);
        assertEquals(jail + " line 3: [t] action: %(prot)s names no option 'prot' in [t] or [DEFAULT]"
                + " (reached through %(action_)s)", error());
    }

    @Test
    void interpolationLoop() {
        jail("findtime = %(bantime)s", "bantime = %(findtime)s");
        String msg = error();
        assertTrue(msg.startsWith(jail + " line 8: [t] findtime: the value goes more than 10 levels deep (a loop?): "
                + "%(bantime)s -> %(findtime)s -> %(bantime)s"), msg);
    }

    @Test
    void badPercentSign() {
        jail("ignorecommand = echo 100%");
        assertEquals(jail + " line 8: [t] ignorecommand: '%' must be followed by '%' or '(', found '%'"
                + " (write %% for a percent sign)", error());
    }

    @Test
    void badTimeSpan() {
        jail("bantime = 10 minuets");
        String msg = error();
        assertTrue(msg.startsWith(jail + " line 8: [t] bantime: Wrong time span '10 minuets'"), msg);
    }

    @Test
    void badTimeSpanInServerOptions() {
        jail();
        c.file("fail2ban.local", "[Definition]", "dbpurgeage = 1 fortnight");
        String msg = error();
        assertTrue(msg.startsWith(tmp + "/fail2ban.local line 2: [Definition] dbpurgeage: Wrong time span '1 fortnight'"), msg);
    }

    @Test
    void unknownJailOptionWithASuggestion() {
        jail("maxretyr = 3");
        assertEquals(jail + " line 8: [t] maxretyr: unknown jail option: no jail, filter or action option has this name"
                + " and no value refers to it as %(maxretyr)s; did you mean 'maxretry'?", error());
    }

    @Test
    void unknownJailOptionInALocalFile() {
        jail();
        c.file("jail.d/tuning.local", "[t]", "bantime.incremnt = true");
        String msg = error();
        assertTrue(msg.startsWith(tmp + "/jail.d/tuning.local line 2: [t] bantime.incremnt: unknown jail option"), msg);
        assertTrue(msg.endsWith("did you mean 'bantime.increment'?"), msg);
    }

    @Test
    void optionsOtherValuesReferToAreNotUnknown() throws Exception {
        jail("port = 2222", "knocking = /x", "ignorecommand = /bin/check %(knocking)s");
        Configurator.read(tmp, Configurator.Request.start());
    }

    @Test
    void conventionalNamesAreNeverUnknown() throws Exception {
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = " + log, "action = test",
                "port = 2222", "protocol = udp", "banaction = iptables", "mta = mail");
        Configurator.read(tmp, Configurator.Request.start());
    }

    @Test
    void notANumber() {
        jail("maxretry = five");
        assertEquals(jail + " line 8: [t] maxretry: 'five' is not a whole number", error());
    }

    @Test
    void notABoolean() {
        c.file("jail.conf", "[t]", "enabled = true # on", "filter = test", "logpath = " + log);
        assertEquals(jail + " line 2: [t] enabled: 'true # on' is not a boolean (true/false, yes/no, on/off, 1/0;"
                + " only ';' after a blank starts a comment inside a line)", error());
    }

    @Test
    void badActionSpec() {
        jail("action = test[port=22] junk[");
        assertEquals(jail + " line 8: [t] action: invalid action definition 'junk[': unexpected option syntax", error());
    }

    @Test
    void badFilterSpec() {
        c.file("jail.conf", "[t]", "enabled = true", "filter = test[mode=\"a\" x]", "logpath = " + log);
        assertEquals(jail + " line 3: [t] filter: invalid filter definition 'test[mode=\"a\" x]': unexpected syntax at 8"
                + " after option 'mode':  x", error());
    }

    @Test
    void tagReferringToItself() {
        c.file("action.d/loop.conf", "[Definition]", "actionban = <a> <ip>", "a = x<b>", "b = <a>");
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = " + log, "action = loop[a=<b>, b=<a>]");
        String msg = error();
        assertTrue(msg.startsWith(tmp + "/action.d/loop.conf (used by [t]): tags refer to each other in a loop and cannot be resolved: <actionban> through <a>"), msg);
    }

    @Test
    void filterWithoutDefinition() {
        c.file("filter.d/empty.conf", "[INCLUDES]", "before = test.conf");
        c.file("filter.d/bare.conf", "[Init]", "x = 1");
        c.file("jail.conf", "[t]", "enabled = true", "filter = bare", "logpath = " + log);
        assertEquals(tmp + "/filter.d/bare.conf (used by [t]): has no [Definition] section", error());
    }

    @Test
    void badLogLevel() {
        jail();
        c.file("fail2ban.conf", "[Definition]", "loglevel = LOUD");
        assertEquals(tmp + "/fail2ban.conf line 2: [Definition] loglevel: invalid log level 'LOUD' (CRITICAL, ERROR,"
                + " WARNING, NOTICE, INFO, DEBUG, TRACEDEBUG, HEAVYDEBUG or a number)", error());
    }

    @Test
    void notUtf8() throws Exception {
        jail();
        java.nio.file.Files.write(tmp.resolve("jail.local"), new byte[] {'[', 't', ']', '\n', 'a', '=', (byte) 0xff, '\n'});
        assertTrue(error().startsWith(tmp + "/jail.local: not valid UTF-8 text"));
    }

    @Test
    void noSuchDirectoryOrJail() {
        ConfigException e = assertThrows(ConfigException.class, () -> Configurator.commands(tmp.resolve("nope")));
        assertEquals("Base configuration directory " + tmp + "/nope does not exist", e.getMessage());
        jail();
        e = assertThrows(ConfigException.class, () -> Configurator.commands(tmp, "sshd"));
        assertEquals("no jail [sshd] in " + jail, e.getMessage());
    }

    @Test
    void theClientExitsWithAnErrorAndSendsNothing() {
        jail("maxretry = many");
        Proc.Result r = Proc.run(List.of(Path.of("bin/fail2ban-client").toAbsolutePath().toString(), "-c", tmp.toString(), "-d"));
        assertEquals(255, r.exit(), r.err());
        // fail2ban-client's words on stdout when its configuration cannot be read
        assertEquals("ERROR: The configuration stream failed because of the invalid syntax.\n", r.out());
        assertTrue(r.err().contains(jail + " line 8: [t] maxretry: 'many' is not a whole number"), r.err());
    }
}
