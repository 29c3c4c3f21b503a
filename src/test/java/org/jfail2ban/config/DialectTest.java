package org.jfail2ban.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each feature of fail2ban's configuration dialect, on small trees written here. */
class DialectTest {

    @TempDir
    Path tmp;
    ConfigDir c;
    String log;

    @BeforeEach
    void setUp() {
        c = new ConfigDir(tmp).basics();
        log = c.log("logs/test.log").toString();
    }

    private IniSet set(String name) throws ConfigException {
        return new ConfigTree(tmp.toString()).set(name).orElseThrow();
    }

    @Test
    void keysTakeEqualsOrColonAndAreLowercased() throws Exception {
        c.file("x.conf", "[s]", "Alpha = 1", "beta: 2", "GAMMA:3=4");
        IniSet s = set("x");
        assertEquals("1", s.get("s", "alpha"));
        assertEquals("2", s.get("s", "BETA"));
        assertEquals("3=4", s.get("s", "gamma"));
    }

    @Test
    void valuesContinueOnIndentedLinesKeepingBlankLinesButNotComments() throws Exception {
        c.file("x.conf", "[s]", "v = one", "    two", "", "    three", "# a comment", "    four", "w = x", "");
        assertEquals("one\ntwo\n\nthree\nfour", set("x").get("s", "v"));
    }

    @Test
    void commentsAsFail2banTreatsThem() throws Exception {
        c.file("x.conf", "# whole line", "[s]", "; whole line too", "a = 1 ; inline after a blank",
                "b = x;y", "c = #kept", "d = 1 # kept too");
        IniSet s = set("x");
        assertEquals("1", s.get("s", "a"));
        assertEquals("x;y", s.get("s", "b"));
        assertEquals("#kept", s.get("s", "c"));
        assertEquals("1 # kept too", s.get("s", "d"));
    }

    @Test
    void interpolationFromSectionAndDefaultRecursively() throws Exception {
        c.file("x.conf", "[DEFAULT]", "base = /var", "dir = %(base)s/log", "[s]", "file = %(dir)s/%(name)s.log",
                "name = app", "pct = 100%%", "me = %(__name__)s");
        IniSet s = set("x");
        assertEquals("/var/log/app.log", s.get("s", "file"));
        assertEquals("100%", s.get("s", "pct"));
        assertEquals("s", s.get("s", "me"));
    }

    @Test
    void interpolationAcrossSectionsKnownAndDefault() throws Exception {
        c.file("x.conf", "[DEFAULT]", "port = 22", "[other]", "port = 80", "[s]", "port = 443",
                "mine = %(port)s", "theirs = %(other/port)s", "dflt = %(default/port)s");
        c.file("x.local", "[s]", "port = %(known/port)s,8443");
        IniSet s = set("x");
        assertEquals("443,8443", s.get("s", "mine"));
        assertEquals("80", s.get("s", "theirs"));
        assertEquals("22", s.get("s", "dflt"));
    }

    @Test
    void readOrderConfDirLocalDirLocal() throws Exception {
        c.file("x.conf", "[s]", "k = conf", "order = c");
        c.file("x.d/b.conf", "[s]", "k = d-b", "order = %(known/order)s db");
        c.file("x.d/a.conf", "[s]", "k = d-a", "order = %(known/order)s da");
        c.file("x.local", "[s]", "k = local");
        c.file("x.d/z.local", "[s]", "k = d-local");
        c.file("x.d/.hidden.local", "[s]", "k = hidden");
        assertEquals("d-local", set("x").get("s", "k"));
        assertEquals(List.of(tmp + "/x.conf", tmp + "/x.d/a.conf", tmp + "/x.d/b.conf", tmp + "/x.local",
                tmp + "/x.d/z.local"), tree().filesOf("x"));
    }

    private ConfigTree tree() throws ConfigException {
        ConfigTree t = new ConfigTree(tmp.toString());
        t.set("x");
        return t;
    }

