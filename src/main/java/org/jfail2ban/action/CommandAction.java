package org.jfail2ban.action;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An action from action.d: shell commands for start, stop, ban, unban ... with tags.
 *
 * <p>STUB of the foundation commit: substitutes properties and {@code <ip>} only and runs
 * {@code sh -c}. The action work replaces the body (all tags, escaping, check and repair,
 * timeouts); the public methods stay.
 */
public final class CommandAction implements Action {

    private final String jail;
    private final String name;
    private final Map<String, String> properties = new LinkedHashMap<>();

    public CommandAction(String jail, String name) {
        this.jail = jail;
        this.name = name;
    }

    public String jail() {
        return jail;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, String> properties() {
        return Map.copyOf(properties);
    }

    @Override
    public void setProperty(String key, String value) {
        properties.put(key, value);
    }

    private String substitute(String cmd, BanInfo ban) {
        String out = cmd;
        for (int round = 0; round < 10; round++) {
            String before = out;
            for (Map.Entry<String, String> e : properties.entrySet()) {
                out = out.replace("<" + e.getKey() + ">", e.getValue());
            }
            if (ban != null) {
                out = out.replace("<ip>", "'" + ban.id().replace("'", "'\\''") + "'");
            }
            if (out.equals(before)) {
                break;
            }
        }
        return out;
    }

    private void run(String key, BanInfo ban) throws ActionException {
        String cmd = properties.get(key);
        if (cmd == null || cmd.isBlank()) {
            return;
        }
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", substitute(cmd, ban)).inheritIO().start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ActionException(name + " " + key + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new ActionException(name + " " + key + " returned " + p.exitValue());
            }
        } catch (IOException e) {
            throw new ActionException(name + " " + key + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionException(name + " " + key + " interrupted", e);
        }
    }

    @Override
    public void start() throws ActionException {
        run("actionstart", null);
    }

    @Override
    public void stop() throws ActionException {
        run("actionstop", null);
    }

    @Override
    public void ban(BanInfo ban) throws ActionException {
        run("actionban", ban);
    }

    @Override
    public void unban(BanInfo ban) throws ActionException {
        run("actionunban", ban);
    }
}
