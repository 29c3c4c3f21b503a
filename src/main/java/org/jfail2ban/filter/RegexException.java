package org.jfail2ban.filter;

/**
 * A filter regex that cannot be used: it does not compile (the message names the regex and the
 * position, as Python's {@code re} reports it), or it lacks what a failregex needs (a failure id
 * group such as {@code <HOST>}).
 */
public final class RegexException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String regex;
    private final int position;

    RegexException(String message, String regex, int position) {
        super(message);
        this.regex = regex;
        this.position = position;
    }

    /** The regex as it was given (tags not yet replaced). */
    public String regex() {
        return regex;
    }

    /** Where the fault is, in characters of the regex with its tags replaced; -1 when no single place is at fault. */
    public int position() {
        return position;
    }
}
