package org.jfail2ban.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.config.ConfigException;
import org.jfail2ban.config.Configurator;
import org.jfail2ban.config.TimeSpan;
import org.jfail2ban.protocol.Beautifier;
import org.jfail2ban.protocol.Connection;
import org.jfail2ban.protocol.LevelNames;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.protocol.Reply;

/**
 * {@code fail2ban-client}: reads the configuration and drives a server through its socket,
 * printing each reply as fail2ban does. {@code start} starts a server (in the background, or in
 * this process with -f), pings it until it answers and sends it the configuration.
 *
 * <p>Start-up time is what a user of this command feels, so it loads no picocli and no gson: a
 * {@code status} touches the option parser, the socket, the JSON codec and the beautifier only.
 */
public final class ClientMain {

    private static final String PROMPT = "fail2ban> ";

    private final String caller;
    private final PrintStream out;
    private final ClientLog log;
    private ClientCommandLine opts;

    ClientMain(String caller, PrintStream out, PrintStream err) {
        this.caller = caller;
        this.out = out;
        this.log = new ClientLog(err);
    }

    public static void main(String[] args) {
        int rc = new ClientMain("fail2ban-client", System.out, System.err).run(args);
        System.out.flush();
        System.exit(rc);
    }

    /** Runs the command line; the exit status: 0 for success, 255 otherwise (as fail2ban). */
    int run(String[] argv) {
        try {
            opts = ClientCommandLine.parse(argv);
        } catch (ClientCommandLine.BadOption e) {
            ClientCommandLine.usage(out, caller, Version.banner());
            log.error(e.getMessage());
            return 255;
        }
        return run(opts);
    }

    int run(ClientCommandLine cl) {
        opts = cl;
        if (opts.help) {
            ClientCommandLine.usage(out, caller, Version.banner());
            return 0;
        }
        if (opts.version > 0) {
            out.println(opts.version == 1 ? Version.COMPATIBLE : Version.banner());
            return 0;
        }
        if (opts.str2sec != null) {
            try {
                double d = TimeSpan.seconds(opts.str2sec);
                out.println(opts.str2sec.indexOf('.') >= 0 || d != Math.rint(d) ? PyRepr.repr(d) : Long.toString((long) d));
                return 0;
            } catch (IllegalArgumentException e) {
                out.println("ERROR: " + e.getMessage());
                return 255;
            }
        }
        log.setVerbose(opts.verbose);
        if (needsServerOptions(opts)) {
            resolveOptions(opts, log);
            try {
                LevelNames.parse(opts.loglevel);
            } catch (IllegalArgumentException e) {
                out.println("ERROR: " + e.getMessage());
                return 255;
            }
        } else if (opts.socket == null) {
            resolveOptions(opts, log);
        }
        if (opts.dump > 0) {
            List<List<Object>> stream = readConfig(Configurator.Request.dump());
            if (stream != null) {
                for (List<Object> c : stream) {
                    out.println(opts.dump == 2 ? Configurator.pretty(c) : PyRepr.repr(c));
                }
            } else {
                out.println("ERROR: The configuration stream failed because of the invalid syntax.");
            }
            if (!opts.test) {
                return stream != null ? 0 : 255;
            }
        }
        if (opts.test) {
            List<List<Object>> stream = readConfig(Configurator.Request.start());
            if (stream == null) {
                log.error("ERROR: test configuration failed");
                return 255;
            }
            if (opts.args.isEmpty()) {
                out.println("OK: configuration test is successful");
                return 0;
            }
        }
        if (opts.interactive) {
            return interactive() ? 0 : 255;
        }
        if (opts.args.isEmpty()) {
            ClientCommandLine.usage(out, caller, Version.banner());
            return 255;
        }
        return processCommand(new ArrayList<>(opts.args)) ? 0 : 255;
    }

