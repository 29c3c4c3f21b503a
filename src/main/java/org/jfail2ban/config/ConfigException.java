package org.jfail2ban.config;

/**
 * A configuration that cannot be read. The message names the file (and line where there is
 * one), the section and the key, so a sysadmin can go straight to the fault.
 */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
