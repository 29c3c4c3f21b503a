package org.jfail2ban.action;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;

/**
 * What the Python fail2ban-client makes of a configuration: the properties it sends for each
 * action of a jail ({@code fail2ban-client -d}), as the server would receive them.
 */
final class OracleStreams {

    private OracleStreams() {
    }

    /**
     * A configuration directory: the oracle's stock files (linked) or another action.d, plus the
     * given jail.local.
     */
    static Path configDir(Path dir, Path actionD, String jailLocal) throws IOException {
        Path etc = Oracle.etc();
        Files.createDirectories(dir);
        try (var list = Files.list(etc)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String n = p.getFileName().toString();
                if (n.equals("jail.local") || (actionD != null && n.equals("action.d")) || n.equals("jail.d")) {
                    continue;
                }
                Files.createSymbolicLink(dir.resolve(n), p);
            }
        }
        Files.createDirectories(dir.resolve("jail.d"));
        if (actionD != null) {
            Files.createSymbolicLink(dir.resolve("action.d"), actionD.toAbsolutePath());
        }
        Files.writeString(dir.resolve("jail.local"), jailLocal);
        return dir;
    }

    /** The commands {@code fail2ban-client -c dir -d} prints, as JSON arrays. */
    static List<JsonArray> stream(Path confDir) {
        Proc.Result r = Oracle.run("fail2ban-client", List.of("-c", confDir.toString(), "-d")).assertOk();
        Proc.Result j = Proc.run(List.of(Oracle.python(), "-c", resource("stream_json.py")), null, Map.of(),
                r.out(), 120).assertOk();
        List<JsonArray> out = new ArrayList<>();
        for (String line : j.out().split("\n")) {
            if (!line.isBlank()) {
                out.add(JsonParser.parseString(line).getAsJsonArray());
            }
        }
        return out;
    }

    /** For one jail: action name -> its properties in the order the client sends them. */
    static Map<String, List<String[]>> actions(List<JsonArray> stream, String jail) {
        Map<String, List<String[]>> out = new LinkedHashMap<>();
        for (JsonArray c : stream) {
            if (c.size() < 4 || !c.get(1).getAsString().equals(jail)) {
                continue;
            }
            String verb = c.get(0).getAsString();
            if (verb.equals("set") && c.get(2).getAsString().equals("addaction")) {
                out.put(c.get(3).getAsString(), new ArrayList<>());
            } else if (verb.equals("multi-set") && c.get(2).getAsString().equals("action")) {
                List<String[]> props = out.computeIfAbsent(c.get(3).getAsString(), k -> new ArrayList<>());
                for (JsonElement kv : c.get(4).getAsJsonArray()) {
                    JsonArray a = kv.getAsJsonArray();
                    props.add(new String[] {a.get(0).getAsString(), str(a.get(1))});
                }
            } else if (verb.equals("set") && c.get(2).getAsString().equals("action") && c.size() >= 6) {
                out.computeIfAbsent(c.get(3).getAsString(), k -> new ArrayList<>())
                        .add(new String[] {c.get(4).getAsString(), str(c.get(5))});
            }
        }
        return out;
    }

    /** A JSON value as the server's protocol would hand it on: booleans as Python prints them. */
    private static String str(JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
            return e.getAsBoolean() ? "True" : "False";
        }
        return e.getAsString();
    }

    /** A new action of our own with the client's properties set in order, as the server does it. */
    static CommandAction action(String jail, String name, List<String[]> props) {
        CommandAction a = new CommandAction(jail, name);
        for (String[] kv : props) {
            a.setProperty(kv[0], kv[1]);
        }
        return a;
    }

    static String resource(String name) {
        try (InputStream in = OracleStreams.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a Python snippet with fail2ban's package importable. */
    static String python(String code, String stdin) {
        return pythonArgs(code, List.of(), stdin);
    }

    static String pythonArgs(String code, List<String> args, String stdin) {
        Map<String, String> env = Map.of("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString());
        List<String> cmd = new ArrayList<>(List.of(Oracle.python(), "-c", code));
        cmd.addAll(args);
        return Proc.run(cmd, null, env, stdin, 300).assertOk().out();
    }
}
