package org.jfail2ban.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our versions of fail2ban's small reading functions against the Python originals, on inputs
 * chosen for their corners: option lists, action lists, time spans, word splitting, shell
 * words, tag substitution and single-file INI parsing. The Python side runs once for all.
 */
class HelpersAgainstPythonTest {

    static final List<String> OPTION_SPECS = List.of(
            "sshd", "sshd[mode=aggressive]", "sshd[mode=aggressive, maxlines=2]",
            "iptables[port=\"80,443\", protocol='tcp', chain=INPUT]",
            "a[x=1][y=2]", "a[x=1] [y=\"2, 3\"]", "a[x=1,]", "a[x=1, ]", "a[ x = 1 ]", "a[x=  spaced value  ]",
            "a[x=\"unclosed, y=2]", "a[x='q\"uote']", "a[x=\"a]b\"]", "a[x=\"v\" , y=1]", "a[x=1 y=2]",
            "a[=1]", "a[x]", "[x=1]", "a[x=1", "a[x=1]junk", "a[x=1]  ", "a ", " a", "a[]", "a[x=1,,y=2]",
            "a[x-y.z=1]", "a[x=1\n, y=2]", "a[x=\"multi\nline\"]", "a[x=1][y=2][x=3]", "a[x=1]]", "nm[k=v]\n",
            "a[x=<known/chain>]", "a[name=%(__name__)s-tcp, protocol=\"tcp\"]", "a[k=v, k2=\"v, w\", k3='x']");

    static final List<String> ACTION_LISTS = List.of(
            "iptables[name=x, port=22]\nmail[dest=a@b]",
            "a b c", "a[x=1] b[y=\"2 3\"]", "  a  \n  b[x=1,\n  y=2]\n",
            "iptables-multiport[port=\"ftp,ftp-data\", protocol=\"tcp\"][blocktype=RETURN, returntype=DROP,\n"
                    + "                        actionstart_on_demand=false, actionrepair_on_unban=true]",
            "a [x=1]", "a[x=1 b", "x[a='1 2'] y[b=\"3\n4\"]", "", "  ", "a[x=1]\n\nb", "smtp.py[host=\"h:25\"]");

    static final List<String> SPANS = List.of(
            "600", "10m", "1h 30m", "1d12h", "1w", "1mo", "1y", "-1", "1.5h", "1year-6mo", "1h+30min",
            "0d 1h 30m", "6 months", "2 days", "1 d", "48h", "1H", "1D 2H", "3600s", "1hour", "10min", "10 mins",
            "5minutes", "1 2", "1sec", "2 ww", "(1h+1m)*2", "1h/2", "7//2", "-7//2", "7%3", "-7%3", "2**10", "2**-1",
            "0", "00", "1_000", "1e+3", "1.", ".5", "1 2 3");

    static final List<String> WORDS = List.of(
            "127.0.0.1/8 ::1", "a,b,,c", " a , b \n c", "a\tb c", "", "  ");

    static final List<String> SHELL = List.of(
            "_SYSTEMD_UNIT=sshd.service + _COMM=sshd", "a 'b c' \"d e\"", "a\\ b", "\"x\\\"y\" 'z\\'",
            "a''b", "a \"\" b", "_COMM=x\\y", "\"a\\b\"");

    static final List<String> INI_FILES = List.of(
            "[s]\na = 1\nb: 2\nc=3 ; comment\nd = x;y\ne = #not a comment\n",
            "[s]\nmulti = first\n    second\n\n    after blank\n# comment line\n    after comment\nnext = 1\n",
            "[DEFAULT]\nx = 1\n[DEFAULT]\ny = 2\n[s]\nKEY = v\nMixed_Case = w\n",
            "[s]\na = 1\n  [not a section]\nb = v\n\t\ttabbed continuation\n",
            "[s] trailing\nk = v]\n[a]b]\nk = 1\n",
            "; top comment\n# other\n[s]\n  indented = yes\n     more\nk =\nk2 = \n",
            "[s]\nk = a\n\n\n",
            "[s]\na = 1\n;b = 2\n  ;c = 3\nd = 4 ;x ;y\n",
            "[Init]\nx = 1\n[Init?family=inet6]\nx = 2\n",
            "[s]\nk : v = w\nk2 = v : w\n",
            "[s]\r\nk = v\r\n  cont\r\nj = w\rz = 1\n",
            "[s]\nk = a\n  ; comment inside\n  b\n\t# another\n\n  c\n",
            "[s]\nk = a ;c\n  b ; d\n  e;f\n",
            "[a]\nk = 1\n[b]\nk = 2\n[a]\nk = 3\n",
            "[s]\nk = 1\nK = 2\n",
            "[s]\n = nameless\n",
            "k = v\n[s]\n");