    @Test
    void includesBeforeAndAfterRelativeToTheFileWithTheirLocals() throws Exception {
        c.file("sub/x.conf", "[INCLUDES]", "before = common.conf", "after = late.conf", "[s]", "k = x", "b = x");
        c.file("sub/common.conf", "[s]", "k = common", "a = common");
        c.file("sub/common.local", "[s]", "a = common-local");
        c.file("sub/late.conf", "[s]", "b = late");
        IniSet s = new ConfigTree(tmp.resolve("sub").toString()).set("x").orElseThrow();
        assertEquals("x", s.get("s", "k"));
        assertEquals("common-local", s.get("s", "a"));
        assertEquals("late", s.get("s", "b"));
    }

    @Test
    void includeLoopsAreCutAndMissingIncludesIgnored() throws Exception {
        c.file("x.conf", "[INCLUDES]", "before = y.conf", "           missing.conf", "[s]", "k = x");
        c.file("y.conf", "[INCLUDES]", "before = x.conf", "[s]", "k = y", "only_y = 1");
        IniSet s = set("x");
        assertEquals("x", s.get("s", "k"));
        assertEquals("1", s.get("s", "only_y"));
    }

    @Test
    void pathsFilesProvideDefaultsToJails() throws Exception {
        c.file("paths-mine.conf", "[DEFAULT]", "test_log = " + log);
        c.file("jail.conf", "[INCLUDES]", "before = paths-mine.conf", "[t]", "enabled = true", "filter = test",
                "logpath = %(test_log)s");
        assertTrue(c.jailLines().contains("['set', 't', 'addlogpath', '" + log + "', 'head']"));
    }

    @Test
    void initValuesJailOptionsAndFamilyVariantsReachTheStream() throws Exception {
        c.file("action.d/fw.conf", "[Definition]", "actionban = <cmd> add <set> <ip>",
                "[Init]", "cmd = fw", "set = v4-<name>", "[Init?family=inet6]", "set = v6-<name>");
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = " + log, "action = fw[cmd=\"fw -q\"]");
        List<String> lines = c.jailLines();
        // <set> has a family variant, so the server resolves it per address; <cmd> is resolved here
        assertEquals("['multi-set', 't', 'action', 'fw', [['actionban', 'fw -q add <set> <ip>'], ['cmd', 'fw -q'],"
                + " ['name', 't'], ['actname', 'fw'], ['set', 'v4-<name>'], ['set?family=inet6', 'v6-<name>']]]",
                lines.get(lines.size() - 2));
    }

