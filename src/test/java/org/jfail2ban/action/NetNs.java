package org.jfail2ban.action;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfail2ban.testing.Proc;

/**
 * A network namespace a test makes and deletes, named {@code jf2b-actions-...}; never the
 * host's own network. Two of them joined by a veth pair give addresses that exist only there.
 */
final class NetNs implements AutoCloseable {

    private static final AtomicInteger SEQ = new AtomicInteger();

    final String name;
    private final List<Process> background = new ArrayList<>();

    private NetNs(String name) {
        this.name = name;
    }

    static NetNs create(String what) {
        String n = "jf2b-actions-" + what + "-" + ProcessHandle.current().pid() % 100000 + "-" + SEQ.incrementAndGet();
        Proc.run(List.of("ip", "netns", "del", n));
        Proc.run(List.of("ip", "netns", "add", n)).assertOk();
        NetNs ns = new NetNs(n);
        ns.run("ip", "link", "set", "lo", "up").assertOk();
        return ns;
    }

    /** The command prefix that runs a program inside this namespace. */
    String prefix() {
        return "ip netns exec " + name;
    }

    List<String> cmd(String... argv) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(argv));
        return c;
    }

    Proc.Result run(String... argv) {
        return Proc.run(cmd(argv), null, Map.of(), null, 120);
    }

    Proc.Result runIn(String stdin, String... argv) {
        return Proc.run(cmd(argv), null, Map.of(), stdin, 120);
    }

    /**
     * A directory of wrappers that run the given tools inside this namespace, to put first on
     * the PATH of shell commands: whatever a command action runs by name stays in here.
     */
    java.nio.file.Path wrappers(java.nio.file.Path dir, String... tools) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        for (String t : tools) {
            String real = null;
            for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
                if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, t))) {
                    real = d + "/" + t;
                    break;
                }
            }
            if (real == null) {
                throw new AssertionError("no " + t + " on this machine");
            }
            java.nio.file.Path w = dir.resolve(t);
            java.nio.file.Files.writeString(w, "#!/bin/sh\nexec ip netns exec " + name + " " + real + " \"$@\"\n");
            java.nio.file.Files.setPosixFilePermissions(w, java.nio.file.attribute.PosixFilePermissions.fromString(
                    "rwxr-xr-x"));
        }
        return dir;
    }

    /** The host's own firewall as listed, to check that a test left it alone. */
    static String hostFirewall() {
        return Proc.run(List.of("nft", "list", "ruleset")).assertOk().out()
                + Proc.run(List.of("iptables-save")).out().replaceAll("(?m)^#.*\n", "")
                + Proc.run(List.of("ip6tables-save")).out().replaceAll("(?m)^#.*\n", "");
    }

    /** Starts a program inside the namespace that lives until close(). */
    Process spawn(String... argv) {
        try {
            Process p = new ProcessBuilder(cmd(argv)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            background.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Joins this namespace ({@code a}) and {@code b} with a veth pair: 10.77.N.1 and fd77:N::1 here,
     * 10.77.N.2, 10.77.N.3, fd77:N::2, fd77:N::3 there.
     */
    static void link(NetNs a, NetNs b, int n) {
        String va = "veth" + n + "a";
        String vb = "veth" + n + "b";
        a.run("ip", "link", "add", va, "type", "veth", "peer", "name", vb, "netns", b.name).assertOk();
        a.run("ip", "addr", "add", "10.77." + n + ".1/24", "dev", va).assertOk();
        a.run("ip", "addr", "add", "fd77:" + n + "::1/64", "dev", va, "nodad").assertOk();
        b.run("ip", "addr", "add", "10.77." + n + ".2/24", "dev", vb).assertOk();
        b.run("ip", "addr", "add", "10.77." + n + ".3/24", "dev", vb).assertOk();
        b.run("ip", "addr", "add", "fd77:" + n + "::2/64", "dev", vb, "nodad").assertOk();
        b.run("ip", "addr", "add", "fd77:" + n + "::3/64", "dev", vb, "nodad").assertOk();
        a.run("ip", "link", "set", va, "up").assertOk();
        b.run("ip", "link", "set", vb, "up").assertOk();
    }

    /**
     * A firewall namespace and a peer joined as {@link #link} does, with listeners on 2222 and
     * 8080 in the firewall one: {fw, peer}.
     */
    static NetNs[] firewallAndPeer(String what, int n) {
        NetNs fw = create(what);
        NetNs peer = create(what + "peer");
        link(fw, peer, n);
        fw.listen(2222);
        fw.listen(8080);
        return new NetNs[] {fw, peer};
    }

    /** A TCP listener on {@code port} (IPv4 and IPv6) that accepts and closes. */
    void listen(int port) {
        spawn("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                s.bind(('::', int(sys.argv[1])))
                s.listen(64)
                while True:
                    c, _ = s.accept()
                    c.close()
                """, String.valueOf(port));
        for (int i = 0; i < 100; i++) {
            if (run("sh", "-c", "ss -ltn | grep -q ':" + port + " '").exit() == 0) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError("listener on " + port + " did not come up in " + name);
    }

    /** Whether a TCP connection from {@code source} to {@code dest}:{@code port} succeeds. */
    boolean connects(String source, String dest, int port) {
        Proc.Result r = run("python3", "-c", """
                import socket, sys
                fam = socket.AF_INET6 if ':' in sys.argv[2] else socket.AF_INET
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.settimeout(3)
                s.bind((sys.argv[1], 0))
                try:
                    s.connect((sys.argv[2], int(sys.argv[3])))
                except OSError as e:
                    print(e)
                    sys.exit(1)
                """, source, dest, String.valueOf(port));
        return r.exit() == 0;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Process p : background) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        Proc.run(List.of("ip", "netns", "del", name));
    }
}
