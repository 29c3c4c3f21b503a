package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jfail2ban.testing.Oracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every stock action of fail2ban, configured by its own client, resolves to the same commands
 * in our CommandAction as in fail2ban's: the properties, recursive tags, family variants.
 */
class TagResolutionOracleTest {

    @TempDir
    Path tmp;

    @Test
    void everyStockActionResolvesLikeFail2ban() throws Exception {
        List<String> names = new ArrayList<>();
        StringBuilder jails = new StringBuilder("[DEFAULT]\nbackend = polling\nlogpath = /dev/null\n");
        try (Stream<Path> s = Files.list(Oracle.etc().resolve("action.d"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf") && !n.contains("common"))
                    .sorted().forEach(n -> names.add(n.substring(0, n.length() - 5)));
        }
        for (int i = 0; i < names.size(); i++) {
            jails.append("[j").append(i).append("]\nenabled = true\nfilter = sshd\naction = ").append(names.get(i))
                    .append("[port=\"22,80:90\", protocol=\"tcp,udp\"]\n");
        }
        Path conf = OracleStreams.configDir(tmp.resolve("conf"), null, jails.toString());
        List<JsonArray> stream = OracleStreams.stream(conf);
        int compared = 0;
        for (int i = 0; i < names.size(); i++) {
            Map<String, List<String[]>> acts = OracleStreams.actions(stream, "j" + i);
            assertEquals(1, acts.size(), "one action for " + names.get(i));
            var e = acts.entrySet().iterator().next();
            List<String[]> props = new ArrayList<>(e.getValue());
            // host names are the machine's: pin them for both sides
            props.add(new String[] {"fq-hostname", "host.example"});
            props.add(new String[] {"sh-hostname", "host"});
            compared += compare(e.getKey(), props);
        }
        assertTrue(compared > 50 * 3 * 8, "compared " + compared);
    }

    private int compare(String name, List<String[]> props) throws IOException, ActionException {
        JsonObject req = new JsonObject();
        JsonArray pa = new JsonArray();
        for (String[] kv : props) {
            JsonArray a = new JsonArray();
            a.add(kv[0]);
            a.add(kv[1]);
            pa.add(a);
        }
        req.add("props", pa);
        JsonArray fams = new JsonArray();
        List<String> families = List.of("", "inet4", "inet6");
        families.forEach(fams::add);
        req.add("families", fams);
        JsonObject theirs = JsonParser.parseString(
                OracleStreams.python(OracleStreams.resource("resolve_ops.py"), req.toString())).getAsJsonObject();
        CommandAction ours = OracleStreams.action("j", name, props);
        int n = 0;
        for (String fam : families) {
            JsonObject t = theirs.getAsJsonObject(fam);
            for (String op : t.keySet()) {
                String expected = t.get(op).getAsString();
                String actual;
                try {
                    actual = ours.resolvedOperation(op, fam);
                } catch (ActionException ex) {
                    actual = "ERROR";
                }
                assertEquals(expected, actual, name + " " + op + " family '" + fam + "'");
                n++;
            }
        }
        return n;
    }
}
