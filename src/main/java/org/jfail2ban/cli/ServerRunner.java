package org.jfail2ban.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jfail2ban.protocol.Beautifier;
import org.jfail2ban.protocol.Reply;
import org.jfail2ban.server.ActionFactory;
import org.jfail2ban.server.Server;
import org.jfail2ban.server.ServerLog;
import org.jfail2ban.server.ServerStartException;
import org.jfail2ban.server.SystemLogBridge;

/**
 * Runs a server in this process until it stops: fail2ban-server in the foreground (or once
 * detached), and {@code fail2ban-client -f start}. Installs the signal handlers: TERM and INT
 * stop it cleanly, USR1 reopens the log.
 */
final class ServerRunner {

    private ServerRunner() {
    }

    /**
     * @param opts     resolved options (socket, pidfile, log settings)
     * @param stream   the configuration stream to execute once the socket is bound, or null
     *                 (--async: a client will send it)
     * @param detached started in the background: stdout and stderr are dropped once it is up
     * @return the exit status
     */
    static int run(ClientCommandLine opts, List<List<Object>> stream, boolean detached, PrintStream out, ClientLog clog) {
        Clock clock = Clock.systemDefaultZone();
        ServerLog log = new ServerLog(clock, ProcessHandle.current().pid());
        log.setBanner(Version.banner());
        log.setSyslogSocket(opts.syslogsocket);
        try {
            log.setLevel(opts.loglevel);
        } catch (IllegalArgumentException e) {
            clog.error(e.getMessage());
            return 255;
        }
        if (!log.setTarget(opts.logtarget)) {
            clog.error("Unable to log to " + opts.logtarget);
            return 255;
        }
        SystemLogBridge bridge = SystemLogBridge.install(log);
        Server server = new Server(clock, log, Version.COMPATIBLE, ActionFactory.COMMAND);
        installSignals(server, log);
        AtomicBoolean configured = new AtomicBoolean(true);
        Runnable onReady = () -> {
            if (stream != null) {
                Reply r = server.execute(List.of("server-stream", stream));
                if (!r.isOk()) {
                    configured.set(false);
                    clog.error("NOK: " + r.message());
                    clog.error("Could not start the server: its configuration failed: " + Beautifier.beautifyError(r));
                    new Thread(server::quit, "f2b/quit").start();
                    return;
                }
                out.println(Beautifier.beautify(List.of("server-status"), server.execute(List.of("server-status")).value()));
                out.flush();
            }
            if (detached) {
                // as fail2ban's daemon has them on /dev/null; stderr was the start-up report only
                log.setQuietStd(true);
                System.setErr(new PrintStream(OutputStream.nullOutputStream()));
            }
        };
        try {
            server.run(Path.of(opts.socket), opts.pidfile == null ? null : Path.of(opts.pidfile), opts.force, onReady);
        } catch (ServerStartException e) {
            clog.error("Could not start server: " + e.getMessage());
            return 255;
        } finally {
            bridge.close();
            log.close();
        }
        return configured.get() ? 0 : 255;
    }

    /**
     * sun.misc.Signal is the only way a Java program can catch SIGUSR1 (and SIGTERM without
     * ending the JVM at once through shutdown hooks, which cannot run our orderly stop of every
     * jail's actions reliably); it is unsupported API, but present in every JDK through jdk.unsupported.
     */
    private static void installSignals(Server server, ServerLog log) {
        sun.misc.SignalHandler stop = sig -> {
            log.logger("fail2ban.server").debug("Caught signal %d. Exiting", sig.getNumber());
            new Thread(server::quit, "f2b/quit").start();
        };
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), stop);
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal for itself (-Xrs): it ends the process as it would
            }
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {
                log.logger("fail2ban.server").debug("Caught signal %d. Flushing logs", sig.getNumber());
                log.flush();
            });
        } catch (IllegalArgumentException e) {
            // no SIGUSR1 here: flushlogs still reopens the log
        }
    }
}
