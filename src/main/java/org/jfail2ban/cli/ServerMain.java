package org.jfail2ban.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fail2ban-server}: the daemon. Alone it reads the configuration and starts the jails;
 * with {@code --async} it starts empty and waits for a client to configure it. In the
 * background (the default, {@code -b}) it starts a detached copy of itself and returns once that
 * answers; {@code -f} keeps it in the foreground. Given a command other than {@code start}, it
 * acts as the client, as fail2ban-server does.
 */
public final class ServerMain {

    private ServerMain() {
    }

    public static void main(String[] args) {
        int rc = run(args);
        System.out.flush();
        System.exit(rc);
    }

    static int run(String[] argv) {
        ClientLog log = new ClientLog(System.err);
        ClientCommandLine opts;
        try {
            opts = ClientCommandLine.parse(argv);
        } catch (ClientCommandLine.BadOption e) {
            ClientCommandLine.usage(System.out, "fail2ban-server", Version.banner());
            log.error(e.getMessage());
            return 255;
        }
        boolean justStart = opts.args.isEmpty() || (opts.args.size() == 1 && opts.args.get(0).equals("start"));
        if (opts.help || opts.version > 0 || opts.str2sec != null || opts.dump > 0
                || opts.interactive || !justStart || (opts.test && opts.args.isEmpty())) {
            // everything but running the daemon is the client's business, as in fail2ban
            return new ClientMain("fail2ban-server", System.out, System.err).run(opts);
        }
        log.setVerbose(opts.verbose);
        ClientMain.resolveOptions(opts, log);
        boolean detached = System.getenv(ServerSpawner.DETACHED) != null;
        if (opts.background && !detached) {
            if (ServerSpawner.answers(Path.of(opts.socket))) {
                log.error("Server already running: another server answers on " + opts.socket);
                return 255;
            }
            List<String> again = new ArrayList<>(opts.given);
            again.addAll(opts.args);
            String failure = ServerSpawner.start(again, Path.of(opts.socket), opts.timeout);
            if (failure != null) {
                log.error("Could not start fail2ban-server: " + failure);
                return 255;
            }
            return 0;
        }
        List<List<Object>> stream = null;
        if (!opts.async) {
            stream = ClientMain.readConfig(opts, log, org.jfail2ban.config.Configurator.Request.start());
            if (stream == null) {
                log.error("Could not start fail2ban-server");
                return 255;
            }
        }
        return ServerRunner.run(opts, stream, detached, System.out, log);
    }
}
