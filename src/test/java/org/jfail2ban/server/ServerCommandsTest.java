package org.jfail2ban.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfail2ban.action.Action;
import org.jfail2ban.action.BanInfo;
import org.jfail2ban.filter.IpAddr;
import org.jfail2ban.protocol.Reply;
import org.jfail2ban.store.BanData;
import org.jfail2ban.store.BanRecord;
import org.jfail2ban.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command table against a server in this process, with actions that record what they are told. */
class ServerCommandsTest {

    @TempDir
    Path tmp;

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final List<BanInfo> infos = Collections.synchronizedList(new ArrayList<>());
    /** Runs in each recorder's ban, before it records: what the database holds at that moment. */
    private volatile java.util.function.Function<String, String> onBan = id -> "";
    private Server server;

    /** An action that writes down each call. */
    private final class Recorder implements Action {
        private final String name;
        private final Map<String, String> props = new LinkedHashMap<>();

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start() {
            events.add(name + " start");
        }

        @Override
        public void stop() {
            events.add(name + " stop");
        }

        @Override
        public void ban(BanInfo ban) {
            infos.add(ban);
            events.add(name + " ban " + ban.id() + (ban.restored() ? " restored" : "") + onBan.apply(ban.id()));
        }

        @Override
        public void unban(BanInfo ban) {
            events.add(name + " unban " + ban.id());
        }

        @Override
        public void reload() {
            events.add(name + " reload");
        }

        @Override
        public Map<String, String> properties() {
            return Map.copyOf(props);
        }

        @Override
        public void setProperty(String key, String value) {
            props.put(key, value);
        }
    }

    private Server server() {
        if (server == null) {
            ServerLog log = new ServerLog(Clock.systemDefaultZone(), 1);
            log.setTarget(tmp.resolve("f2b.log").toString());
            Cymru cymru = new Cymru() {
                @Override
                List<String> txt(String name) {
                    return List.of("64496 | 192.0.2.0/24 | ZZ | example | 2000-01-01");
                }
            };
            server = new Server(Clock.systemDefaultZone(), log, "1.0.2", (jail, name, targets, clock) -> new Recorder(name), cymru);
        }
        return server;
    }

    @AfterEach
    void quit() {
        if (server != null) {
            server.stopAllJails();
        }
    }

    private Object ok(Object... cmd) {
        Reply r = server().execute(Arrays.asList(cmd));
        if (!r.isOk()) {
            throw new AssertionError(Arrays.toString(cmd) + ": " + r);
        }
        return r.value();
    }

    private Reply err(Object... cmd) {
        Reply r = server().execute(Arrays.asList(cmd));
        assertFalse(r.isOk(), Arrays.toString(cmd) + " should fail");
        return r;
    }

    private String log() throws IOException {
        return Files.readString(tmp.resolve("f2b.log"));
    }

    private void jail(String name, String... actions) {
        ok("add", name, "polling");
        for (String a : actions) {
            ok("set", name, "addaction", a);
        }
    }

    private void await(String what, java.util.function.BooleanSupplier cond) {
        assertTrue(Daemon.waitFor(java.time.Duration.ofSeconds(60), cond), "timed out waiting for " + what + ": " + events);
    }

    @Test
    void actionsAreToldTheTagsOfTheBan() {
        jail("j", "a");
        ok("start", "j");
        ok("set", "j", "maxretry", "3");
        ok("set", "j", "attempt", "192.0.2.1", "line one", "line two", "line three");
        await("the ban", () -> events.contains("a ban 192.0.2.1"));
        BanInfo i = infos.get(0);
        assertEquals("192.0.2.1", i.id());
        assertEquals(IpAddr.parse("192.0.2.1"), i.ip());
        assertFalse(i.restored());
        assertEquals("192.0.2.1", i.tag("ip"));
        assertEquals("192.0.2.1", i.tag("fid"));
        assertEquals("inet4", i.tag("family"));
        assertEquals("1.2.0.192.", i.tag("ip-rev"));
        assertEquals("1", i.tag("failures"));
        assertEquals("line one\nline two\nline three", i.tag("matches"));
        assertEquals("line one\nline two\nline three", i.tag("ipjailmatches"));
        assertEquals("600", i.tag("bantime"));
        assertEquals("1", i.tag("bancount"));
        assertEquals("0", i.tag("restored"));
        assertEquals("1", i.tag("jail.banned"));
        assertTrue(Math.abs(Double.parseDouble(i.tag("time")) * 1000 - System.currentTimeMillis()) < 600_000);
        assertNull(i.tag("F-USER"));
    }

