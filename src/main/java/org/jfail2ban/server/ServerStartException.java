package org.jfail2ban.server;

/** The server could not start (its socket is taken, a directory cannot be made ...). */
public final class ServerStartException extends Exception {
    public ServerStartException(String message) {
        super(message);
    }
}
