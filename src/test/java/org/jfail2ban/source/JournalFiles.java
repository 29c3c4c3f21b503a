package org.jfail2ban.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes real journal files for tests: entries in the journal export format go through
 * {@code systemd-journal-remote} (Debian package systemd-journal-remote), which stores them in a
 * journal file as journald would.
 */
public final class JournalFiles {

    static final Path REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
    static final String BOOT = "0123456789abcdef0123456789abcdef";

    /** One entry under construction: fields in order; a value is a String or raw bytes. */
    public static final class Entry {
        final Map<String, List<Object>> fields = new LinkedHashMap<>();

        public Entry set(String name, Object value) {
            fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        /**
         * An entry logged at {@code epochMicros} (after 2001-09-09: its monotonic time, derived from
         * it, must be positive, or systemd-journal-remote drops the entry), with no fields of its own yet.
         */
        public static Entry at(long epochMicros) {
            return new Entry().set("__REALTIME_TIMESTAMP", Long.toString(epochMicros))
                    .set("__MONOTONIC_TIMESTAMP", Long.toString(epochMicros - 1_000_000_000_000_000L))
                    .set("_BOOT_ID", BOOT);
        }
    }

    private static final Pattern SYSLOG = Pattern.compile("(\\S+) ([^\\s\\[]+?)(?:\\[(\\d+)\\])?: (.*)");

    private JournalFiles() {
    }

    /**
     * Sets on {@code e} the fields from which the journal's formatting gives back {@code line}:
     * host, identifier, PID and message when the line has them ({@code HOST IDENT[PID]: MESSAGE}),
     * else the whole line as the message.
     */
    public static Entry fromLine(Entry e, String line) {
        Matcher m = SYSLOG.matcher(line);
        if (m.matches() && !m.group(2).equals("kernel")) {
            e.set("_HOSTNAME", m.group(1)).set("SYSLOG_IDENTIFIER", m.group(2));
            if (m.group(3) != null) {
                e.set("_PID", m.group(3));
            }
            return e.set("MESSAGE", m.group(4));
        }
        return e.set("MESSAGE", line);
    }

    static byte[] export(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            for (Map.Entry<String, List<Object>> f : e.fields.entrySet()) {
                for (Object v : f.getValue()) {
                    byte[] b = v instanceof byte[] ? (byte[]) v : v.toString().getBytes(StandardCharsets.UTF_8);
                    boolean binary = false;
                    for (byte x : b) {
                        binary |= x == '\n' || (x >= 0 && x < 0x20 && x != '\t');
                    }
                    out.writeBytes(f.getKey().getBytes(StandardCharsets.US_ASCII));
                    if (binary) {
                        out.write('\n');
                        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(b.length).array());
                    } else {
                        out.write('=');
                    }
                    out.writeBytes(b);
                    out.write('\n');
                }
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** Whether journalctl and systemd-journal-remote are there to read and write journal files. */
    public static boolean available() {
        return JournalSource.available() && Files.isExecutable(REMOTE);
    }

    /** Appends the entries to {@code journal} (created when missing) with systemd-journal-remote. */
    public static void write(Path journal, List<Entry> entries) throws IOException, InterruptedException {
        Path input = Files.createTempFile("jfail2ban-export", ".txt");
        try {
            Files.write(input, export(entries));
            Process p = new ProcessBuilder(REMOTE.toString(), "--output=" + journal, "-")
                    .redirectInput(input.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("systemd-journal-remote failed: " + out);
            }
        } finally {
            Files.deleteIfExists(input);
        }
    }
}
