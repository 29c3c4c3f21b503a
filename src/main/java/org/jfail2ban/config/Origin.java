package org.jfail2ban.config;

/**
 * Where a value was written: a file and the line its key starts on. Values made by the readers
 * themselves (fail2ban_version, known/...) have no line.
 */
record Origin(String file, int line) {

    static final Origin BUILT_IN = new Origin("(built in)", 0);

    /** "jail.local line 12" or just the file name when there is no line. */
    @Override
    public String toString() {
        return line > 0 ? file + " line " + line : file;
    }

    /** The prefix of an error message: "jail.local line 12: [sshd] bantime: ". */
    String at(String section, String key) {
        StringBuilder sb = new StringBuilder(toString()).append(": ");
        if (section != null) {
            sb.append('[').append(section).append("] ");
        }
        if (key != null) {
            sb.append(key).append(": ");
        }
        return sb.toString();
    }
}
