package org.jfail2ban.shipped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line shapes of one service, from {@code shapes/NAME.txt} beside this class: log lines
 * as the service writes them, with placeholders for what varies.
 *
 * <pre>
 * # a comment
 * &#64; mode=aggressive                      options of our filter for the shapes below ("&#64;" alone: none)
 * &#64;clients 203.0.113.7 ::ffff:203.0.113.7   the forms of the client's address the service writes
 * Aug 14 11:59:58 srv sshd[{PID}]: Invalid user {user:alice} from {IP} port 4711
 * + Aug 14 11:59:59 srv sshd[{PID}]: Connection closed by {IP} port 4711 [preauth]
 * </pre>
 *
 * {@code {IP}} is the client's address, {@code {PID}} a number unique to each instance of the
 * shape, and {@code {name:value}} a field the client chooses, {@code value} being an ordinary
 * one. {@code {name:value|kind}} says how the service writes the field: escaped
 * ({@code logfmt}: quoted when it holds blanks, quotes or "="; {@code json}; {@code apache}:
 * quotes and backslashes escaped; {@code nginx}: as \xHH), or what it lets through at all
 * ({@code hostname}: a name the resolver accepts; {@code token}: no blanks). A line starting
 * with "+ " continues the shape before it (lines of one connection).
 */
final class LineShapes {

    /** The client address forms used unless a file says otherwise. */
    static final List<String> CLIENTS = List.of("203.0.113.7", "2001:db8:7::7", "::ffff:203.0.113.7");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(IP|PID|([a-z_]+):([^{}|]*)(?:\\|([a-z]+))?)\\}");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9._:-]+");

    /** A field the client chooses: its ordinary value and how the service writes it. */
    record Field(String ordinary, String kind) {

        /** Whether the service can write {@code value} in this field at all. */
        boolean admits(String value) {
            return switch (kind) {
                case "hostname" -> HOSTNAME.matcher(value).matches();
                case "token" -> !value.isEmpty() && value.chars().noneMatch(Character::isWhitespace);
                default -> true;
            };
        }

        /** {@code value} as the service writes it. */
        String encode(String value) {
            return switch (kind) {
                case "logfmt" -> value.isEmpty() || value.matches("[^\\s\"=\\\\]+") ? value
                        : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
                case "json", "apache" -> value.replace("\\", "\\\\").replace("\"", "\\\"");
                case "nginx" -> value.replace("\\", "\\x5C").replace("\"", "\\x22");
                default -> value;
            };
        }
    }

    /** One shape: its lines, the options of our filter, the client forms. */
    record Shape(String where, Map<String, String> options, List<String> clients, List<String> lines) {

        /** The fields the client chooses, in order of first appearance. */
        Map<String, Field> fields() {
            Map<String, Field> out = new LinkedHashMap<>();
            for (String l : lines) {
                Matcher m = PLACEHOLDER.matcher(l);
                while (m.find()) {
                    if (m.group(2) != null) {
                        out.putIfAbsent(m.group(2), new Field(m.group(3), m.group(4) == null ? "" : m.group(4)));
                    }
                }
            }
            return out;
        }

        /** The lines with the client, the process id and the fields given ({@code values} overrides the ordinary ones). */
        List<String> render(String client, int pid, Map<String, String> values) {
            List<String> out = new ArrayList<>();
            for (String l : lines) {
                out.add(renderLine(l, client, pid, values));
            }
            return out;
        }

        /**
         * What follows each occurrence of {@code field} in its line, rendered with the other
         * fields ordinary and the client {@code client}: the text a forged field imitates.
         */
        Set<String> after(String field, String client, int pid) {
            Set<String> out = new LinkedHashSet<>();
            for (String l : lines) {
                Matcher m = PLACEHOLDER.matcher(l);
                while (m.find()) {
                    if (field.equals(m.group(2))) {
                        out.add(renderLine(l.substring(m.end()), client, pid, Map.of()));
                    }
                }
            }
            return out;
        }

        /** The whole lines that hold {@code field}, rendered for {@code client}: a forged line. */
        Set<String> linesWith(String field, String client, int pid) {
            Set<String> out = new LinkedHashSet<>();
            for (String l : lines) {
                if (l.contains("{" + field + ":")) {
                    out.add(renderLine(l, client, pid, Map.of()));
                }
            }
            return out;
        }

        private String renderLine(String l, String client, int pid, Map<String, String> values) {
            Matcher m = PLACEHOLDER.matcher(l);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v;
                if (m.group(1).equals("IP")) {
                    v = client;
                } else if (m.group(1).equals("PID")) {
                    v = Integer.toString(pid);
                } else {
                    Field f = new Field(m.group(3), m.group(4) == null ? "" : m.group(4));
                    v = f.encode(values.getOrDefault(m.group(2), f.ordinary()));
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            return sb.toString();
        }
    }

    private LineShapes() {
    }

    /** The shapes of filter {@code name}. */
    static List<Shape> of(String name) {
        String text;
        try (InputStream in = LineShapes.class.getResourceAsStream("shapes/" + name + ".txt")) {
            if (in == null) {
                throw new AssertionError("no line shapes for " + name + " (shapes/" + name + ".txt)");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Shape> out = new ArrayList<>();
        Map<String, String> options = Map.of();
        List<String> clients = CLIENTS;
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            if (l.startsWith("@clients")) {
                clients = List.of(l.substring(8).trim().split("\\s+"));
            } else if (l.startsWith("@")) {
                Map<String, String> o = new LinkedHashMap<>();
                for (String kv : l.substring(1).trim().split("\\s+")) {
                    if (!kv.isEmpty()) {
                        o.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                    }
                }
                options = o;
            } else if (l.startsWith("+ ")) {
                Shape last = out.remove(out.size() - 1);
                List<String> more = new ArrayList<>(last.lines());
                more.add(l.substring(2));
                out.add(new Shape(last.where(), last.options(), last.clients(), more));
            } else {
                out.add(new Shape(name + ".txt:" + (i + 1), options, clients, List.of(l)));
            }
        }
        return out;
    }
}
