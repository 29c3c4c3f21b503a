package org.jfail2ban.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The command table of fail2ban 1.0.2 as {@code fail2ban-client -h} lists it: the same commands,
 * sections and column layout (signature from column 4, description wrapped at 34 characters
 * from column 45), described in our own words.
 */
public final class CommandHelp {

    private static final int INDENT = 4;
    private static final int MARGIN = 41;
    private static final int WIDTH = 34;

    /** A section heading has an empty signature. */
    private static final String[][] TABLE = {
        {"", "BASIC"},
        {"start", "starts the server and its jails"},
        {"restart", "stops the server and starts it again"},
        {"restart [--unban] [--if-exists] <JAIL>", "restarts the jail <JAIL> (the same as 'reload --restart ... <JAIL>')"},
        {"reload [--restart] [--unban] [--all]", "reads the configuration again and applies it while the server runs; '--restart' stops and starts the jails it touches, and with '--unban' lifts their bans"},
        {"reload [--restart] [--unban] [--if-exists] <JAIL>", "reloads the jail <JAIL>, or restarts it with '--restart'"},
        {"stop", "stops every jail and ends the server"},
        {"unban --all", "lifts every ban (of all jails and in the database)"},
        {"unban <IP> ... <IP>", "lifts the bans of <IP> (of all jails and in the database)"},
        {"banned", "lists the banned addresses of each jail"},
        {"banned <IP> ... <IP>]", "lists, for each <IP>, the jails that ban it"},
        {"status", "shows the state of the server"},
        {"ping", "checks that the server answers"},
        {"echo", "internal: answers with the words it was given"},
        {"help", "shows this text"},
        {"version", "shows the version of the server"},
        {"", "LOGGING"},
        {"set loglevel <LEVEL>", "sets the log level to <LEVEL>: CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG, TRACEDEBUG, HEAVYDEBUG or a number (50-5)"},
        {"get loglevel", "shows the log level"},
        {"set logtarget <TARGET>", "sends the log to <TARGET>: STDOUT, STDERR, SYSLOG, SYSTEMD-JOURNAL or a file"},
        {"get logtarget", "shows where the log goes"},
        {"set syslogsocket auto|<SOCKET>", "sets the syslog socket to auto or <SOCKET> (for logtarget SYSLOG)"},
        {"get syslogsocket", "shows the syslog socket"},
        {"flushlogs", "flushes the log and reopens its file, for log rotation"},
        {"", "DATABASE"},
        {"set dbfile <FILE>", "sets the file of the ban database; \"None\" turns it off"},
        {"get dbfile", "shows the file of the ban database"},
        {"set dbmaxmatches <INT>", "sets how many matched lines the database keeps per ban"},
        {"get dbmaxmatches", "shows how many matched lines the database keeps per ban"},
        {"set dbpurgeage <SECONDS>", "sets how long, in <SECONDS>, the database keeps old bans"},
        {"get dbpurgeage", "shows how long, in seconds, the database keeps old bans"},
        {"", "JAIL CONTROL"},
        {"add <JAIL> <BACKEND>", "creates the jail <JAIL> reading its logs with <BACKEND>"},
        {"start <JAIL>", "starts the jail <JAIL>"},
        {"stop <JAIL>", "stops the jail <JAIL> and removes it"},
        {"status <JAIL> [FLAVOR]", "shows the state of <JAIL>; FLAVOR is basic, short or cymru"},
        {"", "JAIL CONFIGURATION"},
        {"set <JAIL> idle on|off", "pauses or resumes <JAIL>"},
        {"set <JAIL> ignoreself true|false", "whether the host's own addresses are never banned"},
        {"set <JAIL> addignoreip <IP>", "adds <IP> (an address, network or host name) to the addresses <JAIL> never bans"},
        {"set <JAIL> delignoreip <IP>", "removes <IP> from the addresses <JAIL> never bans"},
        {"set <JAIL> ignorecommand <VALUE>", "sets the command that decides whether an address is ignored"},
        {"set <JAIL> ignorecache <VALUE>", "sets the cache of the ignore decisions of <JAIL>"},
        {"set <JAIL> addlogpath <FILE> ['tail']", "adds <FILE> to the logs <JAIL> reads, from its start ('head', the default) or its end ('tail')"},
        {"set <JAIL> dellogpath <FILE>", "removes <FILE> from the logs <JAIL> reads"},
        {"set <JAIL> logencoding <ENCODING>", "sets the <ENCODING> of the logs of <JAIL>"},
        {"set <JAIL> addjournalmatch <MATCH>", "adds <MATCH> to the journal filter of <JAIL>"},
        {"set <JAIL> deljournalmatch <MATCH>", "removes <MATCH> from the journal filter of <JAIL>"},
        {"set <JAIL> addfailregex <REGEX>", "adds <REGEX> to the expressions that find failures for <JAIL>"},
        {"set <JAIL> delfailregex <INDEX>", "removes the failregex at <INDEX>"},
        {"set <JAIL> addignoreregex <REGEX>", "adds <REGEX> to the expressions of lines <JAIL> ignores"},
        {"set <JAIL> delignoreregex <INDEX>", "removes the ignoreregex at <INDEX>"},
        {"set <JAIL> findtime <TIME>", "sets how far back <JAIL> counts failures"},
        {"set <JAIL> bantime <TIME>", "sets how long <JAIL> bans"},
        {"set <JAIL> datepattern <PATTERN>", "sets the <PATTERN> of the dates in the logs of <JAIL>"},
        {"set <JAIL> usedns <VALUE>", "sets whether <JAIL> resolves host names (yes, warn, no, raw)"},
        {"set <JAIL> attempt <IP> [<failure1> ... <failureN>]", "counts a failure of <IP> by hand"},
        {"set <JAIL> banip <IP> ... <IP>", "bans <IP> in <JAIL> by hand"},
        {"set <JAIL> unbanip [--report-absent] <IP> ... <IP>", "lifts the ban of <IP> in <JAIL>"},
        {"set <JAIL> maxretry <RETRY>", "sets how many failures within findtime lead <JAIL> to a ban"},
        {"set <JAIL> maxmatches <INT>", "sets how many matched lines <JAIL> keeps per address"},
        {"set <JAIL> maxlines <LINES>", "sets how many lines <JAIL> joins for a multi-line failure"},
        {"set <JAIL> addaction <ACT>[ <PYTHONFILE> <JSONKWARGS>]", "adds the command action <ACT> to <JAIL> (Python file actions are not supported: use action.d or a native banaction)"},
        {"set <JAIL> delaction <ACT>", "removes the action <ACT> from <JAIL>"},
        {"", "COMMAND ACTION CONFIGURATION"},
        {"set <JAIL> action <ACT> actionstart <CMD>", "sets the start command <CMD> of the action <ACT> of <JAIL>"},
        {"set <JAIL> action <ACT> actionstop <CMD>", "sets the stop command <CMD> of the action <ACT> of <JAIL>"},
        {"set <JAIL> action <ACT> actioncheck <CMD>", "sets the check command <CMD> of the action <ACT> of <JAIL>"},
        {"set <JAIL> action <ACT> actionban <CMD>", "sets the ban command <CMD> of the action <ACT> of <JAIL>"},
        {"set <JAIL> action <ACT> actionunban <CMD>", "sets the unban command <CMD> of the action <ACT> of <JAIL>"},
        {"set <JAIL> action <ACT> timeout <TIMEOUT>", "sets the time limit, in seconds, of the commands of the action <ACT> of <JAIL>"},
        {"", "GENERAL ACTION CONFIGURATION"},
        {"set <JAIL> action <ACT> <PROPERTY> <VALUE>", "sets <PROPERTY> of the action <ACT> of <JAIL> to <VALUE>"},
        {"set <JAIL> action <ACT> <METHOD>[ <JSONKWARGS>]", "calls <METHOD> of the action <ACT> of <JAIL>"},
        {"", "JAIL INFORMATION"},
        {"get <JAIL> banned", "shows the addresses <JAIL> bans"},
        {"get <JAIL> banned <IP> ... <IP>]", "shows 1 for each <IP> that <JAIL> bans, 0 for the others"},
        {"get <JAIL> logpath", "shows the logs <JAIL> reads"},
        {"get <JAIL> logencoding", "shows the encoding of the logs of <JAIL>"},
        {"get <JAIL> journalmatch", "shows the journal filter of <JAIL>"},
        {"get <JAIL> ignoreself", "shows whether the host's own addresses are ignored"},
        {"get <JAIL> ignoreip", "shows the addresses <JAIL> never bans"},
        {"get <JAIL> ignorecommand", "shows the ignorecommand of <JAIL>"},
        {"get <JAIL> failregex", "shows the expressions that find failures for <JAIL>"},
        {"get <JAIL> ignoreregex", "shows the expressions of lines <JAIL> ignores"},
        {"get <JAIL> findtime", "shows how far back <JAIL> counts failures"},
        {"get <JAIL> bantime", "shows how long <JAIL> bans"},
        {"get <JAIL> datepattern", "shows the date pattern of <JAIL>"},
        {"get <JAIL> usedns", "shows the usedns setting of <JAIL>"},
        {"get <JAIL> banip [<SEP>|--with-time]", "shows the addresses <JAIL> bans, in the order their bans end, separated by <SEP> (a space by default) or one per line with the times of the ban (--with-time)"},
        {"get <JAIL> maxretry", "shows how many failures lead <JAIL> to a ban"},
        {"get <JAIL> maxmatches", "shows how many matched lines <JAIL> keeps per address"},
        {"get <JAIL> maxlines", "shows how many lines <JAIL> joins for a multi-line failure"},
        {"get <JAIL> actions", "shows the actions of <JAIL>"},
        {"", "COMMAND ACTION INFORMATION"},
        {"get <JAIL> action <ACT> actionstart", "shows the start command of the action <ACT> of <JAIL>"},
        {"get <JAIL> action <ACT> actionstop", "shows the stop command of the action <ACT> of <JAIL>"},
        {"get <JAIL> action <ACT> actioncheck", "shows the check command of the action <ACT> of <JAIL>"},
        {"get <JAIL> action <ACT> actionban", "shows the ban command of the action <ACT> of <JAIL>"},
        {"get <JAIL> action <ACT> actionunban", "shows the unban command of the action <ACT> of <JAIL>"},
        {"get <JAIL> action <ACT> timeout", "shows the time limit of the commands of the action <ACT> of <JAIL>"},
        {"", "GENERAL ACTION INFORMATION"},
        {"get <JAIL> actionproperties <ACT>", "shows the properties of the action <ACT> of <JAIL>"},
        {"get <JAIL> actionmethods <ACT>", "shows the methods of the action <ACT> of <JAIL>"},
        {"get <JAIL> action <ACT> <PROPERTY>", "shows <PROPERTY> of the action <ACT> of <JAIL>"},
    };

