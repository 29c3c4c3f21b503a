package org.jfail2ban.action;

/** An action's operation failed; the message says which operation and why. */
public final class ActionException extends Exception {
    public ActionException(String message) {
        super(message);
    }

    public ActionException(String message, Throwable cause) {
        super(message, cause);
    }
}
