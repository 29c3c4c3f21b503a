package org.jfail2ban.server;

import org.jfail2ban.protocol.Reply;

/** A command that cannot be carried out; becomes an error reply, the server goes on. */
final class CommandException extends RuntimeException {

    private final Reply.Kind kind;

    CommandException(String message) {
        this(Reply.Kind.ERROR, message);
    }

    CommandException(Reply.Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    static CommandException unknownJail(String name) {
        return new CommandException(Reply.Kind.UNKNOWN_JAIL, name);
    }

    /** A command with too few words (fail2ban's IndexError). */
    static CommandException invalid() {
        return new CommandException(Reply.Kind.INVALID_COMMAND, "list index out of range");
    }

    Reply.Kind kind() {
        return kind;
    }

    /** The Python exception fail2ban would log for this error, for the server's log. */
    String pythonName() {
        return switch (kind) {
            case UNKNOWN_JAIL -> "UnknownJailException";
            case DUPLICATE_JAIL -> "DuplicateJailException";
            case INVALID_COMMAND -> "IndexError";
            default -> "Exception";
        };
    }
}
