package org.jfail2ban.server;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jfail2ban.protocol.LevelNames;

/**
 * The server's own log, in fail2ban's layout ({@code 2026-11-22 10:00:00,123 fail2ban.actions
 * [PID]: NOTICE  [sshd] Ban 192.0.2.1}) so that a recidive jail can read it, to one target:
 * STDOUT, STDERR, SYSOUT (no time), SYSLOG, SYSTEMD-JOURNAL or a file. A file is reopened by
 * {@link #flush()} (flushlogs, SIGUSR1) after logrotate moved it.
 *
 * <p>SYSLOG and SYSTEMD-JOURNAL go through the system's {@code logger} and {@code systemd-cat}
 * programs: both listen on datagram sockets, which Java 17 cannot open.
 */
public final class ServerLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS", Locale.ROOT);

    private final Clock clock;
    private final long pid;
    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
    private volatile int level = LevelNames.INFO;
    private String levelName;
    private String target;
    private Sink sink;
    private String syslogSocket = "auto";
    private boolean quietStd;

    /** Where formatted records go. */
    private interface Sink {
        void write(int level, String name, String line) throws IOException;

        /** Several records of one level and logger; a file takes them in one write. */
        default void writeAll(int level, String name, List<String> lines) throws IOException {
            for (String line : lines) {
                write(level, name, line);
            }
        }

        default void reopen() throws IOException {
        }

        default boolean isFile() {
            return false;
        }

        default void close() {
        }
    }

    public ServerLog(Clock clock, long pid) {
        this.clock = clock;
        this.pid = pid;
    }

    public Logger logger(String name) {
        return loggers.computeIfAbsent(name, n -> new Logger(this, n));
    }

    /**
     * Drops what would go to stdout and stderr: a server in the background has them on
     * /dev/null, as fail2ban's daemon has.
     */
    public synchronized void setQuietStd(boolean quiet) {
        this.quietStd = quiet;
    }

    boolean isEnabled(int l) {
        return l >= level;
    }

    void write(int l, String name, String message) {
        String levelText = LevelNames.name(l);
        synchronized (this) {
            if (sink == null) {
                return;
            }
            String asctime = LocalDateTime.ofInstant(clock.instant(), clock.getZone()).format(TIME);
            try {
                sink.write(l, name, format.format(asctime, name, pid, levelText, l, message));
            } catch (IOException e) {
                // the log target is gone (disk full, closed pipe): nothing sensible to report it to
            }
        }
    }

    /**
     * Writes several records of one level and logger at once (a start restoring thousands of
     * bans logs a line for each): one time stamp, and one write to a file instead of one each.
     */
    void writeAll(int l, String name, List<String> messages) {
        if (messages.isEmpty()) {
            return;
        }
        String levelText = LevelNames.name(l);
        synchronized (this) {
            if (sink == null) {
                return;
            }
            String asctime = LocalDateTime.ofInstant(clock.instant(), clock.getZone()).format(TIME);
            List<String> lines = new ArrayList<>(messages.size());
            for (String m : messages) {
                lines.add(format.format(asctime, name, pid, levelText, l, m));
            }
            try {
                sink.writeAll(l, name, lines);
            } catch (IOException e) {
                // the log target is gone (disk full, closed pipe): nothing sensible to report it to
            }
        }
    }

    private LogFormat format = LogFormat.standard(true, true);

    /** Sets the level from a name or number; throws IllegalArgumentException for a bad one. */
    public synchronized void setLevel(String value) {
        String v = value.toUpperCase(Locale.ROOT);
        int l = LevelNames.parse(v);
        level = l;
        levelName = v;
    }

    /** The level as it was set (fail2ban answers the text given, upper-cased). */
    public synchronized String levelName() {
        return levelName;
    }

    public int level() {
        return level;
    }

    public synchronized String target() {
        return target;
    }

    public synchronized String syslogSocket() {
        return syslogSocket;
    }

    /**
     * Sets the syslog socket (auto or a path); when logging to SYSLOG the target is reopened on
     * it. False when that fails.
     */
    public boolean setSyslogSocket(String socket) {
        String t;
        synchronized (this) {
            if (socket.equals(syslogSocket)) {
                return true;
            }
            syslogSocket = socket;
            t = target;
            if (t == null || !OptionSpec.parse(t).name().equalsIgnoreCase("SYSLOG")) {
                return true;
            }
            target = null;
        }
        return setTarget(t);
    }

    /**
     * Switches the target; false (and the old target kept) when the new one cannot be opened,
     * the reason logged.
     */
    public boolean setTarget(String spec) {
        OptionSpec o = OptionSpec.parse(spec);
        String kind = o.name().toUpperCase(Locale.ROOT);
        Logger server = logger("fail2ban.server");
        Sink next;
        boolean time;
        boolean padding;
        String previous;
        synchronized (this) {
            if (spec.equals(target)) {
                return true;
            }
            previous = target;
            time = !kind.equals("SYSLOG") && !kind.equals("SYSOUT");
            padding = !kind.equals("SYSLOG");
            try {
                next = open(kind, o);
            } catch (IOException e) {
                String what = kind.equals("SYSLOG") || kind.equals("SYSTEMD-JOURNAL") ? e.getMessage()
                        : "Unable to log to '" + o.name() + "'";
                if (sink != null) {
                    server.error("%s", what);
                    server.info("Logging to previous target '%s'", previous);
                }
                return false;
            }
        }
        if (o.options().containsKey("datetime")) {
            time = Values.asBool(o.options().get("datetime"));
        }
        if (o.options().containsKey("padding")) {
            padding = Values.asBool(o.options().get("padding"));
        }
        LogFormat f = o.options().containsKey("format") && !o.options().get("format").isEmpty()
                ? new LogFormat(o.options().get("format"))
                : kind.equals("SYSTEMD-JOURNAL") ? new LogFormat("%(message)s") : LogFormat.standard(time, padding);
        synchronized (this) {
            if (sink != null) {
                sink.close();
            }
            sink = next;
            format = f;
            target = spec;
        }
        if (previous != null) {
            server.info("Start %s", serverBanner);
            server.info("Changed logging target to %s for %s",
                    kind.equals("SYSLOG") ? spec + " (" + syslogPath() + ")" : spec, serverBanner);
        }
        return true;
    }

    private String serverBanner = "Fail2ban";

    /** The name and version the log's "Changed logging target" lines give. */
    public synchronized void setBanner(String banner) {
        this.serverBanner = banner;
    }

    /** The name and version the log gives for the server. */
    public synchronized String banner() {
        return serverBanner;
    }

    private String syslogPath() {
        return "auto".equals(syslogSocket) ? "/dev/log" : syslogSocket;
    }

    private Sink open(String kind, OptionSpec o) throws IOException {
        switch (kind) {
            case "STDOUT":
            case "SYSOUT":
                return stream(System.out);
            case "STDERR":
                return stream(System.err);
            case "SYSLOG":
                return new Syslog(syslogPath(), o.options().getOrDefault("facility", "DAEMON"), pid);
            case "SYSTEMD-JOURNAL":
                return new Journal();
            default:
                return new FileSink(Path.of(o.name()));
        }
    }

    private Sink stream(PrintStream out) {
        return (l, n, line) -> {
            if (!quietStd) {
                out.println(line);
                out.flush();
            }
        };
    }

    /**
     * Reopens a log file (after rotation) or flushes the others; answers as fail2ban does:
     * "rolled over" for a file, "flushed" otherwise.
     */
    public String flush() {
        Logger server = logger("fail2ban.server");
        String t;
        boolean file;
        synchronized (this) {
            t = target;
            file = sink != null && sink.isFile();
            if (file) {
                try {
                    sink.reopen();
                } catch (IOException e) {
                    // the directory went away: the next records are lost until it is back
                    file = false;
                }
            }
        }
        if (file) {
            server.info("rollover performed on %s", t);
            return "rolled over";
        }
        server.info("flush performed on %s", t);
        return "flushed";
    }

    public synchronized void close() {
        if (sink != null) {
            sink.close();
            sink = null;
        }
    }

    /** A log file, created owner-only when new, reopened by name on flush. */
    private static final class FileSink implements Sink {
        private final Path path;
        private Writer out;

        FileSink(Path path) throws IOException {
            this.path = path;
            open();
        }

        private void open() throws IOException {
            if (!Files.exists(path)) {
                try {
                    Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(path);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // created meanwhile: append to it
                }
            }
            OutputStream os = Files.newOutputStream(path, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            out = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
        }

        @Override
        public void write(int level, String name, String line) throws IOException {
            out.write(line);
            out.write('\n');
            out.flush();
        }

        @Override
        public void writeAll(int level, String name, List<String> lines) throws IOException {
            for (String line : lines) {
                out.write(line);
                out.write('\n');
            }
            out.flush();
        }

        @Override
        public void reopen() throws IOException {
            close();
            open();
        }

        @Override
        public boolean isFile() {
            return true;
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                // closing a log that is gone
            }
        }
    }

    /** Syslog through one {@code logger} process per logger name, tagged NAME[PID] as fail2ban's. */
    private static final class Syslog implements Sink {
        private static final Map<String, Integer> FACILITIES = Map.ofEntries(
                Map.entry("KERN", 0), Map.entry("USER", 1), Map.entry("MAIL", 2), Map.entry("DAEMON", 3),
                Map.entry("AUTH", 4), Map.entry("SYSLOG", 5), Map.entry("LPR", 6), Map.entry("NEWS", 7),
                Map.entry("UUCP", 8), Map.entry("CRON", 9), Map.entry("AUTHPRIV", 10), Map.entry("FTP", 11),
                Map.entry("LOCAL0", 16), Map.entry("LOCAL1", 17), Map.entry("LOCAL2", 18), Map.entry("LOCAL3", 19),
                Map.entry("LOCAL4", 20), Map.entry("LOCAL5", 21), Map.entry("LOCAL6", 22), Map.entry("LOCAL7", 23));

        private final String socket;
        private final int facility;
        private final long pid;
        private final Map<String, Process> procs = new HashMap<>();

        Syslog(String socket, String facility, long pid) throws IOException {
            Path p = Path.of(socket);
            if (!Files.exists(p) || Files.isRegularFile(p) || Files.isDirectory(p)) {
                throw new IOException("Syslog socket file: " + socket + " does not exists or is not a socket");
            }
            this.socket = socket;
            this.facility = FACILITIES.getOrDefault(facility.toUpperCase(Locale.ROOT), 3);
            this.pid = pid;
        }

        @Override
        public void write(int level, String name, String line) throws IOException {
            Process p = procs.get(name);
            if (p == null || !p.isAlive()) {
                p = new ProcessBuilder("logger", "--prio-prefix", "-u", socket, "-t", name, "--id=" + pid)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                procs.put(name, p);
            }
            // the record without "NAME[PID]: ", which logger writes as the tag
            String body = line.startsWith(name + "[") ? line.substring(line.indexOf("]: ") + 3) : line;
            OutputStream os = p.getOutputStream();
            for (String l : body.split("\n")) {
                os.write(("<" + (facility * 8 + severity(level)) + ">" + l + "\n").getBytes(StandardCharsets.UTF_8));
            }
            os.flush();
        }

        @Override
        public void close() {
            procs.values().forEach(p -> {
                try {
                    p.getOutputStream().close();
                } catch (IOException e) {
                    // it ended already
                }
            });
            procs.clear();
        }
    }

    /** The systemd journal through {@code systemd-cat}, priority per line, message only. */
    private static final class Journal implements Sink {
        private final Process proc;

        Journal() throws IOException {
            if (!Files.exists(Path.of("/run/systemd/journal/socket"))) {
                throw new IOException("Unable to log to SYSTEMD-JOURNAL: /run/systemd/journal/socket does not exist");
            }
            try {
                proc = new ProcessBuilder("systemd-cat", "-t", "fail2ban", "--level-prefix=true")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new IOException("Unable to log to SYSTEMD-JOURNAL: " + e.getMessage(), e);
            }
        }

        @Override
        public void write(int level, String name, String line) throws IOException {
            OutputStream os = proc.getOutputStream();
            for (String l : line.split("\n")) {
                os.write(("<" + severity(level) + ">" + l + "\n").getBytes(StandardCharsets.UTF_8));
            }
            os.flush();
        }

        @Override
        public void close() {
            try {
                proc.getOutputStream().close();
            } catch (IOException e) {
                // it ended already
            }
        }
    }

    static int severity(int level) {
        if (level >= LevelNames.CRITICAL) {
            return 2;
        }
        if (level >= LevelNames.ERROR) {
            return 3;
        }
        if (level >= LevelNames.WARNING) {
            return 4;
        }
        if (level >= LevelNames.NOTICE) {
            return 5;
        }
        if (level >= LevelNames.MSG) {
            return 6;
        }
        return 7;
    }
}
