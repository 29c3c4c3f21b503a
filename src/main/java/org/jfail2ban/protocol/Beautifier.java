package org.jfail2ban.protocol;

import java.util.List;

/**
 * Words a server's reply for the terminal exactly as fail2ban-client does: the status trees
 * (with their tabs), the lists of log files, regexes and ignored addresses, and the raw Python
 * notation ({@code [1, 0]}, {@code True}, {@code None}) for everything else.
 */
public final class Beautifier {

    private Beautifier() {
    }

    /** The text printed for a successful reply to {@code cmd}. */
    public static String beautify(List<?> cmd, Object reply) {
        try {
            String msg = format(cmd, reply);
            return msg != null ? msg : PyRepr.str(reply);
        } catch (RuntimeException e) {
            // a reply of an unexpected shape is printed raw rather than lost
            return PyRepr.repr(reply);
        }
    }

    /** The text printed for an error reply. */
    public static String beautifyError(Reply reply) {
        return switch (reply.kind()) {
            case UNKNOWN_JAIL -> "Sorry but the jail '" + reply.message() + "' does not exist";
            case INVALID_COMMAND -> "Sorry but the command is invalid";
            case DUPLICATE_JAIL -> "The jail '" + reply.message() + "' already exists";
            default -> reply.message();
        };
    }

    private static String arg(List<?> cmd, int i) {
        return i < cmd.size() ? String.valueOf(cmd.get(i)) : null;
    }

