package org.jfail2ban.store;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;

/** The Python fail2ban's database class, run through our f2bdb.py script. */
final class PyDb {

    private PyDb() {
    }

    /** Writes the spec (JSON) into the database file with the Python fail2ban. */
    static Proc.Result write(Path db, String specJson, Path dir) {
        try {
            Path spec = Files.writeString(dir.resolve("spec-" + System.nanoTime() + ".json"), specJson);
            return run(dir, "write", db.toString(), spec.toString()).assertOk();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the Python fail2ban reads from the file at time {@code now}. */
    static JsonObject read(Path db, long now, Path dir) {
        return parse(run(dir, "read", db.toString(), Long.toString(now)).assertOk());
    }

    static JsonObject purge(Path db, long now, long age, Path dir) {
        return parse(run(dir, "purge", db.toString(), Long.toString(now), Long.toString(age)).assertOk());
    }

    private static JsonObject parse(Proc.Result r) {
        String[] lines = r.out().strip().split("\n");
        JsonElement e = JsonParser.parseString(lines[lines.length - 1]);
        JsonObject o = e.getAsJsonObject();
        o.addProperty("_stderr", r.err());
        return o;
    }

    static Proc.Result run(Path dir, String... args) {
        Path script = dir.resolve("f2bdb.py");
        if (!Files.exists(script)) {
            try (InputStream in = PyDb.class.getResourceAsStream("f2bdb.py")) {
                Files.copy(in, script);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Oracle.python(), script.toString()));
        cmd.addAll(List.of(args));
        String pythonPath = Oracle.root().resolve("usr/lib/python3/dist-packages").toString();
        return Proc.run(cmd, dir, Map.of("PYTHONPATH", pythonPath), null, 120);
    }
}
