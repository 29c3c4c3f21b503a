package org.jfail2ban.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.protocol.CommandHelp;

/**
 * The options fail2ban-client and fail2ban-server share, parsed as fail2ban parses them
 * (POSIX getopt: {@code -xf}, {@code -sFILE}, {@code --sock=FILE} and unique prefixes of long
 * options; the first word that is no option starts the command).
 *
 * <p>Hand-written rather than picocli: the client is a short-lived process and every class it
 * loads is start-up time the user waits for.
 */
final class ClientCommandLine {

    /** fail2ban's defaults for what fail2ban.conf would otherwise give. */
    static final Map<String, String> DEFAULTS = Map.of(
            "socket", "/var/run/fail2ban/fail2ban.sock",
            "pidfile", "/var/run/fail2ban/fail2ban.pid",
            "loglevel", "INFO",
            "logtarget", "STDOUT",
            "syslogsocket", "auto");

    private static final String SHORT = "hc:s:p:xfbdtviqV";
    private static final String[] LONG = {"loglevel=", "logtarget=", "syslogsocket=", "test", "async", "conf=",
        "pidfile=", "pname=", "socket=", "timeout=", "str2sec=", "help", "version", "dp", "dump-pretty"};

    Path conf = Path.of("/etc/fail2ban");
    String socket;
    String pidfile;
    String pname;
    String loglevel;
    String logtarget;
    String syslogsocket;
    /** 0 none, 1 {@code -d}, 2 {@code --dp}. */
    int dump;
    boolean test;
    int verbose = 1;
    boolean force;
    boolean interactive;
    boolean background = true;
    boolean async;
    double timeout = 30;
    boolean help;
    /** 0 none, 1 {@code -V}, 2 {@code --version}. */
    int version;
    String str2sec;
    List<String> args = new ArrayList<>();
    /** The options as given, for a server started in the background to get them again. */
    final List<String> given = new ArrayList<>();

    /** Thrown for an unknown option or a missing argument; the usage text follows. */
    static final class BadOption extends Exception {
        BadOption(String message) {
            super(message);
        }
    }