    /** Commands for the pretty dump: short, a long list, a long string with blanks and newlines. */
    static final List<List<Object>> COMMANDS = List.of(
            List.of("set", "sshd", "maxretry", 5),
            List.of("multi-set", "sshd", "addfailregex", java.util.Collections.nCopies(40,
                    "^Failed (?:<F-NOFAIL>publickey</F-NOFAIL>|\\S+) for <HOST> port \\d+")),
            List.of("set", "sshd", "action", "x", "actionstart",
                    String.join(" ", java.util.Collections.nCopies(150, "word")) + "\n"
                    + String.join("", java.util.Collections.nCopies(1200, "z")) + "\nend line\n"),
            List.of("set", "j", "x", "a'b\"c", true, List.of(), List.of(List.of("k", String.join(" ",
                    java.util.Collections.nCopies(300, "v'w"))))));

    static Map<String, Object> python;

    @BeforeAll
    static void runPython() {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("extract", OPTION_SPECS);
        input.put("split", ACTION_LISTS);
        input.put("spans", SPANS);
        input.put("words", WORDS);
        input.put("shell", SHELL);
        input.put("ini", INI_FILES);
        input.put("pretty", COMMANDS);
        String script = String.join("\n",
                "import json, sys, shlex, pprint",
                "from fail2ban.helpers import extractOptions, splitWithOptions, splitwords",
                "from fail2ban.server.mytime import MyTime",
                "from fail2ban.client.configparserinc import SafeConfigParserWithIncludes",
                "inp = json.load(sys.stdin)",
                "def attempt(f, x):",
                "    try:",
                "        return {'ok': f(x)}",
                "    except Exception as e:",
                "        return {'error': str(e)}",
                "def ext(s):",
                "    n, o = extractOptions(s)",
                "    return [n, [[k, v] for k, v in o.items()]]",
                "def span(s):",
                "    v = MyTime.str2seconds(s)",
                "    return [type(v).__name__, float(v)]",
                "def ini(text):",
                "    import tempfile",
                "    with tempfile.NamedTemporaryFile('w', suffix='.conf', newline='', delete=False) as f:",
                "        f.write(text)",
                "    p = SafeConfigParserWithIncludes()",
                "    p.read(f.name, get_includes=False)",
                "    secs = [['DEFAULT', [[k, v] for k, v in p.get_defaults().items()]]]",
                "    for n, s in p.get_sections().items():",
                "        secs.append([n, [[k, v] for k, v in s.items()]])",
                "    return secs",
                "out = {",
                " 'extract': [attempt(ext, s) for s in inp['extract']],",
                " 'split': [attempt(splitWithOptions, s) for s in inp['split']],",
                " 'spans': [attempt(span, s) for s in inp['spans']],",
                " 'words': [attempt(splitwords, s) for s in inp['words']],",
                " 'shell': [attempt(shlex.split, s) for s in inp['shell']],",
                " 'ini': [attempt(ini, s) for s in inp['ini']],",
                " 'pretty': [attempt(lambda c: pprint.pformat(c, width=1000, indent=2), c) for c in inp['pretty']],",
                "}",
                "json.dump(out, sys.stdout)");
        List<String> cmd = List.of(Oracle.python(), "-c", script);
        Proc.Result r = Proc.run(cmd, null,
                Map.of("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString()),
                new Gson().toJson(input), 120).assertOk();
        python = new Gson().fromJson(r.out(), new TypeToken<Map<String, Object>>() { }.getType());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(String kind) {
        return (List<Map<String, Object>>) python.get(kind);
    }

    /** Both sides fail, or both give the same value. */
    private static void same(String kind, String input, Map<String, Object> theirs, Object ours, boolean oursFailed) {
        if (theirs.containsKey("error")) {
            assertEquals(true, oursFailed, kind + " of " + quote(input) + ": fail2ban refuses (" + theirs.get("error")
                    + ") but we gave " + ours);
        } else {
            assertEquals(theirs.get("ok"), ours, kind + " of " + quote(input));
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("\n", "\\n") + "'";
    }

    @Test
    void optionSpecsParseAlike() {
        for (int i = 0; i < OPTION_SPECS.size(); i++) {
            String s = OPTION_SPECS.get(i);
            Object ours = null;
            boolean failed = false;
            try {
                OptionSpec o = OptionSpec.parse(s);
                List<Object> pairs = new ArrayList<>();
                o.options().forEach((k, v) -> pairs.add(List.of(k, v)));
                ours = List.of(o.name(), pairs);
            } catch (IllegalArgumentException e) {
                failed = true;
            }
            same("extractOptions", s, results("extract").get(i), ours, failed);
        }
    }

    @Test
    void actionListsSplitAlike() {
        for (int i = 0; i < ACTION_LISTS.size(); i++) {
            String s = ACTION_LISTS.get(i);
            same("splitWithOptions", s, results("split").get(i), OptionSpec.split(s), false);
        }
    }

    @Test
    void timeSpansComputeAlike() {
        for (int i = 0; i < SPANS.size(); i++) {
            String s = SPANS.get(i);
            Object ours = null;
            boolean failed = false;
            try {
                Number n = TimeSpan.evaluate(s);
                ours = List.of(n instanceof Long ? "int" : "float", n.doubleValue());
            } catch (IllegalArgumentException e) {
                failed = true;
            }
            same("str2seconds", s, results("spans").get(i), ours, failed);
        }
    }

    @Test
    void ignoreipWordsSplitAlike() {
        for (int i = 0; i < WORDS.size(); i++) {
            same("splitwords", WORDS.get(i), results("words").get(i), JailReader.words(WORDS.get(i)), false);
        }
    }

    @Test
    void journalmatchWordsSplitAlike() {
        for (int i = 0; i < SHELL.size(); i++) {
            Object ours = null;
            boolean failed = false;
            try {
                ours = ShellWords.split(SHELL.get(i));
            } catch (IllegalArgumentException e) {
                failed = true;
            }
            same("shlex.split", SHELL.get(i), results("shell").get(i), ours, failed);
        }
    }

    @Test
    void singleFilesParseAlike() {
        for (int i = 0; i < INI_FILES.size(); i++) {
            String text = INI_FILES.get(i);
            Object ours = null;
            boolean failed = false;
            try {
                IniFile f = IniFile.parse("test.conf", text);
                List<Object> secs = new ArrayList<>();
                secs.add(List.of("DEFAULT", pairs(f.defaults)));
                for (Map.Entry<String, Map<String, IniFile.Value>> s : f.sections.entrySet()) {
                    secs.add(List.of(s.getKey(), pairs(s.getValue())));
                }
                ours = secs;
            } catch (ConfigException e) {
                failed = true;
            }
            same("configparser", text, results("ini").get(i), ours, failed);
        }
    }

    private static List<Object> pairs(Map<String, IniFile.Value> m) {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<String, IniFile.Value> e : m.entrySet()) {
            out.add(List.of(e.getKey(), e.getValue().text()));
        }
        return out;
    }

    @Test
    void prettyDumpPrintsLikePprint() {
        for (int i = 0; i < COMMANDS.size(); i++) {
            String ours = Configurator.pretty(COMMANDS.get(i));
            same("pformat", ours.substring(0, Math.min(60, ours.length())), results("pretty").get(i), ours, false);
        }
        assertEquals(true, Configurator.pretty(COMMANDS.get(1)).contains(",\n  "), "long commands break into lines");
    }

    @Test
    void theGrammarsAreNotTheSameAsEverything() {
        // guard against a harness that compares nothing: the inputs give varied answers
        assertEquals(true, new HashSet<>(results("extract")).size() > 20);
        assertEquals(true, new HashSet<>(results("spans")).size() > 25);
    }
}
