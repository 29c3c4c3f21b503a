package org.jfail2ban.shipped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The filters we ship in config/filter.d, and what the tests of this package share. */
final class Shipped {

    /** Our configuration directory. */
    static final Path CONFIG = Path.of("config");

    /** Every filter we ship for a service, by the name of the stock filter it replaces. */
    static final List<String> FILTERS = List.of("sshd", "dropbear", "nginx-http-auth", "nginx-limit-req", "nginx-botsearch",
            "apache-auth", "apache-badbots", "apache-noscript", "apache-overflows", "postfix", "dovecot", "exim",
            "courier-auth", "vsftpd", "proftpd", "pure-ftpd", "mysqld-auth", "grafana", "gitlab", "traefik-auth",
            "recidive", "pam-generic");

    /**
     * Filter options of the sample logs whose name or value differs in our filters
     * (filter -> option=value of the stock filter -> option=value of ours). Our filters keep the
     * stock names, so this stays empty unless a filter of ours has to part with one.
     */
    private static final Map<String, Map<String, String>> RENAMED = Map.of();

    private Shipped() {
    }

    /** The options a sample log sets for the stock filter, as our filter of the same name takes them. */
    static Map<String, String> ourOptions(String filter, Map<String, String> stock) {
        Map<String, String> renames = RENAMED.getOrDefault(filter, Map.of());
        Map<String, String> out = new LinkedHashMap<>();
        stock.forEach((k, v) -> {
            String to = renames.get(k + "=" + v);
            if (to == null) {
                out.put(k, v);
            } else {
                int eq = to.indexOf('=');
                out.put(to.substring(0, eq), to.substring(eq + 1));
            }
        });
        return out;
    }

    /** Writes a report under target/ and prints it. */
    static void report(String file, String text) throws IOException {
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target").resolve(file), text);
        System.out.print(text);
    }
}
