package org.jfail2ban.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jfail2ban.protocol.Connection;
import org.jfail2ban.protocol.Reply;
import org.jfail2ban.protocol.Wire;

/**
 * The server's Unix domain socket: only its owner may use it (mode 0600, its directory 0700
 * when we create it). One thread per client connection reads a command per line and writes
 * each reply (see {@link Wire}).
 */
final class SocketListener {

    private final Path socket;
    private final Server server;
    private final Logger log;
    private final Set<Thread> handlers = ConcurrentHashMap.newKeySet();
    private ServerSocketChannel channel;
    private volatile boolean closed;

    SocketListener(Path socket, Server server) {
        this.socket = socket;
        this.server = server;
        this.log = server.log().logger("fail2ban.server");
    }

    /**
     * Binds the socket. An existing socket file is taken over only when no server answers on it
     * and {@code force} (-x) is given; a live server is never displaced.
     */
    void bind(boolean force) throws ServerStartException {
        if (Files.exists(socket)) {
            if (answers(socket)) {
                throw new ServerStartException("Server already running: another server answers on " + socket);
            }
            if (!force) {
                log.error("Fail2ban seems to be already running");
                throw new ServerStartException("the socket " + socket + " exists but no server answers on it "
                        + "(left over from a crash?); remove it, or start with -x to take it over");
            }
            log.warning("Forcing execution of the server");
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new ServerStartException("cannot remove the old socket " + socket + ": " + e.getMessage());
            }
        }
        Path dir = socket.toAbsolutePath().getParent();
        try {
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new ServerStartException("cannot create the directory of the socket " + dir + ": " + e);
        }
        try {
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(socket), 16);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new ServerStartException("Unable to bind socket " + socket + ": " + e.getMessage());
        }
    }

    /** Whether a server answers a ping on the socket. */
    static boolean answers(Path socket) {
        try (Connection c = Connection.open(socket, 2000)) {
            return c.send(List.of("ping")).isOk();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Accepts clients until {@link #close()}. */
    void serve() {
        while (!closed) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                log.warning("Accept socket error: %s", e.getMessage());
                continue;
            }
            Thread t = new Thread(() -> handle(client), "f2b/socket");
            t.setDaemon(true);
            handlers.add(t);
            t.start();
        }
    }

    private void handle(SocketChannel client) {
        try (client; InputStream in = Channels.newInputStream(client); OutputStream out = Channels.newOutputStream(client)) {
            while (true) {
                Object msg;
                try {
                    msg = Wire.read(in);
                } catch (IllegalArgumentException e) {
                    log.error("PROTO-error: load message failed: %s", e.getMessage());
                    Wire.write(out, Reply.error(Reply.Kind.ERROR, "unreadable command: " + e.getMessage()).toWire());
                    continue;
                }
                if (msg == null) {
                    break;
                }
                Reply reply;
                if (!(msg instanceof List<?> cmd) || cmd.isEmpty()) {
                    reply = Reply.error(Reply.Kind.ERROR, "a command is a non-empty JSON array of words");
                } else if (server.isQuitting() && !isStop(cmd)) {
                    reply = Reply.error(Reply.Kind.ERROR, "the server is shutting down");
                } else {
                    reply = executeGuarded(cmd);
                }
                Wire.write(out, reply.toWire());
            }
        } catch (IOException e) {
            // the client went away; nothing to answer
        } finally {
            handlers.remove(Thread.currentThread());
        }
    }

    /**
     * A command that runs the JVM out of memory (a start that restores more bans than the heap
     * holds) is logged and answered with an error, not left as a closed connection.
     */
    private Reply executeGuarded(List<?> cmd) {
        try {
            return server.execute(cmd);
        } catch (VirtualMachineError e) {
            log.error("Command %s failed: %s", cmd, e);
            return Reply.error(Reply.Kind.ERROR, String.valueOf(e));
        }
    }

    private static boolean isStop(List<?> cmd) {
        return cmd.size() == 1 && "stop".equals(cmd.get(0));
    }

    /** Stops accepting new clients; the running ones finish their reply. */
    void stopAccepting() {
        closed = true;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing a socket that is going anyway
        }
    }

    /** Removes the socket file. */
    void removeSocket() {
        try {
            Files.deleteIfExists(socket);
            log.debug("Removed socket file %s", socket);
        } catch (IOException e) {
            log.error("Unable to remove the socket %s: %s", socket, e.getMessage());
        }
    }

    /** Waits a moment for the clients being answered (the reply to "stop" among them). */
    void awaitHandlers(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        for (Thread t : handlers) {
            if (t == Thread.currentThread()) {
                continue;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            try {
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