    /**
     * Whether the command needs more than the socket: a plain command sent to a running server
     * does not, and then fail2ban.conf is not read at all when -s names the socket (a client's
     * start-up time is what its user waits for).
     */
    private static boolean needsServerOptions(ClientCommandLine opts) {
        if (opts.dump > 0 || opts.test || opts.interactive || opts.args.isEmpty()) {
            return true;
        }
        String c = opts.args.get(0);
        return c.equals("start") || c.equals("restart") || c.equals("reload");
    }

    /**
     * Fills in socket, pidfile and log settings not given on the command line from
     * fail2ban.conf; when it cannot be read, fail2ban's defaults serve (a plain command needs the
     * socket only).
     */
    static void resolveOptions(ClientCommandLine opts, ClientLog log) {
        if (opts.socket != null && opts.pidfile != null && opts.loglevel != null && opts.logtarget != null
                && opts.syslogsocket != null) {
            return;
        }
        Map<String, String> conf;
        try {
            conf = Configurator.serverOptions(opts.conf);
        } catch (ConfigException | RuntimeException e) {
            log.info("Using the default server options: " + e.getMessage());
            conf = Map.of();
        }
        if (opts.socket == null) {
            opts.socket = conf.getOrDefault("socket", ClientCommandLine.DEFAULTS.get("socket"));
        }
        if (opts.pidfile == null) {
            opts.pidfile = conf.getOrDefault("pidfile", ClientCommandLine.DEFAULTS.get("pidfile"));
        }
        if (opts.loglevel == null) {
            opts.loglevel = conf.getOrDefault("loglevel", ClientCommandLine.DEFAULTS.get("loglevel"));
        }
        if (opts.logtarget == null) {
            opts.logtarget = conf.getOrDefault("logtarget", ClientCommandLine.DEFAULTS.get("logtarget"));
        }
        if (opts.syslogsocket == null) {
            opts.syslogsocket = conf.getOrDefault("syslogsocket", ClientCommandLine.DEFAULTS.get("syslogsocket"));
        }
        log.info("Using socket file " + opts.socket);
        log.info("Using pid file " + opts.pidfile + ", [" + opts.loglevel + "] logging to " + opts.logtarget);
    }

    /** The command stream of the configuration, or null after logging why not. */
    private List<List<Object>> readConfig(Configurator.Request request) {
        return readConfig(opts, log, request);
    }

    /**
     * Reads the configuration as the request says, with the command line's log settings in place
     * of fail2ban.conf's, and logs what fail2ban would have warned about on the way. Returns the
     * whole command stream, or null after logging why there is none: a configuration read only
     * in part is never sent to a server.
     */
    static List<List<Object>> readConfig(ClientCommandLine opts, ClientLog log, Configurator.Request request) {
        Map<String, String> overrides = new java.util.LinkedHashMap<>();
        for (String[] o : new String[][] {{"loglevel", opts.loglevel}, {"logtarget", opts.logtarget},
            {"syslogsocket", opts.syslogsocket}}) {
            if (o[1] != null) {
                overrides.put(o[0], o[1]);
            }
        }
        Configurator.Result r;
        try {
            r = Configurator.read(opts.conf, request.withOverrides(overrides));
        } catch (ConfigException | RuntimeException e) {
            log.error("Failed during configuration: " + e.getMessage());
            return null;
        }
        for (String w : r.warnings()) {
            warn(log, w);
        }
        return r.commands();
    }

    /** A reader's warning under the logger name and at the level fail2ban's own reader gives it. */
    private static void warn(ClientLog log, String message) {
        boolean jail = message.startsWith("Have not found any log file") || message.startsWith("No filter set")
                || message.startsWith("No actions were defined") || message.contains("dangling link");
        int level = message.startsWith("Found no accessible config files") ? LevelNames.ERROR : LevelNames.WARNING;
        log.log(level, jail ? "fail2ban.jailreader" : "fail2ban.configreader", message);
    }

    private Path socket() {
        return Path.of(opts.socket);
    }

    // ------------------------------------------------------------------ commands

