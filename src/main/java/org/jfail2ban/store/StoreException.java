package org.jfail2ban.store;

/** The store could not do what was asked: the database could not be read or written. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
