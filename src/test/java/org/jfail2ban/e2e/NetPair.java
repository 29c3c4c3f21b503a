package org.jfail2ban.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Proc;

/**
 * Two network namespaces of a test, {@code jf2b-wire-NAME-PID-s} (the server side) and
 * {@code -c} (the client side), joined by a veth pair with {@link #SERVER} and {@link #CLIENT}:
 * addresses that exist only in there. Deleted on close; the host's network is never touched.
 */
final class NetPair implements AutoCloseable {

    static final String SERVER = "203.0.113.1";
    static final String CLIENT = "203.0.113.2";

    final String server;
    final String client;

    private NetPair(String server, String client) {
        this.server = server;
        this.client = client;
    }

    static NetPair create(String name) {
        long pid = ProcessHandle.current().pid();
        String base = "jf2b-wire-" + name + "-" + pid;
        NetPair p = new NetPair(base + "-s", base + "-c");
        p.close();
        String vs = "jf2bw" + pid % 100000 + "s";
        String vc = "jf2bw" + pid % 100000 + "c";
        run("ip", "netns", "add", p.server);
        run("ip", "netns", "add", p.client);
        run("ip", "link", "add", vs, "type", "veth", "peer", "name", vc);
        run("ip", "link", "set", vs, "netns", p.server);
        run("ip", "link", "set", vc, "netns", p.client);
        run("ip", "-n", p.server, "addr", "add", SERVER + "/24", "dev", vs);
        run("ip", "-n", p.client, "addr", "add", CLIENT + "/24", "dev", vc);
        for (String[] ns : new String[][] {{p.server, vs}, {p.client, vc}}) {
            run("ip", "-n", ns[0], "link", "set", "lo", "up");
            run("ip", "-n", ns[0], "link", "set", ns[1], "up");
        }
        return p;
    }

    private static void run(String... cmd) {
        Proc.run(List.of(cmd), null, Map.of(), null, 60).assertOk();
    }

    /** A command line run inside a namespace. */
    static List<String> in(String ns, List<String> cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(cmd);
        return c;
    }

    static Proc.Result exec(String ns, String stdin, String... cmd) {
        return Proc.run(in(ns, List.of(cmd)), null, Map.of(), stdin, 120);
    }

    /** Whether a new TCP connection from the client side to the server's port gets through. */
    boolean connects(int port) {
        return exec(client, null, "timeout", "5", "bash", "-c", "exec 3<>/dev/tcp/" + SERVER + "/" + port).exit() == 0;
    }

    @Override
    public void close() {
        // deleting a namespace deletes the veth end in it, and with it the pair
        Proc.run(List.of("ip", "netns", "del", server));
        Proc.run(List.of("ip", "netns", "del", client));
    }
}