    private CommandHelp() {
    }

    /** The signatures, with the section headings in their place. */
    public static List<String> signatures() {
        List<String> out = new ArrayList<>();
        for (String[] row : TABLE) {
            out.add(row[0].isEmpty() ? row[1] : row[0]);
        }
        return out;
    }

    /** The table in the layout of {@code fail2ban-client -h}, one string per line. */
    public static List<String> lines() {
        List<String> out = new ArrayList<>();
        boolean first = true;
        for (String[] row : TABLE) {
            if (row[0].isEmpty() && !first) {
                out.add("");
            }
            first = false;
            List<String> desc = wrap(row[1]);
            if (row[0].length() >= MARGIN) {
                out.add(" ".repeat(INDENT) + row[0]);
                for (String d : desc) {
                    out.add(" ".repeat(INDENT + MARGIN) + d);
                }
                continue;
            }
            for (int i = 0; i < desc.size(); i++) {
                out.add(i == 0
                        ? " ".repeat(INDENT) + row[0] + " ".repeat(MARGIN - row[0].length()) + desc.get(i)
                        : " ".repeat(INDENT + MARGIN) + desc.get(i));
            }
        }
        return out;
    }

    /** Greedy word wrap at {@link #WIDTH} columns. */
    static List<String> wrap(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > WIDTH) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        out.add(line.toString());
        return out;
    }
}