    @Test
    void actionsRunInOrderAndStopInReverse() {
        jail("j", "a", "b");
        ok("start", "j");
        assertEquals(1L, ok("set", "j", "banip", "192.0.2.2"));
        assertEquals(1L, ok("set", "j", "unbanip", "192.0.2.2"));
        ok("stop", "j");
        assertEquals(List.of("a start", "b start", "a ban 192.0.2.2", "b ban 192.0.2.2", "a unban 192.0.2.2",
                "b unban 192.0.2.2", "b stop", "a stop"), events);
    }

    @Test
    void aBanEndsByItselfAfterBantime() throws Exception {
        jail("j", "a");
        ok("set", "j", "bantime", "1");
        ok("start", "j");
        ok("set", "j", "banip", "192.0.2.3");
        await("the unban", () -> events.contains("a unban 192.0.2.3"));
        assertEquals(List.of(), ok("get", "j", "banned"));
        assertTrue(log().contains("NOTICE  [j] Unban 192.0.2.3"));
    }

    @Test
    void reloadDropsActionsTheConfigurationNoLongerNamesAndKeepsBans() {
        jail("j", "a", "b");
        ok("start", "j");
        ok("set", "j", "banip", "192.0.2.4");
        events.clear();
        List<Object> stream = List.of(List.of("add", "j", "polling"), List.of("set", "j", "addaction", "a"),
                List.of("start", "j"));
        assertEquals("OK", ok("reload", "--all", List.of(), stream));
        assertEquals(List.of("a reload", "b unban 192.0.2.4", "b stop"), events);
        assertEquals(List.of("a"), ok("get", "j", "actions"));
        assertEquals(List.of("192.0.2.4"), ok("get", "j", "banned"));
        // a changed backend means a restart of the jail
        assertEquals("OK", ok("reload", "j", List.of(), List.of(List.of("add", "j", "auto"), List.of("start", "j"))));
        assertTrue(events.contains("a unban 192.0.2.4"), events.toString());
    }

    @Test
    void delactionLiftsItsBansAndStopsIt() {
        jail("j", "a", "b");
        ok("start", "j");
        ok("set", "j", "banip", "192.0.2.5");
        ok("set", "j", "delaction", "b");
        assertTrue(events.containsAll(List.of("b unban 192.0.2.5", "b stop")), events.toString());
        assertFalse(events.contains("a unban 192.0.2.5"));
        assertEquals(List.of("a"), ok("get", "j", "actions"));
        assertEquals("Invalid Action name: b", err("get", "j", "action", "b", "actionban").message());
    }

    @Test
    void actionPropertiesAndMethods() {
        jail("j", "a");
        assertEquals("echo <ip>", ok("set", "j", "action", "a", "actionban", "echo <ip>"));
        assertEquals("echo <ip>", ok("get", "j", "action", "a", "actionban"));
        assertEquals(60L, ok("get", "j", "action", "a", "timeout"));
        assertEquals("", ok("get", "j", "action", "a", "actionunban"));
        assertEquals("'Recorder' object has no attribute 'nope'", err("get", "j", "action", "a", "nope").message());
        List<?> props = (List<?>) ok("get", "j", "actionproperties", "a");
        assertTrue(props.containsAll(List.of("actionban", "actionstart", "timeout")), props.toString());
        assertEquals(List.of("ban", "flush", "reload", "start", "stop", "unban"), ok("get", "j", "actionmethods", "a"));
        assertEquals(false, ok("set", "j", "action", "a", "flush"));
        ok("set", "j", "action", "a", "ban", "{\"ip\": \"192.0.2.6\"}");
        assertTrue(events.contains("a ban 192.0.2.6"));
        assertEquals(true, ok("multi-set", "j", "action", "a", List.of(List.of("actionstop", "true"), List.of("k", "v"))));
        assertEquals("v", ok("get", "j", "action", "a", "k"));
    }