    boolean processCommand(List<String> cmd) {
        if (cmd.size() == 1 && cmd.get(0).equals("start")) {
            return startServer(opts.background);
        }
        if (!cmd.isEmpty() && cmd.get(0).equals("restart")) {
            if (cmd.size() > 1) {
                List<String> r = new ArrayList<>(cmd);
                r.set(0, "--restart");
                r.add(0, "reload");
                return processCommand(r);
            }
            if (opts.interactive) {
                out.println("  ## stop ... ");
            }
            processCommand(List.of("stop"));
            if (!waitOnServer(false)) {
                log.error("Could not stop server");
                return false;
            }
            if (opts.interactive) {
                out.println("  ## start ... ");
            }
            return processCommand(List.of("start"));
        }
        if (!cmd.isEmpty() && cmd.get(0).equals("reload")) {
            return reload(cmd);
        }
        if (cmd.size() > 1 && cmd.get(0).equals("ping")) {
            double t;
            try {
                t = Double.parseDouble(cmd.get(1));
            } catch (NumberFormatException e) {
                log.error("could not convert string to float: " + PyRepr.repr(cmd.get(1)));
                return false;
            }
            return send(List.of(new ArrayList<Object>(cmd)), true, Math.max(1, (long) (t * 1000)));
        }
        return send(List.of(new ArrayList<Object>(cmd)), true, 0);
    }

    private boolean reload(List<String> cmd) {
        List<String> c = new ArrayList<>(cmd);
        List<String> reloadOpts = new ArrayList<>();
        while (c.size() >= 2) {
            String o = c.get(1);
            if (o.equals("--restart") || o.equals("--unban") || o.equals("--if-exists")) {
                reloadOpts.add(o);
                c.remove(1);
            } else {
                if (c.size() > 2) {
                    log.error("Unexpected argument(s) for reload: " + PyRepr.repr(c.subList(1, c.size())));
                    return false;
                }
                break;
            }
        }
        if (!ping(0)) {
            log.error("Could not find server");
            return false;
        }
        String jail = c.size() == 1 || c.get(1).equals("--all") ? "--all" : c.get(1);
        List<List<Object>> stream = readConfig(Configurator.Request.start().withJail(jail.equals("--all") ? null : jail));
        if (stream == null) {
            return false;
        }
        if (opts.interactive) {
            out.println("  ## reload ... ");
        }
        List<Object> r = new ArrayList<>();
        r.add("reload");
        r.add(jail);
        r.add(reloadOpts);
        r.add(stream);
        return send(List.of(r), true, 0);
    }

