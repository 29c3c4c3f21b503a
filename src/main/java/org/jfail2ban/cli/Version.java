package org.jfail2ban.cli;

/** The versions the three commands report. */
final class Version {
    /** The fail2ban release whose configuration, commands and output we follow. */
    static final String COMPATIBLE = "1.0.2";
    static final String OURS = "0.1.0";

    private Version() {
    }

    static String banner() {
        return "jfail2ban v" + OURS + " (Fail2Ban v" + COMPATIBLE + " compatible)";
    }
}