    @Test
    void settingsAnswerAsFail2ban() {
        jail("j");
        assertEquals(5400.0, ok("set", "j", "findtime", "1.5h"));
        assertEquals(5400L, ok("set", "j", "bantime", "1.5h"));
        assertEquals(-1L, ok("set", "j", "bantime", "-1"));
        assertNull(ok("get", "j", "bantime.increment"));
        assertEquals(true, ok("set", "j", "bantime.increment", "true"));
        assertEquals("2", ok("set", "j", "bantime.factor", "2"));
        assertEquals(3024000L, ok("set", "j", "bantime.maxtime", "5w"));
        assertEquals("1 2 4", ok("set", "j", "bantime.multipliers", "1 2 4"));
        assertNull(ok("set", "j", "bantime.multipliers", ""));
        assertEquals(List.of("<ip>", 100L, 300L), ok("set", "j", "ignorecache", "key=\"<ip>\", max-count=100, max-time=5m"));
        assertEquals("latin-1", ok("set", "j", "logencoding", "latin-1"));
        assertEquals("unknown encoding: bogus", err("set", "j", "logencoding", "bogus").message());
        assertEquals("no", ok("set", "j", "usedns", "bogus"));
        assertEquals(Arrays.asList(null, "Default Detectors"), ok("get", "j", "datepattern"));
        assertEquals("maxlines must be integer greater than zero", err("set", "j", "maxlines", "0").message());
        assertEquals(2L, ok("set", "j", "maxlines", "2"));
        assertEquals(true, ok("multi-set", "j", "addfailregex", List.of("a <HOST>", "b <HOST>")));
        assertEquals(2, ((List<?>) ok("get", "j", "failregex")).size());
        // fail2ban answers with the regexes as compiled: <HOST> resolved
        List<?> left = (List<?>) ok("set", "j", "delfailregex", "0");
        assertEquals(1, left.size());
        assertTrue(left.get(0).toString().startsWith("b ") && left.get(0).toString().contains("(?P<ip4>"), left.toString());
        assertEquals(left, ok("set", "j", "delfailregex", "7"));
        assertEquals(Boolean.FALSE, ok("get", "j", "ignorecommand"));
        assertEquals(List.of(), ok("set", "j", "addjournalmatch", "_SYSTEMD_UNIT=sshd.service"));
        assertEquals(true, ok("set", "j", "idle", "on"));
        assertEquals("pong", ok("ping"));
        assertEquals(List.of("a", 1L), ok("echo", "a", 1L));
        assertNull(ok("config-error", "a reader's complaint"));
        assertNull(ok("server-stream", List.of(List.of("set", "j", "maxretry", 7L))));
        assertEquals(7L, ok("get", "j", "maxretry"));
    }

    @Test
    void errorsHaveTheirKinds() {
        jail("j");
        assertEquals(Reply.Kind.UNKNOWN_JAIL, err("get", "x", "maxretry").kind());
        assertEquals(Reply.Kind.DUPLICATE_JAIL, err("add", "j", "polling").kind());
        assertEquals(Reply.Kind.INVALID_COMMAND, err("set", "j").kind());
        assertEquals(Reply.Kind.INVALID_COMMAND, err().kind());
        assertEquals("Reserved name '--all'", err("add", "--all").message());
        assertEquals("Unknown backend bogus. Must be among ['pyinotify', 'gamin', 'polling', 'systemd'] or 'auto'",
                err("add", "k", "bogus").message());
        assertEquals("journalflags must be a number: x", err("add", "k", "systemd[journalflags=x]").message());
        assertEquals("[Errno 2] No such file or directory: '/no/such/file'", err("set", "j", "addlogpath", "/no/such/file").message());
        assertEquals("Cannot change database when there are jails present", err("set", "dbfile", "/tmp/x.db").message());
        assertEquals("Invalid command (no status)", err("status", "j", "basic", "more").message());
    }

    @Test
    void aJournalJailKeepsItsMatchesAndShowsThemInItsStatus() {
        ok("add", "s", "systemd[journalflags=4]");
        assertEquals(List.of(List.of("_SYSTEMD_UNIT=ssh.service", "_COMM=sshd")),
                ok("set", "s", "addjournalmatch", "_SYSTEMD_UNIT=ssh.service", "_COMM=sshd"));
        ok("set", "s", "addjournalmatch", "_COMM=sshd-session");
        assertEquals(List.of(List.of("Currently failed", 0L), List.of("Total failed", 0L),
                List.of("Journal matches", List.of("_SYSTEMD_UNIT=ssh.service _COMM=sshd + _COMM=sshd-session"))),
                ((List<?>) ((List<?>) ok("status", "s")).get(0)).get(1));
        assertEquals(List.of(List.of("_COMM=sshd-session")), ok("set", "s", "deljournalmatch", "_SYSTEMD_UNIT=ssh.service", "_COMM=sshd"));
        assertTrue(err("set", "s", "addjournalmatch", "nofield").message().contains("'nofield' is not FIELD=value"));
        assertTrue(err("set", "s", "addlogpath", "/var/log/auth.log").message().contains("reads the systemd journal"));
    }

