package org.jfail2ban.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfail2ban.testing.Oracle;

/** The files under packaging/ and what the oracle's fail2ban says they must cover; for tests. */
final class Packaging {

    static final Path DIR = Path.of("packaging").toAbsolutePath();
    static final List<String> TOOLS = List.of("fail2ban-client", "fail2ban-server", "fail2ban-regex");

    private Packaging() {
    }

    static Path file(String name) {
        return DIR.resolve(name);
    }

    /** Copies a file and makes it executable (0755). */
    static void installExecutable(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The settings of a systemd unit file: key to its values in order (a key may repeat),
     * comments and section headers left out.
     */
    static Map<String, List<String>> unitSettings(Path unit) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        for (String line : read(unit).split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || l.startsWith("[")) {
                continue;
            }
            int eq = l.indexOf('=');
            settings.computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
        }
        return settings;
    }

    /** What fail2ban 1.0.2's {@code TOOL -h} lists: its options and its command lines. */
    record Help(List<String> options, List<List<String>> commands) {
    }

    private static final Pattern OPTION_LINE = Pattern.compile("^ {2,4}(-[^ ].*?)(?: {2,}.*)?$");

    static Help oracleHelp(String tool) {
        String out = Oracle.run(tool, List.of("-h")).assertOk().out();
        List<String> options = new ArrayList<>();
        List<List<String>> commands = new ArrayList<>();
        boolean inCommands = false;
        for (String line : out.split("\n")) {
            if (line.startsWith("Command:")) {
                inCommands = true;
                continue;
            }
            Matcher m = OPTION_LINE.matcher(line);
            if (!inCommands && m.matches()) {
                // "-c, --conf <DIR>", "--timezone=TIMEZONE, --TZ=TIMEZONE", "-V"
                for (String part : m.group(1).split(", ")) {
                    options.add(part.split("[ =]")[0]);
                }
            } else if (inCommands && line.matches("^ {4}[a-z].*")) {
                commands.add(List.of(line.strip().split(" +")));
            }
        }
        return new Help(options, commands);
    }
}
