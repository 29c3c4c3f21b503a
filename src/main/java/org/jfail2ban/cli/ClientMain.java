package org.jfail2ban.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jfail2ban.config.ConfigException;
import org.jfail2ban.config.Configurator;
import org.jfail2ban.protocol.PyRepr;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fail2ban-client}: reads the configuration and drives a server through its socket.
 *
 * <p>Foundation commit: {@code -d} works; the daemon work adds the socket commands.
 */
@Command(name = "fail2ban-client", mixinStandardHelpOptions = false, sortOptions = false)
public final class ClientMain implements Callable<Integer> {

    @Option(names = {"-c", "--conf"}, paramLabel = "<DIR>", description = "configuration directory")
    Path conf = Path.of("/etc/fail2ban");

    @Option(names = "-d", description = "dump configuration. For debugging")
    boolean dump;

    @Parameters(paramLabel = "<COMMAND>")
    List<String> command = new ArrayList<>();

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new ClientMain());
        cl.setStopAtPositional(true);
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() {
        if (dump) {
            try {
                for (List<Object> cmd : Configurator.commands(conf)) {
                    System.out.println(PyRepr.repr(cmd));
                }
                return 0;
            } catch (ConfigException e) {
                System.err.println("ERROR  " + e.getMessage());
                return 255;
            }
        }
        System.err.println("ERROR  not implemented yet: " + String.join(" ", command));
        return 255;
    }
}