    @Test
    void ignoredAddressesAreNotCountedAndLogged() throws Exception {
        Path auth = Files.createFile(tmp.resolve("auth.log"));
        jail("j", "a");
        ok("set", "j", "addlogpath", auth.toString());
        ok("set", "j", "addfailregex", "Failed password for \\S+ from <HOST>");
        ok("set", "j", "maxretry", 1L);
        ok("set", "j", "addignoreip", "192.0.2.0/24");
        ok("start", "j");
        DaemonProcessTest.appendFailures(auth, "192.0.2.8", 1);
        DaemonProcessTest.appendFailures(auth, "198.51.100.8", 1);
        await("the other ban", () -> events.contains("a ban 198.51.100.8"));
        assertFalse(events.contains("a ban 192.0.2.8"));
        assertTrue(log().contains("INFO    [j] Ignore 192.0.2.8 by ip"), log());
    }

    @Test
    void cymruStatusListsAsnCountryAndRegistry() {
        jail("j");
        ok("set", "j", "banip", "192.0.2.9");
        List<?> status = (List<?>) ok("status", "j", "cymru");
        List<?> actions = (List<?>) ((List<?>) status.get(1)).get(1);
        assertEquals(List.of("Banned ASN list", List.of("64496")), actions.get(3));
        assertEquals(List.of("Banned Country list", List.of("ZZ")), actions.get(4));
        assertEquals(List.of("Banned RIR list", List.of("example")), actions.get(5));
    }

    /** How many rows of a table name an address, read by a connection of our own. */
    private static String rows(Path db, String table, String ip) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE ip = ?")) {
            ps.setString(1, ip);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return " (" + table + ": " + rs.getInt(1) + ")";
            }
        } catch (java.sql.SQLException e) {
            return " (" + e.getMessage() + ")";
        }
    }

    @Test
    void theDatabaseHoldsABanBeforeItsActionsRunAndGivesItBackAtStart() throws Exception {
        Path db = tmp.resolve("db.sqlite3");
        long now = System.currentTimeMillis();
        try (Database d = Database.open(db, Clock.systemUTC())) {
            d.addBan(new BanRecord("j", "203.0.113.1", Instant.ofEpochMilli(now - 60_000), 3600, 2,
                    BanData.of(3, List.of("old line")).with("user", "root")));
            d.addBan(new BanRecord("j", "203.0.113.2", Instant.ofEpochMilli(now - 7_200_000), 3600, 1,
                    BanData.of(3, List.of("ended"))));
        }
        assertEquals(db.toString(), ok("set", "dbfile", db.toString()));
        assertEquals(86400L, ok("get", "dbpurgeage"));
        assertEquals(3600L, ok("set", "dbpurgeage", "1h"));
        assertEquals(20L, ok("set", "dbmaxmatches", "20"));
        jail("j", "a");
        ok("set", "j", "bantime", "3600");
        ok("start", "j");
        await("the restored ban", () -> events.contains("a ban 203.0.113.1 restored"));
        assertTrue(log().contains("NOTICE  [j] Restore Ban 203.0.113.1"), log());
        assertFalse(events.toString().contains("203.0.113.2"), "an ended ban is not restored: " + events);
        assertEquals("3", infos.get(0).tag("failures"));
        assertEquals("2", infos.get(0).tag("bancount"));
        assertEquals("old line", infos.get(0).tag("matches"));
        assertEquals("root", infos.get(0).tag("F-USER"));
        // the end the native backends use is the one the tags give
        assertEquals((long) Double.parseDouble(infos.get(0).tag("time")) + Long.parseLong(infos.get(0).tag("bantime")),
                infos.get(0).until(Clock.systemUTC()));
        onBan = id -> rows(db, "bips", id);
        ok("set", "j", "banip", "192.0.2.10");
        assertTrue(events.contains("a ban 192.0.2.10 (bips: 1)"), "written before the action ran: " + events);
        ok("set", "j", "unbanip", "192.0.2.10");
        assertEquals(" (bips: 0)", rows(db, "bips", "192.0.2.10"), "unbanip removes it from the database");
        assertEquals(" (bans: 0)", rows(db, "bans", "192.0.2.10"));
    }
}
