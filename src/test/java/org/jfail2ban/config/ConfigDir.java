package org.jfail2ban.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfail2ban.protocol.PyRepr;

/** A configuration directory written by a test, file by file. */
final class ConfigDir {

    final Path dir;

    ConfigDir(Path dir) {
        this.dir = dir;
    }

    /** A copy of a configuration tree (our shipped config/, say) to change in a test. */
    static ConfigDir copyOf(Path source, Path target) {
        try (java.util.stream.Stream<Path> s = Files.walk(source)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ConfigDir(target);
    }

    /** Writes a file (lines joined with newlines) and returns the directory for chaining. */
    ConfigDir file(String name, String... lines) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A small filter and action every jail of a test can use. */
    ConfigDir basics() {
        file("fail2ban.conf", "[Definition]", "loglevel = INFO");
        file("filter.d/test.conf", "[Definition]", "failregex = ^fail from <HOST>$");
        file("action.d/test.conf", "[Definition]", "actionban = echo ban <ip>", "actionunban = echo unban <ip>");
        return this;
    }

    Path log(String name) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            if (!Files.exists(p)) {
                Files.writeString(p, "");
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<List<Object>> commands() throws ConfigException {
        return Configurator.commands(dir);
    }

    /** The commands of the jails only (what follows fail2ban.conf's), each as Python prints it. */
    List<String> jailLines() throws ConfigException {
        List<String> out = new ArrayList<>();
        for (List<Object> c : commands()) {
            if (!(c.size() == 3 && c.get(0).equals("set"))) {
                out.add(PyRepr.repr(c));
            }
        }
        return out;
    }

    String message(Class<? extends Exception> type) {
        try {
            Configurator.read(dir, Configurator.Request.start());
        } catch (Exception e) {
            if (type.isInstance(e)) {
                return e.getMessage();
            }
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + e, e);
        }
        throw new AssertionError("expected " + type.getSimpleName() + " but the configuration was read");
    }
}