    @Test
    void tagsResolveFromOptionsKnownValuesAndOtherSections() throws Exception {
        c.file("action.d/fw.conf", "[Definition]", "actionstart = <rule_<type>>", "actionban = <known/chain>:<chain> <ip>",
                "rule_multi = -m multiport --dports <port>", "[Init]", "type = multi", "chain = INPUT", "port = ssh");
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = " + log,
                "action = fw[chain=\"<known/chain>-x\", port=\"22,80\"]");
        String multi = c.jailLines().get(c.jailLines().size() - 2);
        assertTrue(multi.contains("['actionstart', '-m multiport --dports 22,80']"), multi);
        assertTrue(multi.contains("['actionban', 'INPUT:INPUT-x <ip>']"), multi);
        assertTrue(multi.contains("['chain', '<known/chain>-x']"), multi);
    }

    @Test
    void optionListsWithQuotesCommasAndSpaces() throws Exception {
        c.file("action.d/fw.conf", "[Definition]", "actionban = <a>|<b>|<c> <ip>");
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = " + log,
                "action = fw[a=v, b=\"v, w\", c='x y']");
        String multi = c.jailLines().get(c.jailLines().size() - 2);
        assertTrue(multi.contains("['actionban', 'v|v, w|x y <ip>']"), multi);
    }

    @Test
    void severalActionsOnePerLine() throws Exception {
        c.file("jail.conf", "[web]", "enabled = true", "filter = test", "logpath = " + log,
                "action = test[name=one]", "         test[name=web-two]", "         test");
        List<String> adds = c.jailLines().stream().filter(l -> l.contains("'addaction'")).toList();
        // the action's name gets the part of its 'name' that differs from the jail's
        assertEquals(List.of("['set', 'web', 'addaction', 'test-one']", "['set', 'web', 'addaction', 'test-two']",
                "['set', 'web', 'addaction', 'test']"), adds);
    }

    @Test
    void filterModeFromTheJail() throws Exception {
        c.file("filter.d/modes.conf", "[Definition]", "failregex = <mode_<mode>>", "mode_normal = ^n <HOST>$",
                "mode_aggressive = ^n <HOST>$", "                  ^a <HOST>$", "[Init]", "mode = normal");
        c.file("jail.conf", "[DEFAULT]", "mode = normal", "filter = %(__name__)s[mode=%(mode)s]",
                "[modes]", "enabled = true", "logpath = " + log, "mode = aggressive");
        assertTrue(c.jailLines().contains("['multi-set', 'modes', 'addfailregex', ['^n <HOST>$', '^a <HOST>$']]"),
                c.jailLines().toString());
    }

    @Test
    void banactionAndTheActionFamily() throws Exception {
        c.file("action.d/mail.conf", "[Definition]", "actionban = mail <dest> <ip>");
        c.file("jail.conf", "[DEFAULT]", "banaction = test", "port = 0:65535", "protocol = tcp", "dest = root",
                "action_ = %(banaction)s[port=\"%(port)s\", protocol=\"%(protocol)s\"]",
                "action_mw = %(action_)s", "            mail[dest=\"%(dest)s\"]", "action = %(action_)s",
                "[t]", "enabled = true", "filter = test", "logpath = " + log, "port = ssh", "action = %(action_mw)s");
        List<String> lines = c.jailLines();
        assertTrue(lines.contains("['set', 't', 'addaction', 'test']"));
        assertTrue(lines.contains("['set', 't', 'addaction', 'mail']"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("['port', 'ssh']")), lines.toString());
    }

    @Test
    void logpathGlobsTailsAndMissingFiles() throws Exception {
        c.log("logs/a.log");
        c.log("logs/b.log");
        c.log("logs/.hidden.log");
        c.file("jail.conf", "[t]", "enabled = true", "filter = test",
                "logpath = " + tmp + "/logs/*.log tail", "          " + tmp + "/logs/[ab].log");
        List<String> lines = c.jailLines();
        assertTrue(lines.contains("['set', 't', 'addlogpath', '" + tmp + "/logs/a.log', 'tail']"), lines.toString());
        assertTrue(lines.contains("['set', 't', 'addlogpath', '" + tmp + "/logs/test.log', 'tail']"));
        assertTrue(lines.contains("['set', 't', 'addlogpath', '" + tmp + "/logs/b.log', 'head']"));
        assertTrue(lines.stream().noneMatch(l -> l.contains(".hidden")));
    }

    @Test
    void missingLogsWarnWhenDumpingAndStopAStart() throws Exception {
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = /nonexistent/x.log");
        Configurator.Result r = Configurator.read(tmp, Configurator.Request.dump());
        assertEquals(List.of("No actions were defined for t", "Have not found any log file for t jail"), jailWarnings(r));
        assertEquals("['start', 't']", org.jfail2ban.protocol.PyRepr.repr(r.commands().get(r.commands().size() - 1)));
        String msg = c.message(ConfigException.class);
        assertEquals(tmp + "/jail.conf line 4: [t] logpath: Have not found any log file for t jail (/nonexistent/x.log)", msg);
    }

    @Test
    void systemdBackendWithOptionsSkipsLogpath() throws Exception {
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = " + log,
                "backend = systemd[journalpath=/run/log/journal/x]",
                "journalmatch = _SYSTEMD_UNIT=ssh.service + \"_COMM=sshd\"");
        List<String> lines = c.jailLines();
        assertEquals("['add', 't', 'systemd[journalpath=/run/log/journal/x]']", lines.get(0));
        assertTrue(lines.stream().noneMatch(l -> l.contains("addlogpath")));
        assertTrue(lines.contains("['set', 't', 'addjournalmatch', '_SYSTEMD_UNIT=ssh.service', '+', '_COMM=sshd']"));
    }

    @Test
    void autoBackendReadsTheJournalWhenNoLogFileExistsAndThereIsAJournalmatch() throws Exception {
        c.file("filter.d/journal.conf", "[Definition]", "failregex = ^fail <HOST>$",
                "journalmatch = _SYSTEMD_UNIT=ssh.service + _COMM=sshd");
        c.file("jail.conf", "[t]", "enabled = true", "filter = journal", "logpath = /nonexistent/auth.log",
                "[v]", "enabled = true", "filter = journal", "logpath = " + log);
        Configurator.Result r = Configurator.read(tmp, Configurator.Request.start());
        List<String> lines = new java.util.ArrayList<>();
        r.commands().forEach(x -> lines.add(org.jfail2ban.protocol.PyRepr.repr(x)));
        // t: no file, a journalmatch: the journal, said in a warning
        assertTrue(lines.contains("['add', 't', 'systemd']"), lines.toString());
        assertTrue(lines.contains("['set', 't', 'addjournalmatch', '_SYSTEMD_UNIT=ssh.service', '+', '_COMM=sshd']"));
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("['set', 't', 'addlogpath'")));
        assertTrue(jailWarnings(r).contains("Have not found any log file for t jail (/nonexistent/auth.log); reading the"
                + " systemd journal instead (backend = auto and the filter has a journalmatch)"), jailWarnings(r).toString());
        // v: its file exists, so it stays on the file
        assertTrue(lines.contains("['add', 'v', 'auto']"), lines.toString());
        assertTrue(lines.contains("['set', 'v', 'addlogpath', '" + log + "', 'head']"), lines.toString());
        // u: no journalmatch to fall back on, so the start is refused as before
        c.file("jail.conf", "[u]", "enabled = true", "filter = test", "logpath = /nonexistent/auth.log");
        assertTrue(c.message(ConfigException.class).endsWith("[u] logpath: Have not found any log file for u jail (/nonexistent/auth.log)"));
    }

    @Test
    void bantimeFamilyAndIgnoreOptionsWithTheirTypes() throws Exception {
        c.file("jail.conf", "[DEFAULT]", "bantime.increment = yes", "bantime.factor = 2", "bantime.maxtime = 1w",
                "bantime.overalljails = off", "ignoreself = 1", "ignoreip = 127.0.0.1/8 ::1,", "  192.0.2.0/24",
                "ignorecommand = /bin/check <ip>", "ignorecache = key=\"<ip>\", max-count=10",
                "[t]", "enabled = true", "filter = test", "logpath = " + log, "maxretry = 3", "bantime = 1h");
        List<String> lines = c.jailLines();
        for (String want : List.of("['set', 't', 'bantime.increment', True]", "['set', 't', 'bantime.factor', '2']",
                "['set', 't', 'bantime.maxtime', '1w']", "['set', 't', 'bantime.overalljails', False]",
                "['set', 't', 'ignoreself', True]", "['set', 't', 'addignoreip', '127.0.0.1/8', '::1', '192.0.2.0/24']",
                "['set', 't', 'ignorecommand', '/bin/check <ip>']", "['set', 't', 'maxretry', 3]",
                "['set', 't', 'bantime', '1h']", "['set', 't', 'ignorecache', 'key=\"<ip>\", max-count=10']")) {
            assertTrue(lines.contains(want), want + " in " + lines);
        }
    }

    @Test
    void filterOptionsOverriddenInTheJail() throws Exception {
        c.file("filter.d/base.conf", "[Definition]", "failregex = ^one <HOST>$", "ignoreregex = ^ok$",
                "datepattern = {^LN-BEG}");
        c.file("jail.conf", "[t]", "enabled = true", "filter = base", "logpath = " + log,
                "failregex = %(known/failregex)s", "            ^two <HOST>$", "datepattern = %%Y-%%m-%%d", "maxlines = 2");
        List<String> lines = c.jailLines();
        assertEquals(List.of("['add', 't', 'auto']", "['set', 't', 'maxlines', 2]", "['set', 't', 'addignoreregex', '^ok$']",
                "['multi-set', 't', 'addfailregex', ['^one <HOST>$', '^two <HOST>$']]",
                "['set', 't', 'datepattern', '%Y-%m-%d']", "['set', 't', 'addlogpath', '" + log + "', 'head']",
                "['start', 't']"), lines);
    }

    @Test
    void pythonActionsTravelAsJson() throws Exception {
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "logpath = " + log,
                "action = smtp.py[host=\"127.0.0.1:25\", dest=root, actname=mailer]");
        assertTrue(c.jailLines().contains("['set', 't', 'addaction', 'mailer', '" + tmp
                + "/action.d/smtp.py', '{\"host\": \"127.0.0.1:25\", \"dest\": \"root\"}']"), c.jailLines().toString());
    }

    @Test
    void oneJailAlone() throws Exception {
        c.file("jail.conf", "[a]", "enabled = true", "filter = test", "logpath = " + log,
                "[b]", "enabled = true", "filter = test", "logpath = " + log);
        List<List<Object>> only = Configurator.commands(tmp, "b");
        assertTrue(only.stream().noneMatch(cmd -> cmd.size() > 1 && cmd.get(1).equals("a")));
        assertEquals(List.of("start", "b"), only.get(only.size() - 1));
    }

    @Test
    void disabledJailsAreLeftOut() throws Exception {
        c.file("jail.conf", "[a]", "enabled = false", "filter = nonexistent", "[b]", "filter = test");
        assertEquals(List.of(), c.jailLines());
    }

    @Test
    void serverCommandsAndOptions() throws Exception {
        c.file("fail2ban.conf", "[DEFAULT]", "run = /run/f2b", "[Definition]", "loglevel = NOTICE",
                "logtarget = SYSOUT", "socket = %(run)s/sock", "dbmaxmatches = 7", "dbpurgeage = 2d",
                "[Thread]", "stacksize = 64");
        c.file("fail2ban.d/x.local", "[Definition]", "allowipv6 = yes");
        List<List<Object>> cmds = c.commands();
        assertEquals(List.of(List.of("set", "thread", Map.of("stacksize", 64)), List.of("set", "syslogsocket", "auto"),
                List.of("set", "loglevel", "NOTICE"), List.of("set", "logtarget", "SYSOUT"), List.of("set", "allowipv6", "yes"),
                List.of("set", "dbfile", "/var/lib/fail2ban/fail2ban.sqlite3"), List.of("set", "dbmaxmatches", 7),
                List.of("set", "dbpurgeage", "2d")), cmds);
        Map<String, String> opts = Configurator.serverOptions(tmp);
        assertEquals("/run/f2b/sock", opts.get("socket"));
        assertEquals("/var/run/fail2ban/fail2ban.pid", opts.get("pidfile"));
        assertEquals("yes", opts.get("allowipv6"));
    }

    @Test
    void commandLineOverridesServerOptions() throws Exception {
        c.file("fail2ban.conf", "[Definition]", "loglevel = INFO");
        Configurator.Result r = Configurator.read(tmp,
                Configurator.Request.dump().withOverrides(Map.of("loglevel", "DEBUG", "logtarget", "STDOUT")));
        assertTrue(r.commands().contains(List.of("set", "loglevel", "DEBUG")));
        assertTrue(r.commands().contains(List.of("set", "logtarget", "STDOUT")));
    }

    @Test
    void warningsForJailsWithoutFilterOrActions() throws Exception {
        c.file("jail.conf", "[t]", "enabled = true", "logpath = " + log);
        Configurator.Result r = Configurator.read(tmp, Configurator.Request.dump());
        assertEquals(List.of("No filter set for jail t", "No actions were defined for t"), jailWarnings(r));
    }

    /** The warnings but those of fail2ban.conf's options left to their defaults. */
    private static List<String> jailWarnings(Configurator.Result r) {
        return r.warnings().stream().filter(w -> !w.contains(" not defined in 'Definition'")).toList();
    }

    @Test
    void serverOptionsLeftOutOfFail2banConfAreNamedWithTheirDefaults() throws Exception {
        c.file("fail2ban.conf", "[Definition]", "loglevel = INFO", "logtarget = STDERR", "socket = /run/x.sock",
                "pidfile = /run/x.pid", "syslogsocket = auto", "dbfile = :memory:", "dbpurgeage = 1d");
        c.file("jail.conf", "[t]", "enabled = true", "filter = test", "action = test", "logpath = " + log);
        Configurator.Result r = Configurator.read(tmp, Configurator.Request.dump());
        assertEquals(List.of("'allowipv6' not defined in 'Definition'. Using default one: 'auto'"), r.warnings());
    }
}
