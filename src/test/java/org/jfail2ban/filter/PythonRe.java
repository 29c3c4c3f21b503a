package org.jfail2ban.filter;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;

/**
 * Asks the machine's Python what its {@code re} module does with a batch of (pattern, flags,
 * text) cases: the error message, or the span and the groups of {@code re.search}.
 */
final class PythonRe {

    /** One case and Python's answer. */
    record Case(String pattern, boolean multiline, String text) {
    }

    /** error != null when the pattern does not compile; span == null when it does not match. */
    record Answer(String error, List<Integer> span, List<String> groups) {
    }

    private static final String SCRIPT = String.join("\n",
            "import json, re, sys, warnings",
            "warnings.simplefilter('ignore')",
            "out = []",
            "for p, ml, t in json.load(sys.stdin):",
            "    try:",
            "        r = re.compile(p, re.M if ml else 0)",
            "    except re.error as e:",
            "        out.append({'error': str(e)}); continue",
            "    m = r.search(t)",
            "    if not m:",
            "        out.append({}); continue",
            "    out.append({'span': list(m.span()), 'groups': list(m.groups())})",
            "json.dump(out, sys.stdout)");

    private PythonRe() {
    }

    static List<Answer> ask(List<Case> cases) {
        List<Object[]> in = new ArrayList<>();
        for (Case c : cases) {
            in.add(new Object[] {c.pattern(), c.multiline(), c.text()});
        }
        Gson gson = new Gson();
        Proc.Result r = Proc.run(List.of(Oracle.python(), "-c", SCRIPT), null, Map.of("PYTHONIOENCODING", "utf-8"),
                gson.toJson(in), 120).assertOk();
        return gson.fromJson(r.out(), new TypeToken<List<Answer>>() { }.getType());
    }
}
