package org.jfail2ban.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fail2ban-server}: the daemon.
 *
 * <p>Foundation commit: a placeholder; the daemon work fills it in.
 */
@Command(name = "fail2ban-server")
public final class ServerMain implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerMain()).execute(args));
    }

    @Override
    public Integer call() {
        System.err.println("ERROR  the server is not implemented yet");
        return 255;
    }
}
