package org.jfail2ban.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test of the configuration reader: Debian's stock fail2ban 1.0.2 configuration
 * with every jail of jail.conf enabled, read by the Python {@code fail2ban-client -d} and by us,
 * must give the same commands, in the same order, with the same values and types. One case per
 * banaction of action.d (so that every action file is read), plus the action families of
 * jail.conf, the other paths-*.conf, filter modes, the systemd backend, the stock log paths,
 * and one jail per filter of filter.d.
 */
class OracleDumpTest {

    private static final Pattern SECTION = Pattern.compile("^\\[([^\\]]+)\\]", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    @Test
    void everyCaseGivesFail2bansCommands() throws Exception {
        Path etc = Oracle.etc();
        Path log = Files.writeString(tmp.resolve("test.log"), "");
        List<String> jails = jails(etc.resolve("jail.conf"));
        assertTrue(jails.size() > 80, "stock jail.conf lists its jails");

        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("stock as shipped", null);
        cases.put("all jails", enableAll(jails, log, ""));
        for (String action : banactions(etc.resolve("action.d"))) {
            cases.put("banaction " + action, enableAll(jails, log,
                    "[DEFAULT]\nbanaction = " + action + "\nbanaction_allports = " + action + "\n\n"));
        }
        for (String family : List.of("action_mw", "action_mwl", "action_xarf", "action_cf_mwl",
                "action_blocklist_de", "action_abuseipdb")) {
            // the cloudflare and blocklist.de families need account values the stock file leaves out
            cases.put("action = %(" + family + ")s", enableAll(jails, log,
                    "[DEFAULT]\naction = %(" + family + ")s\ncfemail = admin@example.org\ncfapikey = 0123abcd\n"
                    + "blocklist_de_apikey = feedbeef\n\n"));
        }
        for (String paths : List.of("paths-arch.conf", "paths-opensuse.conf", "paths-common.conf")) {
            cases.put("include " + paths, enableAll(jails, log, "[INCLUDES]\nbefore = " + paths + "\n\n"));
        }
        for (String mode : List.of("aggressive", "extra", "ddos", "more", "auth", "rbl")) {
            cases.put("mode = " + mode, enableAll(jails, log, "[DEFAULT]\nmode = " + mode + "\n\n"));
        }
        cases.put("backend = systemd", enableAll(jails, log, "[DEFAULT]\nbackend = systemd\n\n"));
        cases.put("stock log paths", enableAllStockPaths(jails));
        cases.put("every filter", everyFilter(etc.resolve("filter.d"), log));
        cases.put("jail options", jailOptions(log));
        // configurations fail2ban refuses as a whole: we must refuse them too
        String sshd = "[sshd]\nenabled = true\nlogpath = " + log + "\n";
        cases.put("refused: missing interpolation name", sshd + "bantime = %(ban_time)s\n");
        cases.put("refused: interpolation loop", sshd + "bantime = %(findtime)s\nfindtime = %(bantime)s\n");
        cases.put("refused: bare percent sign", sshd + "ignorecommand = echo 100%\n");
        cases.put("refused: syntax error", sshd + "this line has no equals sign\n");
        cases.put("refused: key twice in a file", sshd + "maxretry = 3\nmaxretry = 4\n");
        cases.put("refused: missing name in DEFAULT", "[DEFAULT]\naction = %(action_nope)s\n" + sshd);

        // the Python runs dominate; two at a time
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Map<String, Future<String>> results = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path dir = caseDir(etc, "case" + (n++), c.getValue());
            boolean refusal = c.getKey().startsWith("refused:");
            results.put(c.getKey(), pool.submit(() -> compare(dir, refusal)));
        }
        int identical = 0;
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Future<String>> r : results.entrySet()) {
            String diff = r.getValue().get();
            if (diff == null) {
                identical++;
            } else {
                failures.add(r.getKey() + ": " + diff);
            }
        }
        pool.shutdown();
        long refused = cases.keySet().stream().filter(k -> k.startsWith("refused:")).count();
        String summary = identical + " of " + cases.size() + " cases identical (" + refused
                + " of them configurations both refuse)";
        System.out.println("OracleDumpTest: " + summary);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/oracle-dump-summary.txt"), summary + "\n" + String.join("\n", failures) + "\n");
        assertEquals(List.of(), failures, summary);
    }

    /** Null when both give the same stream (or both refuse the configuration), else where they part. */
    private static String compare(Path dir, boolean refusal) {
        Proc.Result py = Oracle.run("fail2ban-client", List.of("-c", dir.toString(), "-d"));
        if ((py.exit() != 0) != refusal) {
            return refusal ? "meant to be refused, but fail2ban reads it" : "fail2ban refuses it: " + py.out() + py.err();
        }
        if (refusal) {
            try {
                Configurator.commands(dir);
                return "fail2ban refuses it (" + py.out().trim() + " " + py.err().trim() + ") but we read it";
            } catch (ConfigException e) {
                return null;
            }
        }
        List<Object> theirs = new ArrayList<>();
        for (String line : py.out().split("\n")) {
            if (line.startsWith("[")) {
                theirs.add(PyLiteral.parse(line));
            } else if (!line.isBlank()) {
                theirs.add(line);
            }
        }
        List<Object> ours = new ArrayList<>();
        try {
            for (List<Object> cmd : Configurator.commands(dir)) {
                ours.add(PyLiteral.normalize(cmd));
            }
        } catch (ConfigException e) {
            return "we failed: " + e.getMessage() + " (fail2ban exit " + py.exit() + ", " + theirs.size() + " commands)";
        }
        for (int i = 0; i < Math.max(ours.size(), theirs.size()); i++) {
            Object a = i < ours.size() ? ours.get(i) : null;
            Object b = i < theirs.size() ? theirs.get(i) : null;
            if (a == null || !a.equals(b)) {
                return "command " + i + " of " + theirs.size() + " differs:\n  ours:     " + cut(a) + "\n  fail2ban: " + cut(b);
            }
        }
        return null;
    }

    private static String cut(Object v) {
        String s = v == null ? "(none)" : PyRepr.repr(v);
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }

    /** A copy of the stock tree (links to its files) with our jail.local, if any. */
    private Path caseDir(Path etc, String name, String jailLocal) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(etc)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.createSymbolicLink(dir.resolve(p.getFileName().toString()), p);
            }
        }
        if (jailLocal != null) {
            Files.writeString(dir.resolve("jail.local"), jailLocal, StandardCharsets.UTF_8);
        }
        return dir;
    }

    private static List<String> jails(Path jailConf) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = SECTION.matcher(Files.readString(jailConf));
        while (m.find()) {
            String s = m.group(1);
            if (!s.equals("INCLUDES") && !s.equals("DEFAULT") && !out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static String enableAll(List<String> jails, Path log, String head) {
        StringBuilder sb = new StringBuilder(head);
        for (String j : jails) {
            sb.append('[').append(j).append("]\nenabled = true\nlogpath = ").append(log).append("\n\n");
        }
        return sb.toString();
    }

    private static String enableAllStockPaths(List<String> jails) {
        StringBuilder sb = new StringBuilder();
        for (String j : jails) {
            sb.append('[').append(j).append("]\nenabled = true\n\n");
        }
        return sb.toString();
    }

    /** Every action a jail can name: the .conf files that are not only included by others, and .py files. */
    private static List<String> banactions(Path actionD) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(actionD)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(f -> {
                if (f.endsWith(".conf") && !f.endsWith("-common.conf")) {
                    out.add(f.substring(0, f.length() - 5));
                } else if (f.endsWith(".py")) {
                    out.add(f);
                }
            });
        }
        return out;
    }

    /** A jail per filter file (not the -common.conf files other filters include). */
    private static String everyFilter(Path filterD, Path log) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(filterD)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String f = p.getFileName().toString();
                if (!f.endsWith(".conf") || f.endsWith("-common.conf") || !Files.readString(p).contains("[Definition]")) {
                    continue;
                }
                String name = f.substring(0, f.length() - 5);
                sb.append("[f-").append(name).append("]\nenabled = true\nfilter = ").append(name)
                        .append("\nlogpath = ").append(log).append("\n\n");
            }
        }
        return sb.toString();
    }

    /** Jail options beyond the stock ones: the bantime family, ignore options, overrides, tails. */
    private static String jailOptions(Path log) {
        return "[DEFAULT]\n"
                + "bantime.increment = true\n"
                + "bantime.factor = 2\n"
                + "bantime.formula = ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor\n"
                + "bantime.multipliers = 1 5 30 60 300 720 1440 2880\n"
                + "bantime.maxtime = 5w\n"
                + "bantime.rndtime = 10m\n"
                + "bantime.overalljails = false\n"
                + "ignoreself = true\n"
                + "ignoreip = 127.0.0.1/8 ::1, 192.0.2.0/24\n"
                + "    2001:db8::/32\n"
                + "ignorecache = key=\"<ip>\", max-count=100, max-time=5m\n"
                + "\n[sshd]\nenabled = true\nlogpath = " + log + "\n"
                + "           " + log + "* tail\n"
                + "maxretry = 3\nfindtime = 1h 30m\nbantime = 1d12h\n"
                + "filter = sshd[mode=aggressive, maxlines=2]\n"
                + "failregex = %(known/failregex)s\n"
                + "            ^extra <HOST>$\n"
                + "journalmatch = _SYSTEMD_UNIT=ssh.service + \"_COMM=sshd\"\n"
                + "datepattern = {^LN-BEG}%%Y-%%m-%%d\n"
                + "logtimezone = UTC\n"
                + "action = %(action_)s\n"
                + "         nftables[type=allports, name=all, blocktype='drop']\n"
                + "         smtp.py[host=\"127.0.0.1:25\", dest=root@localhost]\n"
                + "\n[recidive]\nenabled = true\nlogpath = " + log + "\nbackend = polling\n"
                + "filter = recidive[_jailname=\"other\"]\n"
                + "ignorecommand = /bin/true <ip>\n";
    }
}