    private boolean ping(long timeoutMillis) {
        try (Connection c = Connection.open(socket(), timeoutMillis)) {
            return c.send(List.of("ping")).isOk();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends commands over one connection and prints each reply (all of them when
     * {@code showReplies}, else only those of echo and server-status, as fail2ban).
     */
    boolean send(List<? extends List<?>> cmds, boolean showReplies, long timeoutMillis) {
        boolean ok = true;
        String first = cmds.isEmpty() ? "" : String.valueOf(cmds.get(0).get(0));
        try (Connection c = Connection.open(socket(), timeoutMillis)) {
            for (List<?> cmd : cmds) {
                Reply r = c.send(cmd);
                String name = String.valueOf(cmd.get(0));
                if (r.isOk()) {
                    if (showReplies || name.equals("echo") || name.equals("server-status")) {
                        out.println(Beautifier.beautify(cmd, r.value()));
                    }
                } else {
                    log.error("NOK: " + PyRepr.repr(PyRepr.Tuple.of(r.message())));
                    if (showReplies) {
                        out.println(Beautifier.beautifyError(r));
                    }
                    ok = false;
                }
            }
        } catch (IOException e) {
            if (showReplies || opts.verbose > 1) {
                socketError(e, first.equals("ping"));
            }
            return false;
        } finally {
            out.flush();
        }
        return ok;
    }

    private void socketError(IOException e, boolean errorOnly) {
        String msg = e instanceof SocketTimeoutException ? "timed out" : String.valueOf(e.getMessage());
        Path s = socket();
        if (Files.exists(s)) {
            if (Files.isWritable(s)) {
                log.error(errorOnly ? msg : "[" + msg + "] Unable to contact server. Is it running?");
            } else {
                log.error("Permission denied to socket: " + s + ", (you must be root)");
            }
        } else {
            log.error("Failed to access socket path: " + s + ". Is fail2ban running?");
        }
    }

    // ------------------------------------------------------------------ start

    private boolean startServer(boolean background) {
        if (ping(100)) {
            log.error("Server already running");
            return false;
        }
        List<List<Object>> stream = readConfig(Configurator.Request.start());
        if (stream == null) {
            return false;
        }
        if (!opts.force && Files.exists(socket())) {
            log.error("Fail2ban seems to be in unexpected state (not running but the socket exists)");
            return false;
        }
        if (!background) {
            return ServerRunner.run(opts, stream, false, out, log) == 0;
        }
        List<String> args = new ArrayList<>(List.of("--async", "-b", "-s", opts.socket, "-p", opts.pidfile));
        if (opts.force) {
            args.add("-x");
        }
        if (opts.verbose > 1) {
            args.add("-" + "v".repeat(opts.verbose - 1));
        }
        args.addAll(List.of("--loglevel", opts.loglevel, "--logtarget", opts.logtarget, "--syslogsocket", opts.syslogsocket,
                "-c", opts.conf.toString(), "--timeout", Double.toString(opts.timeout)));
        if (opts.pname != null) {
            args.addAll(List.of("--pname", opts.pname));
        }
        String failure = ServerSpawner.start(args, socket(), opts.timeout);
        if (failure != null) {
            log.error("Could not start server: " + failure);
            return false;
        }
        List<Object> streamCmd = new ArrayList<>();
        streamCmd.add("server-stream");
        streamCmd.add(stream);
        return send(List.of(streamCmd, List.of("server-status")), false, 0);
    }

    /** Waits until the server answers ({@code alive}) or is gone; false after the timeout. */
    private boolean waitOnServer(boolean alive) {
        long deadline = System.nanoTime() + (long) (opts.timeout * 1e9);
        long sleep = 6;
        while (true) {
            boolean up = Files.exists(socket()) && ping(sleep);
            if (up == alive) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleep = Math.min(sleep * 2, 100);
        }
    }

    // ------------------------------------------------------------------ interactive

    private boolean interactive() {
        if (!opts.args.isEmpty() && !processCommand(new ArrayList<>(opts.args))) {
            return false;
        }
        out.println(Version.banner() + " watches log files for password failures");
        out.println("and bans the addresses they come from with firewall rules.");
        out.println();
        BufferedReader in = new BufferedReader(new InputStreamReader(stdin(), Charset.defaultCharset()));
        while (true) {
            out.print(PROMPT);
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                line = null;
            }
            if (line == null) {
                out.println();
                return true;
            }
            line = line.strip();
            if (line.equals("exit") || line.equals("quit")) {
                return true;
            }
            if (line.equals("help")) {
                ClientCommandLine.usage(out, caller, Version.banner());
            } else if (!line.isEmpty()) {
                try {
                    processCommand(split(line));
                } catch (IllegalArgumentException e) {
                    log.error(e.getMessage());
                }
            }
        }
    }

    private static InputStream stdin() {
        return System.in;
    }

    /** Splits a line into words as a POSIX shell would (quotes and backslashes), without expansion. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("No closing quotation");
                }
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException("No closing quotation");
                    }
                    char d = line.charAt(i);
                    if (d == '"') {
                        break;
                    }
                    if (d == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        d = line.charAt(++i);
                    }
                    word.append(d);
                    i++;
                }
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("No escaped character");
                }
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }
}
