package org.jfail2ban.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.action.Action;
import org.jfail2ban.protocol.Json;
import org.jfail2ban.protocol.LevelNames;
import org.jfail2ban.protocol.PyRepr;
import org.jfail2ban.protocol.Reply;

/**
 * The command table of fail2ban 1.0.2 (its transmitter): every command a client or the
 * configuration stream sends, with fail2ban's replies and error texts. During a reload or a
 * configuration stream the {@code set} commands run "quietly" and answer nothing.
 */
final class Commands {

    private final Server server;
    private final Logger log;

    Commands(Server server) {
        this.server = server;
        this.log = server.log().logger("fail2ban.transmitter");
    }

    /** Executes one command; never throws. */
    Reply execute(List<?> cmd) {
        log.log(LevelNames.HEAVYDEBUG, "Command: %s", PyRepr.repr(cmd));
        try {
            return Reply.ok(handle(cmd, false));
        } catch (CommandException e) {
            log.error("Command %s has failed. Received %s(%s)", PyRepr.repr(cmd), e.pythonName(), PyRepr.repr(e.getMessage()));
            return Reply.error(e.kind(), e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // a fault of ours must not take the server down: the client gets the reason
            log.error("Command %s has failed. Received %s", PyRepr.repr(cmd), e);
            return Reply.error(Reply.Kind.ERROR, String.valueOf(e.getMessage() != null ? e.getMessage() : e));
        }
    }

    Object handle(List<?> cmd, boolean quiet) {
        String name = Values.arg(cmd, 0);
        switch (name) {
            case "ping":
                return "pong";
            case "add": {
                String jail = Values.arg(cmd, 1);
                if (jail.equals("--all")) {
                    throw new CommandException("Reserved name " + PyRepr.repr(jail));
                }
                String backend = cmd.size() > 2 ? Values.str(cmd.get(2)) : "auto";
                server.addJail(jail, backend);
                return jail;
            }
            case "multi-set":
                return set(cmd.subList(1, cmd.size()), true, quiet);
            case "set":
                return set(cmd.subList(1, cmd.size()), false, quiet);
            case "start":
                server.startJail(Values.arg(cmd, 1));
                return null;
            case "stop":
                if (cmd.size() == 1) {
                    server.quit();
                } else if (Values.arg(cmd, 1).equals("--all")) {
                    server.stopAllJails();
                } else {
                    server.stopJail(Values.arg(cmd, 1));
                }
                return null;
            case "reload": {
                String jail = Values.arg(cmd, 1);
                List<String> opts = strings(list(cmd, 2));
                List<?> stream = list(cmd, 3);
                return server.reload(jail, opts, stream, this);
            }
            case "unban":
                if (cmd.size() >= 2) {
                    List<String> ids = strings(cmd.subList(1, cmd.size()));
                    if (ids.size() == 1 && ids.get(0).equals("--all")) {
                        return (long) server.unbanAll();
                    }
                    return (long) server.unban(ids);
                }
                break;
            case "banned":
                return server.banned(null, strings(cmd.subList(1, cmd.size())));
            case "echo":
                return new ArrayList<>(cmd.subList(1, cmd.size()));
            case "server-status":
                log.debug("Status: ready");
                return "Server ready";
            case "server-stream":
                for (Object c : list(cmd, 1)) {
                    handle(asList(c), true);
                }
                return null;
            case "sleep":
                try {
                    Thread.sleep(Math.round(Double.parseDouble(Values.arg(cmd, 1)) * 1000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (NumberFormatException e) {
                    throw new CommandException("could not convert string to float: " + PyRepr.repr(Values.arg(cmd, 1)));
                }
                return null;
            case "flushlogs":
                return server.log().flush();
            case "get":
                return get(cmd.subList(1, cmd.size()));
            case "status":
                return status(cmd.subList(1, cmd.size()));
            case "version":
                return server.version();
            case "config-error":
                log.error("%s", Values.arg(cmd, 1));
                return null;
            default:
                break;
        }
        throw new CommandException("Invalid command");
    }

    private static List<?> asList(Object o) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw new CommandException("a command must be a list, not " + PyRepr.repr(o));
    }

    private static List<?> list(List<?> cmd, int i) {
        if (i >= cmd.size()) {
            throw CommandException.invalid();
        }
        return asList(cmd.get(i));
    }

    private static List<String> strings(List<?> l) {
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) {
            out.add(Values.str(o));
        }
        return out;
    }

    // ------------------------------------------------------------------ set

    private Object set(List<?> c, boolean multiple, boolean quiet) {
        String name = Values.arg(c, 0);
        switch (name) {
            case "loglevel": {
                try {
                    server.log().setLevel(Values.arg(c, 1));
                } catch (IllegalArgumentException e) {
                    throw new CommandException(e.getMessage());
                }
                return quiet ? null : server.log().levelName();
            }
            case "logtarget":
                if (server.log().setTarget(Values.arg(c, 1))) {
                    return quiet ? null : server.log().target();
                }
                throw new CommandException("Failed to change log target");
            case "syslogsocket":
                if (server.log().setSyslogSocket(Values.arg(c, 1))) {
                    return quiet ? null : server.log().syslogSocket();
                }
                throw new CommandException("Failed to change syslog socket");
            case "allowipv6":
                server.setAllowIpv6(Values.arg(c, 1));
                return quiet ? null : c.get(1);
            case "thread":
                if (c.size() > 1 && c.get(1) instanceof Map<?, ?> m) {
                    for (Object k : m.keySet()) {
                        if (!"stacksize".equals(k)) {
                            throw new CommandException("unknown option " + PyRepr.repr(k));
                        }
                    }
                }
                return null;
            case "dbfile":
                server.setDbFile(Values.arg(c, 1));
                return server.dbFile() == null || quiet ? null : server.dbFile();
            case "dbmaxmatches":
                if (server.dbFile() == null) {
                    log.log(LevelNames.MSG, "dbmaxmatches setting was not in effect since no db yet");
                    return null;
                }
                server.setDbMaxMatches(Values.toInt(Values.arg(c, 1)));
                return quiet ? null : (long) server.dbMaxMatches();
            case "dbpurgeage":
                if (server.dbFile() == null) {
                    log.log(LevelNames.MSG, "dbpurgeage setting was not in effect since no db yet");
                    return null;
                }
                server.setDbPurgeAge(Values.seconds(c.size() > 1 ? c.get(1) : Values.arg(c, 1)).longValue());
                return quiet ? null : server.dbPurgeAge();
            default:
                return setJail(name, c, multiple, quiet);
        }
    }

    private Object setJail(String name, List<?> c, boolean multiple, boolean quiet) {
        String key = Values.arg(c, 1);
        switch (key) {
            case "idle": {
                String v = Values.arg(c, 2);
                Jail j = server.jail(name);
                if (v.equals("on")) {
                    j.setIdle(true);
                } else if (v.equals("off")) {
                    j.setIdle(false);
                } else {
                    throw new CommandException("Invalid idle option, must be 'on' or 'off'");
                }
                return quiet ? null : j.idle();
            }
            case "ignoreself": {
                Jail j = server.jail(name);
                j.ignores().setIgnoreSelf(Values.asBool(Values.arg(c, 2)));
                return quiet ? null : j.ignores().ignoreSelf();
            }
            case "addignoreip": {
                Jail j = server.jail(name);
                for (Object v : c.subList(2, c.size())) {
                    if (!j.ignores().add(Values.str(v))) {
                        server.log().logger("fail2ban.filter").log(LevelNames.MSG,
                                "  Ignore duplicate %s, already in ignore list", PyRepr.repr(Values.str(v)));
                    }
                }
                return quiet ? null : j.ignores().list();
            }
            case "delignoreip": {
                Jail j = server.jail(name);
                try {
                    j.ignores().remove(Values.arg(c, 2));
                } catch (IllegalArgumentException e) {
                    throw new CommandException(e.getMessage());
                }
                return quiet ? null : j.ignores().list();
            }
            case "ignorecommand": {
                Jail j = server.jail(name);
                j.setIgnoreCommand(Values.arg(c, 2));
                return quiet ? null : j.ignoreCommand();
            }
            case "ignorecache": {
                Jail j = server.jail(name);
                j.setIgnoreCache(Values.arg(c, 2));
                return quiet ? null : j.ignores().cacheSettings();
            }
            case "addlogpath": {
                String path = Values.arg(c, 2);
                boolean tail = false;
                if (c.size() == 4) {
                    String opt = Values.str(c.get(3)).toLowerCase(java.util.Locale.ROOT);
                    if (opt.equals("tail")) {
                        tail = true;
                    } else if (!opt.equals("head")) {
                        throw new CommandException("File option must be 'head' or 'tail'");
                    }
                } else if (c.size() > 4) {
                    throw new CommandException("Only one file can be added at a time");
                }
                Jail j = server.jail(name);
                j.addLogPath(path, tail);
                return quiet ? null : j.logPaths();
            }
            case "dellogpath": {
                Jail j = server.jail(name);
                j.delLogPath(Values.arg(c, 2));
                return quiet ? null : j.logPaths();
            }
            case "logencoding": {
                Jail j = server.jail(name);
                j.setLogEncoding(Values.arg(c, 2));
                return quiet ? null : j.logEncoding();
            }
            case "addjournalmatch", "deljournalmatch": {
                // journal matches belong to a journal jail; a file jail keeps none, as in fail2ban
                Jail j = server.jail(name);
                List<String> words = strings(c.subList(2, c.size()));
                if (key.equals("addjournalmatch")) {
                    j.addJournalMatch(words);
                } else {
                    j.delJournalMatch(words);
                }
                return quiet ? null : j.journalMatches();
            }
            case "prefregex": {
                Jail j = server.jail(name);
                j.setPrefRegex(Values.arg(c, 2));
                return quiet ? null : j.prefRegex();
            }
            case "addfailregex", "addignoreregex": {
                Jail j = server.jail(name);
                Jail.Regexes which = key.equals("addfailregex") ? Jail.FAIL : Jail.IGNORE;
                for (String r : regexes(c, multiple)) {
                    j.addRegex(which, r);
                }
                if (multiple) {
                    return true;
                }
                return quiet ? null : j.regexes(which);
            }
            case "delfailregex", "delignoreregex": {
                Jail j = server.jail(name);
                Jail.Regexes which = key.equals("delfailregex") ? Jail.FAIL : Jail.IGNORE;
                j.delRegex(which, Values.toInt(Values.arg(c, 2)));
                return quiet ? null : j.regexes(which);
            }
            case "usedns": {
                Jail j = server.jail(name);
                j.setUseDns(Values.arg(c, 2));
                return quiet ? null : j.useDns();
            }
            case "findtime": {
                Jail j = server.jail(name);
                Number n = j.setFindTime(c.size() > 2 ? c.get(2) : Values.arg(c, 2));
                return quiet ? null : n;
            }
            case "datepattern": {
                Jail j = server.jail(name);
                j.setDatePattern(Values.arg(c, 2));
                return quiet ? null : j.datePattern();
            }
            case "logtimezone": {
                Jail j = server.jail(name);
                j.setLogTimeZone(Values.arg(c, 2));
                return quiet ? null : j.logTimeZone();
            }
            case "maxmatches": {
                Jail j = server.jail(name);
                j.setMaxMatches(Values.toInt(Values.arg(c, 2)));
                return quiet ? null : (long) j.maxMatches();
            }
            case "maxretry": {
                Jail j = server.jail(name);
                j.setMaxRetry(Values.toInt(Values.arg(c, 2)));
                return quiet ? null : (long) j.maxRetry();
            }
            case "maxlines": {
                Jail j = server.jail(name);
                j.setMaxLines(Values.toInt(Values.arg(c, 2)));
                return quiet ? null : (long) j.maxLines();
            }
            case "bantime": {
                Jail j = server.jail(name);
                long b = j.setBanTime(c.size() > 2 ? c.get(2) : Values.arg(c, 2));
                return quiet ? null : b;
            }
            case "attempt": {
                String ip = Values.arg(c, 2);
                Jail j = server.jail(name);
                if (quiet) {
                    return null;
                }
                return (long) j.attempt(ip, strings(c.subList(3, c.size())));
            }
            case "banip":
                return (long) server.jail(name).banIds(strings(c.subList(2, c.size())));
            case "unbanip": {
                boolean ifExists = true;
                List<String> ids;
                if (Values.arg(c, 2).equals("--report-absent")) {
                    ifExists = false;
                    ids = strings(c.subList(3, c.size()));
                } else {
                    ids = strings(c.subList(2, c.size()));
                }
                return (long) server.jail(name).unbanIds(ids, ifExists);
            }
            case "addaction": {
                String act = Values.arg(c, 2);
                Jail j = server.jail(name);
                if (c.size() > 3) {
                    throw new CommandException("Python actions are not supported (action " + PyRepr.repr(act) + " from "
                            + Values.str(c.get(3)) + "): define it as a command action in action.d/" + act
                            + ".conf, or use one of the native banactions");
                }
                j.addAction(act);
                return quiet ? null : act;
            }
            case "delaction":
                server.jail(name).delAction(Values.arg(c, 2));
                return null;
            case "action":
                return setAction(server.jail(name), c, multiple, quiet);
            default:
                if (key.startsWith("bantime.")) {
                    Jail j = server.jail(name);
                    String opt = key.substring("bantime.".length());
                    j.setBanTimeExtra(opt, Values.arg(c, 2));
                    return quiet ? null : j.banTimeExtra(opt);
                }
                throw new CommandException("Invalid command " + PyRepr.repr(key) + " (no set action or not yet implemented)");
        }
    }

    private static List<String> regexes(List<?> c, boolean multiple) {
        if (multiple && c.size() > 2 && c.get(2) instanceof List<?> l) {
            return strings(l);
        }
        return List.of(Values.arg(c, 2));
    }

    private Object setAction(Jail j, List<?> c, boolean multiple, boolean quiet) {
        String act = Values.arg(c, 2);
        Action a = j.action(act);
        if (multiple) {
            for (Object o : list(c, 3)) {
                List<?> kv = asList(o);
                String k = Values.arg(kv, 0);
                if (a.methods().contains(k)) {
                    j.callAction(act, k, kv.size() > 1 ? jsonArgs(Values.str(kv.get(1))) : Map.of());
                } else {
                    a.setProperty(k, kv.size() > 1 ? Values.str(kv.get(1)) : "");
                }
            }
            return true;
        }
        String k = Values.arg(c, 3);
        if (a.methods().contains(k)) {
            Map<String, Object> args = c.size() > 4 ? jsonArgs(Values.str(c.get(4))) : Map.of();
            if (quiet) {
                return null;
            }
            return j.callAction(act, k, args);
        }
        String v = Values.arg(c, 4);
        a.setProperty(k, v);
        return quiet ? null : propertyOf(a, k);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonArgs(String text) {
        try {
            Object o = Json.parse(text);
            if (o instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
        } catch (IllegalArgumentException e) {
            throw new CommandException("bad JSON arguments " + PyRepr.repr(text) + ": " + e.getMessage());
        }
        throw new CommandException("the arguments of an action method must be a JSON object: " + PyRepr.repr(text));
    }

    /** The command keys every command action has, with fail2ban's defaults. */
    private static final Map<String, String> ACTION_DEFAULTS = Map.of(
            "actionstart", "", "actionstop", "", "actioncheck", "", "actionban", "", "actionunban", "",
            "actionflush", "", "actionreban", "", "actionreload", "", "actionrepair", "", "timeout", "60");

    private static Object propertyOf(Action a, String key) {
        Map<String, String> props = a.properties();
        if (props.containsKey(key)) {
            return props.get(key);
        }
        if (ACTION_DEFAULTS.containsKey(key)) {
            String d = ACTION_DEFAULTS.get(key);
            return key.equals("timeout") ? (Object) Long.parseLong(d) : d;
        }
        throw new CommandException("'" + a.getClass().getSimpleName() + "' object has no attribute " + PyRepr.repr(key));
    }

    // ------------------------------------------------------------------ get

    private Object get(List<?> c) {
        String name = Values.arg(c, 0);
        switch (name) {
            case "loglevel":
                return server.log().levelName();
            case "logtarget":
                return server.log().target();
            case "syslogsocket":
                return server.log().syslogSocket();
            case "thread":
                return Map.of("stacksize", 0L);
            case "dbfile":
                return server.dbFile();
            case "dbmaxmatches":
                return server.dbFile() == null ? null : (Object) (long) server.dbMaxMatches();
            case "dbpurgeage":
                return server.dbFile() == null ? null : (Object) server.dbPurgeAge();
            default:
                return getJail(name, c);
        }
    }

    private Object getJail(String name, List<?> c) {
        String key = Values.arg(c, 1);
        switch (key) {
            case "banned":
                return server.banned(name, strings(c.subList(2, c.size())));
            case "logpath":
                return server.jail(name).logPaths();
            case "logencoding":
                return server.jail(name).logEncoding();
            case "journalmatch":
                return server.jail(name).journalMatches();
            case "ignoreself":
                return server.jail(name).ignores().ignoreSelf();
            case "ignoreip":
                return server.jail(name).ignores().list();
            case "ignorecommand":
                return server.jail(name).ignoreCommand();
            case "ignorecache":
                return server.jail(name).ignores().cacheSettings();
            case "prefregex":
                return server.jail(name).prefRegex();
            case "failregex":
                return server.jail(name).regexes(Jail.FAIL);
            case "ignoreregex":
                return server.jail(name).regexes(Jail.IGNORE);
            case "usedns":
                return server.jail(name).useDns();
            case "findtime":
                return server.jail(name).findTime();
            case "datepattern":
                return server.jail(name).datePattern();
            case "logtimezone":
                return server.jail(name).logTimeZone();
            case "maxmatches":
                return (long) server.jail(name).maxMatches();
            case "maxretry":
                return (long) server.jail(name).maxRetry();
            case "maxlines":
                return (long) server.jail(name).maxLines();
            case "bantime":
                return server.jail(name).banTime();
            case "banip":
                return server.jail(name).banList(c.size() > 2 && "--with-time".equals(Values.str(c.get(2))));
            case "actions":
                return server.jail(name).actionNames();
            case "action": {
                Jail j = server.jail(name);
                Action a = j.action(Values.arg(c, 2));
                return propertyOf(a, Values.arg(c, 3));
            }
            case "actionproperties": {
                Action a = server.jail(name).action(Values.arg(c, 2));
                java.util.TreeSet<String> keys = new java.util.TreeSet<>(a.properties().keySet());
                keys.addAll(ACTION_DEFAULTS.keySet());
                return new ArrayList<>(keys);
            }
            case "actionmethods": {
                Action a = server.jail(name).action(Values.arg(c, 2));
                return new ArrayList<>(new java.util.TreeSet<>(a.methods()));
            }
            default:
                if (key.startsWith("bantime.")) {
                    return server.jail(name).banTimeExtra(key.substring("bantime.".length()));
                }
                throw new CommandException("Invalid command (no get action or not yet implemented)");
        }
    }

    // ------------------------------------------------------------------ status

    private Object status(List<?> c) {
        if (c.isEmpty()) {
            return server.status();
        }
        if (c.size() <= 2) {
            String flavor = c.size() == 2 ? Values.str(c.get(1)) : "basic";
            return server.jail(Values.str(c.get(0))).status(flavor, server.cymru());
        }
        throw new CommandException("Invalid command (no status)");
    }
}
