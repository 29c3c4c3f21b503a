package org.jfail2ban.action;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dynamic half of tag substitution: the values of one ban ({@code <ip>}, {@code <matches>},
 * {@code <F-USER>} ...) go into a command that {@link PropertyTags} has already resolved. One
 * pass, no recursion: a value that looks like a tag stays text.
 *
 * <p>The rule that keeps log lines from becoming code: a value made only of characters that
 * mean nothing to the shell ({@code [A-Za-z0-9._:/@%+,=-]}, which covers addresses, numbers,
 * host names and times) is written in place, exactly as fail2ban writes it. Any other value is
 * never written into the script at all: it is passed to {@code sh -c} as a positional argument,
 * bound to a variable {@code f2bV_<tag>} on the script's first line, and the tag becomes a
 * parameter expansion quoted for the spot it stands in ({@code "${f2bV_matches}"} when bare,
 * {@code ${...}} inside double quotes or a here-document, {@code '"${...}"'} inside single
 * quotes). fail2ban passes the same values as variables too but expands them unquoted, which
 * leaves them to word splitting and globbing; here they arrive as exactly one word, unchanged.
 */
final class DynamicTags {

    /** A script for {@code sh -c} and the values its first line binds from $0, $1, .... */
    record ShellScript(String script, List<String> args) {
        /** The argument vector: {@code /bin/sh -c script args...}. */
        List<String> argv() {
            List<String> cmd = new ArrayList<>(args.size() + 3);
            cmd.add("/bin/sh");
            cmd.add("-c");
            cmd.add(script);
            cmd.addAll(args);
            return cmd;
        }
    }

    private static final Pattern FTAG = Pattern.compile("^F-([A-Z0-9_\\-]+)$");
    private static final Pattern NON_WORD = Pattern.compile("\\W");

    private DynamicTags() {
    }

    /** True for a value the shell reads as itself wherever it stands. */
    static boolean inert(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '/' || c == '@' || c == '%' || c == '+'
                    || c == ',' || c == '=' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Substitutes dynamic tags for the shell.
     *
     * @param command  a command whose property tags are resolved
     * @param values   the value of a tag name ({@code ip}, {@code F-USER} ...), or null for none
     * @param fallback values for tags without a dynamic value ({@code br}, {@code sp} ...), or null
     */
    static ShellScript forShell(String command, Function<String, String> values, Function<String, String> fallback) {
        Matcher m = PropertyTags.TAG.matcher(command);
        List<int[]> spans = new ArrayList<>();
        List<String> tagValues = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            String tag = m.group(1);
            String v = lookup(tag, values, null);
            if (v == null) {
                // our own fill-ins (<br>, <sp>, host names) are not foreign: written as they are
                v = fallback == null ? null : fallback.apply(tag);
                names.add(null);
            } else {
                names.add(tag);
            }
            if (v == null) {
                names.remove(names.size() - 1);
                continue;
            }
            spans.add(new int[] {m.start(), m.end()});
            tagValues.add(v);
        }
        if (spans.isEmpty()) {
            return new ShellScript(command, List.of());
        }
        // the quoting at each tag, read from the script with the tags blanked out
        StringBuilder skeleton = new StringBuilder(command.length());
        int[] offsets = new int[spans.size()];
        int last = 0;
        for (int i = 0; i < spans.size(); i++) {
            int[] s = spans.get(i);
            skeleton.append(command, last, s[0]);
            offsets[i] = skeleton.length();
            skeleton.append('x');
            last = s[1];
        }
        skeleton.append(command, last, command.length());
        ShellContext.Kind[] kinds = ShellContext.at(skeleton.toString(), offsets);

        Map<String, String> vars = new LinkedHashMap<>();
        StringBuilder out = new StringBuilder(command.length() + 64);
        last = 0;
        for (int i = 0; i < spans.size(); i++) {
            int[] s = spans.get(i);
            out.append(command, last, s[0]);
            String v = tagValues.get(i);
            if (names.get(i) == null || inert(v)) {
                out.append(v);
            } else {
                String var = variableName(names.get(i));
                String prev = vars.putIfAbsent(var, v);
                if (prev != null && !prev.equals(v)) {
                    var = var + "_" + vars.size();
                    vars.put(var, v);
                }
                out.append(switch (kinds[i]) {
                    case BARE -> "\"${" + var + "}\"";
                    case SINGLE -> "'\"${" + var + "}\"'";
                    case DOUBLE, HEREDOC, HEREDOC_LITERAL -> "${" + var + "}";
                });
            }
            last = s[1];
        }
        out.append(command, last, command.length());
        if (vars.isEmpty()) {
            return new ShellScript(out.toString(), List.of());
        }
        StringBuilder head = new StringBuilder();
        List<String> args = new ArrayList<>(vars.size());
        int pos = 0;
        for (Map.Entry<String, String> e : vars.entrySet()) {
            head.append(e.getKey()).append("=$").append(pos == 0 ? "0" : pos < 10 ? String.valueOf(pos) : "{" + pos + "}")
                    .append(' ');
            args.add(e.getValue());
            pos++;
        }
        head.append('\n');
        return new ShellScript(head.append(out).toString(), args);
    }

    /**
     * Substitutes dynamic tags as plain text (no shell involved: mail subjects, HTTP fields).
     * Values are inserted as they are, in one pass.
     */
    static String plain(String template, Function<String, String> values, Function<String, String> fallback) {
        Matcher m = PropertyTags.TAG.matcher(template);
        StringBuilder sb = new StringBuilder(template.length() + 32);
        int last = 0;
        while (m.find()) {
            String v = lookup(m.group(1), values, fallback);
            if (v == null) {
                continue;
            }
            sb.append(template, last, m.start()).append(v);
            last = m.end();
        }
        return sb.append(template, last, template.length()).toString();
    }

    private static String lookup(String tag, Function<String, String> values, Function<String, String> fallback) {
        String v = values.apply(tag);
        if (v == null && FTAG.matcher(tag).matches()) {
            return ""; // a capture the filter did not make is empty, as in fail2ban
        }
        if (v == null && fallback != null) {
            v = fallback.apply(tag);
        }
        return v;
    }

    private static String variableName(String tag) {
        if (tag.startsWith("F-")) {
            return "f2bV_F_" + NON_WORD.matcher(mapCapture(tag.substring(2))).replaceAll("_");
        }
        return "f2bV_" + NON_WORD.matcher(tag).replaceAll("_");
    }

    /** A filter capture's name as the ticket stores it: lower case, {@code id} and {@code port} renamed. */
    static String mapCapture(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return switch (n) {
            case "id" -> "fid";
            case "port" -> "fport";
            default -> n;
        };
    }
}
