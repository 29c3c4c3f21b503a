package org.jfail2ban.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The server's answer to one command: a value, or an error of a kind the client words as
 * fail2ban does ("Sorry but the jail 'x' does not exist").
 *
 * <p>On the wire a reply is {@code [0, value]} or {@code [1, "Kind", "message"]}.
 */
public record Reply(Kind kind, Object value, String message) {

    /** What went wrong; the names are what travels on the wire. */
    public enum Kind {
        OK, UNKNOWN_JAIL, DUPLICATE_JAIL, INVALID_COMMAND, ERROR;

        String wireName() {
            return switch (this) {
                case OK -> "Ok";
                case UNKNOWN_JAIL -> "UnknownJail";
                case DUPLICATE_JAIL -> "DuplicateJail";
                case INVALID_COMMAND -> "InvalidCommand";
                case ERROR -> "Error";
            };
        }

        static Kind ofWire(String name) {
            return Arrays.stream(values()).filter(k -> k.wireName().equals(name)).findFirst().orElse(ERROR);
        }
    }

    public static Reply ok(Object value) {
        return new Reply(Kind.OK, value, null);
    }

    public static Reply error(Kind kind, String message) {
        return new Reply(kind, null, message);
    }

    public boolean isOk() {
        return kind == Kind.OK;
    }

    /** The reply as the JSON value sent on the socket. */
    public List<Object> toWire() {
        List<Object> out = new ArrayList<>(3);
        if (isOk()) {
            out.add(0L);
            out.add(value);
        } else {
            out.add(1L);
            out.add(kind.wireName());
            out.add(message);
        }
        return out;
    }

    /** Reads a reply from its JSON value; a malformed one becomes an error reply saying so. */
    public static Reply fromWire(Object wire) {
        if (wire instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Number n) {
            if (n.longValue() == 0 && l.size() == 2) {
                return ok(l.get(1));
            }
            if (n.longValue() == 1 && l.size() == 3) {
                return error(Kind.ofWire(String.valueOf(l.get(1))), String.valueOf(l.get(2)));
            }
        }
        return error(Kind.ERROR, "malformed reply from the server: " + Json.write(wire));
    }
}