    static ClientCommandLine parse(String[] argv) throws BadOption {
        ClientCommandLine cl = new ClientCommandLine();
        int i = 0;
        while (i < argv.length) {
            String a = argv[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            if (a.startsWith("--")) {
                String body = a.substring(2);
                String value = null;
                int eq = body.indexOf('=');
                if (eq >= 0) {
                    value = body.substring(eq + 1);
                    body = body.substring(0, eq);
                }
                String opt = longOption(body);
                boolean takes = opt.endsWith("=");
                String key = takes ? opt.substring(0, opt.length() - 1) : opt;
                if (takes && value == null) {
                    if (i + 1 >= argv.length) {
                        throw new BadOption("option --" + key + " requires argument");
                    }
                    value = argv[++i];
                } else if (!takes && value != null) {
                    throw new BadOption("option --" + key + " must not have an argument");
                }
                cl.given.add("--" + key);
                if (value != null) {
                    cl.given.add(value);
                }
                cl.apply(key, value);
                i++;
                continue;
            }
            if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    char c = a.charAt(k);
                    int at = SHORT.indexOf(c);
                    if (at < 0 || c == ':') {
                        throw new BadOption("option -" + c + " not recognized");
                    }
                    boolean takes = at + 1 < SHORT.length() && SHORT.charAt(at + 1) == ':';
                    String value = null;
                    if (takes) {
                        if (k + 1 < a.length()) {
                            value = a.substring(k + 1);
                        } else if (i + 1 < argv.length) {
                            value = argv[++i];
                        } else {
                            throw new BadOption("option -" + c + " requires argument");
                        }
                    }
                    cl.given.add("-" + c);
                    if (value != null) {
                        cl.given.add(value);
                    }
                    cl.apply(String.valueOf(c), value);
                    if (takes) {
                        break;
                    }
                }
                i++;
                continue;
            }
            break;
        }
        for (; i < argv.length; i++) {
            cl.args.add(argv[i]);
        }
        return cl;
    }

    private static String longOption(String prefix) throws BadOption {
        String found = null;
        for (String l : LONG) {
            String name = l.endsWith("=") ? l.substring(0, l.length() - 1) : l;
            if (name.equals(prefix)) {
                return l;
            }
            if (name.startsWith(prefix)) {
                if (found != null) {
                    throw new BadOption("option --" + prefix + " not a unique prefix");
                }
                found = l;
            }
        }
        if (found == null || prefix.isEmpty()) {
            throw new BadOption("option --" + prefix + " not recognized");
        }
        return found;
    }

    private void apply(String key, String value) throws BadOption {
        switch (key) {
            case "c", "conf" -> conf = Path.of(value);
            case "s", "socket" -> socket = value;
            case "p", "pidfile" -> pidfile = value;
            case "pname" -> pname = value;
            case "loglevel" -> loglevel = value;
            case "logtarget" -> logtarget = value;
            case "syslogsocket" -> syslogsocket = value;
            case "d" -> dump = 1;
            case "dp", "dump-pretty" -> dump = 2;
            case "t", "test" -> test = true;
            case "v" -> verbose++;
            case "q" -> verbose--;
            case "x" -> force = true;
            case "i" -> interactive = true;
            case "b" -> background = true;
            case "f" -> background = false;
            case "async" -> async = true;
            case "timeout" -> {
                try {
                    timeout = org.jfail2ban.config.TimeSpan.seconds(value);
                } catch (IllegalArgumentException e) {
                    throw new BadOption("option --timeout: " + e.getMessage());
                }
            }
            case "str2sec" -> str2sec = value;
            case "h", "help" -> help = true;
            case "V" -> version = Math.max(version, 1);
            case "version" -> version = 2;
            default -> throw new BadOption("option " + key + " not recognized");
        }
    }

    /** The usage text; the client's lists the commands too. */
    static void usage(PrintStream out, String caller, String banner) {
        boolean server = caller.endsWith("server");
        out.println("Usage: " + caller + " [OPTIONS]" + (server ? "" : " <COMMAND>"));
        out.println();
        out.println(banner + " watches log files for password failures");
        out.println("and bans the addresses they come from with firewall rules.");
        out.println();
        out.println("Options:");
        out.println("    -c, --conf <DIR>        configuration directory");
        out.println("    -s, --socket <FILE>     socket path");
        out.println("    -p, --pidfile <FILE>    pidfile path");
        out.println("    --pname <NAME>          process name that identifies the instance (default fail2ban-server)");
        out.println("    --loglevel <LEVEL>      log level");
        out.println("    --logtarget <TARGET>    log target: a file name, stdout, stderr, syslog or sysout");
        out.println("    --syslogsocket auto|<FILE>");
        out.println("    -d                      print the configuration as commands, for debugging");
        out.println("    --dp, --dump-pretty     print the configuration as commands, easier to read");
        out.println("    -t, --test              test the configuration (may be given with start too)");
        out.println("    -i                      interactive mode");
        out.println("    -v                      more verbose");
        out.println("    -q                      less verbose");
        out.println("    -x                      force the server to start (takes over a stale socket)");
        out.println("    -b                      start the server in the background (default)");
        out.println("    -f                      start the server in the foreground");
        out.println("    --async                 start the server without reading the configuration (internal)");
        out.println("    --timeout               how long to wait for the server to come up (internal)");
        out.println("    --str2sec <STRING>      convert a time span such as 1h30m to seconds");
        out.println("    -h, --help              show this help");
        out.println("    -V, --version           show the version (-V: short, machine-readable)");
        if (!server) {
            out.println();
            out.println("Command:");
            for (String l : CommandHelp.lines()) {
                out.println(l);
            }
        }
        out.println();
        out.println("Report bugs to the jfail2ban project's issue tracker.");
    }
}
