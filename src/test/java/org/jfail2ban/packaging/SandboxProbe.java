package org.jfail2ban.packaging;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Not a unit test: a program scripts/test-package runs as the jfail2ban service (through a
 * drop-in) inside a booted Debian root, to show that what the daemon does works under the
 * unit's sandbox: the JVM and its JIT, sqlite-jdbc's native library, the Unix socket, the log,
 * the database, nft through netlink, reading a log that root does not own, the host's
 * addresses; and that what the sandbox forbids stays forbidden. One line per check on
 * standard output (the journal); the exit status counts the failures.
 */
public final class SandboxProbe {

    private final List<String> failed = new ArrayList<>();

    public static void main(String[] args) {
        SandboxProbe p = new SandboxProbe();
        p.run();
        System.exit(p.failed.size());
    }

    private void check(String what, Callable<String> test) {
        try {
            System.out.println("PROBE ok   " + what + ": " + test.call());
        } catch (Exception | AssertionError e) {
            failed.add(what);
            System.out.println("PROBE FAIL " + what + ": " + e);
        }
    }

    private void run() {
        check("JIT compiles hot code", () -> {
            long sum = 0;
            for (int round = 0; round < 200; round++) {
                for (int i = 0; i < 100_000; i++) {
                    sum += Integer.bitCount(i ^ round);
                }
            }
            return "sum " + sum;
        });
        check("sqlite-jdbc database in /var/lib/fail2ban", () -> {
            Path db = Path.of("/var/lib/fail2ban/probe.sqlite3");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS bans(ip TEXT)");
                s.execute("INSERT INTO bans VALUES ('192.0.2.1')");
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM bans")) {
                    r.next();
                    return r.getInt(1) + " row(s)";
                }
            } finally {
                Files.deleteIfExists(db);
            }
        });
        check("Unix socket in /run/fail2ban", () -> {
            Path sock = Path.of("/run/fail2ban/probe.sock");
            Files.deleteIfExists(sock);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(sock));
                try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                        SocketChannel accepted = server.accept()) {
                    client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                    ByteBuffer in = ByteBuffer.allocate(4);
                    accepted.read(in);
                    return new String(in.array(), StandardCharsets.UTF_8);
                }
            } finally {
                Files.deleteIfExists(sock);
            }
        });
        check("log file in /var/log, and a new one after rotation", () -> {
            Files.writeString(Path.of("/var/log/fail2ban.log"), "probe\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Path fresh = Path.of("/var/log/fail2ban.probe");
            Files.writeString(fresh, "probe\n");
            Files.delete(fresh);
            return "written";
        });
        check("nft changes the firewall", () -> {
            run("nft", "add", "table", "inet", "jf2b_probe");
            run("nft", "add", "set", "inet", "jf2b_probe", "banned", "{ type ipv4_addr; }");
            run("nft", "add", "element", "inet", "jf2b_probe", "banned", "{ 192.0.2.1 }");
            String listed = run("nft", "list", "set", "inet", "jf2b_probe", "banned");
            run("nft", "delete", "table", "inet", "jf2b_probe");
            if (!listed.contains("192.0.2.1")) {
                throw new AssertionError(listed);
            }
            return "set with 192.0.2.1";
        });
        check("reads a log root does not own (mode 0600)", () -> {
            String s = Files.readString(Path.of("/var/log/jf2b-probe/secret.log"));
            return s.strip();
        });
        check("sees the host's addresses, IPv6 too (the JDK reads /proc/net/if_inet6)", () -> {
            List<InetAddress> found = new ArrayList<>();
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                found.addAll(Collections.list(nif.getInetAddresses()));
            }
            if (found.stream().noneMatch(a -> a instanceof Inet6Address)) {
                throw new AssertionError("no IPv6 address among " + found);
            }
            return found.toString();
        });
        check("cannot write /etc", () -> refused(Path.of("/etc/jf2b-probe")));
        check("cannot write /usr", () -> refused(Path.of("/usr/jf2b-probe")));
        check("cannot write home directories", () -> refused(Path.of("/root/jf2b-probe")));
        check("cannot change the owner of a file", () -> {
            Path f = Path.of("/run/fail2ban/owned");
            Files.writeString(f, "x");
            try {
                Files.setOwner(f, f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
                throw new AssertionError("chown to nobody succeeded");
            } catch (IOException expected) {
                return expected.getClass().getSimpleName();
            } finally {
                Files.deleteIfExists(f);
            }
        });
    }

    private static String refused(Path p) throws IOException {
        try {
            Files.writeString(p, "x");
            Files.delete(p);
            throw new AssertionError("wrote " + p);
        } catch (IOException expected) {
            return expected.getClass().getSimpleName() + " " + expected.getMessage();
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }
}