    private static String format(List<?> cmd, Object reply) {
        String c0 = arg(cmd, 0);
        if (c0 == null) {
            return null;
        }
        switch (c0) {
            case "ping":
                return "Server replied: " + PyRepr.str(reply);
            case "version":
                return PyRepr.str(reply);
            case "start":
                return "Jail started";
            case "stop":
                if (reply == null) {
                    return cmd.size() == 1 ? "Shutdown successful" : "Jail stopped";
                }
                return null;
            case "add":
                return "Added jail " + PyRepr.str(reply);
            case "flushlogs":
                return "logs: " + PyRepr.str(reply);
            case "echo":
                return joinStr((List<?>) reply, " ");
            case "status":
                return status(cmd, (List<?>) reply);
            default:
                break;
        }
        if (cmd.size() < 2) {
            return null;
        }
        String c1 = arg(cmd, 1);
        switch (c1) {
            case "syslogsocket":
                return "Current syslog socket is:\n`- " + PyRepr.str(reply);
            case "logtarget":
                return "Current logging target is:\n`- " + PyRepr.str(reply);
            case "loglevel":
                return "Current logging level is " + PyRepr.repr(reply instanceof Number n
                        ? LevelNames.name(n.intValue()) : reply);
            case "dbfile":
                return reply == null ? "Database currently disabled" : "Current database file is:\n`- " + PyRepr.str(reply);
            case "dbpurgeage":
                return reply == null ? "Database currently disabled"
                        : "Current database purge age is:\n`- " + ((Number) reply).longValue() + "seconds";
            default:
                break;
        }
        if (cmd.size() < 3) {
            return null;
        }
        String c2 = arg(cmd, 2);
        switch (c2) {
            case "logpath", "addlogpath", "dellogpath":
                return tree((List<?>) reply, "No file is currently monitored", "Current monitored log file(s):", false);
            case "logencoding":
                return "Current log encoding is set to:\n" + PyRepr.str(reply);
            case "journalmatch", "addjournalmatch", "deljournalmatch": {
                List<?> l = (List<?>) reply;
                if (l.isEmpty()) {
                    return "No journal match filter set";
                }
                StringBuilder sb = new StringBuilder("Current match filter:\n");
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(" + ");
                    }
                    sb.append(joinStr((List<?>) l.get(i), " "));
                }
                return sb.toString();
            }
            case "datepattern": {
                String msg = "Current date pattern set to: ";
                if (reply == null) {
                    return msg + "Not set/required";
                }
                List<?> l = (List<?>) reply;
                if (l.get(0) == null) {
                    return msg + PyRepr.str(l.get(1));
                }
                return msg + PyRepr.str(l.get(0)) + " (" + PyRepr.str(l.get(1)) + ")";
            }
            case "ignoreip", "addignoreip", "delignoreip":
                return tree((List<?>) reply, "No IP address/network is ignored", "These IP addresses/networks are ignored:", false);
            case "failregex", "addfailregex", "delfailregex", "ignoreregex", "addignoreregex", "delignoreregex":
                if (!(reply instanceof List)) {
                    return null;
                }
                return tree((List<?>) reply, "No regular expression is defined", "The following regular expression are defined:", true);
            case "actions": {
                List<?> l = (List<?>) reply;
                return l.isEmpty() ? "No actions for jail " + c1
                        : "The jail " + c1 + " has the following actions:\n" + joinStr(l, ", ");
            }
            case "actionproperties", "actionmethods": {
                List<?> l = (List<?>) reply;
                String what = c2.equals("actionproperties") ? "properties" : "methods";
                String act = arg(cmd, 3);
                return l.isEmpty() ? "No " + what + " for jail " + c1 + " action " + act
                        : "The jail " + c1 + " action " + act + " has the following " + what + ":\n" + joinStr(l, ", ");
            }
            case "banip":
                if ("get".equals(c0) && reply instanceof List<?> l) {
                    String sep = cmd.size() <= 3 ? " " : arg(cmd, 3);
                    if ("--with-time".equals(sep)) {
                        sep = "\n";
                    }
                    return joinStr(l, sep);
                }
                return null;
            default:
                return null;
        }
    }

    private static String status(List<?> cmd, List<?> reply) {
        StringBuilder sb = new StringBuilder();
        if (cmd.size() > 1) {
            sb.append("Status for the jail: ").append(arg(cmd, 1));
            for (int n = 0; n < reply.size(); n++) {
                boolean last1 = n == reply.size() - 1;
                List<?> sect = (List<?>) reply.get(n);
                sb.append('\n').append(last1 ? "`-" : "|-").append(' ').append(PyRepr.str(sect.get(0)));
                String indent = last1 ? "   " : "|  ";
                List<?> items = (List<?>) sect.get(1);
                for (int m = 0; m < items.size(); m++) {
                    List<?> item = (List<?>) items.get(m);
                    sb.append('\n').append(indent).append(m == items.size() - 1 ? "`-" : "|-").append(' ')
                            .append(PyRepr.str(item.get(0))).append(":\t").append(statusValue(item.get(1)));
                }
            }
        } else {
            sb.append("Status");
            for (int n = 0; n < reply.size(); n++) {
                List<?> item = (List<?>) reply.get(n);
                sb.append('\n').append(n == reply.size() - 1 ? "`-" : "|-").append(' ')
                        .append(PyRepr.str(item.get(0))).append(":\t").append(statusValue(item.get(1)));
            }
        }
        return sb.toString();
    }

    private static String statusValue(Object v) {
        return v instanceof List<?> l ? joinStr(l, " ") : PyRepr.str(v);
    }

    private static String tree(List<?> l, String empty, String head, boolean numbered) {
        if (l.isEmpty()) {
            return empty;
        }
        StringBuilder sb = new StringBuilder(head);
        for (int i = 0; i < l.size(); i++) {
            sb.append('\n').append(i == l.size() - 1 ? "`- " : "|- ");
            if (numbered) {
                sb.append('[').append(i).append("]: ");
            }
            sb.append(PyRepr.str(l.get(i)));
        }
        return sb.toString();
    }

    private static String joinStr(List<?> l, String sep) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                sb.append(sep);
            }
            sb.append(PyRepr.str(l.get(i)));
        }
        return sb.toString();
    }
}
