package org.jfail2ban.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fail2ban-regex}: tests a filter against a log.
 *
 * <p>Foundation commit: a placeholder; the filter work fills it in.
 */
@Command(name = "fail2ban-regex")
public final class RegexMain implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new RegexMain()).execute(args));
    }

    @Override
    public Integer call() {
        System.err.println("ERROR  fail2ban-regex is not implemented yet");
        return 255;
    }
}
