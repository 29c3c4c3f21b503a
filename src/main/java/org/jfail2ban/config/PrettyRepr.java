package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.List;
import org.jfail2ban.protocol.PyRepr;

/**
 * A value printed the way {@code fail2ban-client --dp} prints commands (Python's
 * {@code pprint.pformat(value, width=1000, indent=2)}): on one line while it fits, otherwise a
 * list item per line and long strings cut at blanks into adjacent literals.
 */
final class PrettyRepr {

    private static final int WIDTH = 1000;
    private static final int INDENT = 2;

    private PrettyRepr() {
    }

    static String format(Object value) {
        StringBuilder out = new StringBuilder();
        format(value, out, 0, 0, 0);
        return out.toString();
    }

    private static int len(String s) {
        return s.codePointCount(0, s.length());
    }

    private static void format(Object value, StringBuilder out, int indent, int allowance, int level) {
        String rep = PyRepr.repr(value);
        if (len(rep) > WIDTH - indent - allowance) {
            if (value instanceof List) {
                out.append('[');
                items((List<?>) value, out, indent, allowance + 1, level + 1);
                out.append(']');
                return;
            }
            if (value instanceof String && !((String) value).isEmpty()) {
                string((String) value, out, indent, allowance, level + 1);
                return;
            }
        }
        out.append(rep);
    }

    private static void items(List<?> items, StringBuilder out, int indent, int allowance, int level) {
        indent += INDENT;
        out.append(" ".repeat(INDENT - 1));
        String delimNl = ",\n" + " ".repeat(indent);
        String delim = "";
        for (int i = 0; i < items.size(); i++) {
            boolean last = i == items.size() - 1;
            out.append(delim);
            delim = delimNl;
            format(items.get(i), out, indent, last ? allowance : 1, level);
        }
    }

    private static void string(String s, StringBuilder out, int indent, int allowance, int level) {
        List<String> chunks = new ArrayList<>();
        List<String> lines = splitLines(s);
        if (level == 1) {
            indent += 1;
            allowance += 1;
        }
        int maxWidth = WIDTH - indent;
        int maxWidth1 = maxWidth;
        String rep = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            rep = PyRepr.repr(line);
            if (i == lines.size() - 1) {
                maxWidth1 -= allowance;
            }
            if (len(rep) <= maxWidth1) {
                chunks.add(rep);
                continue;
            }
            List<String> parts = words(line);
            int maxWidth2 = maxWidth;
            String current = "";
            for (int j = 0; j < parts.size(); j++) {
                String candidate = current + parts.get(j);
                if (j == parts.size() - 1 && i == lines.size() - 1) {
                    maxWidth2 -= allowance;
                }
                if (len(PyRepr.repr(candidate)) > maxWidth2) {
                    if (!current.isEmpty()) {
                        chunks.add(PyRepr.repr(current));
                    }
                    current = parts.get(j);
                } else {
                    current = candidate;
                }
            }
            if (!current.isEmpty()) {
                chunks.add(PyRepr.repr(current));
            }
        }
        if (chunks.size() == 1) {
            out.append(rep);
            return;
        }
        if (level == 1) {
            out.append('(');
        }
        for (int i = 0; i < chunks.size(); i++) {
            if (i > 0) {
                out.append('\n').append(" ".repeat(indent));
            }
            out.append(chunks.get(i));
        }
        if (level == 1) {
            out.append(')');
        }
    }

    /** Runs of non-blanks each with the blanks after them (Python's findall of \S*\s*). */
    private static List<String> words(String line) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            int j = i;
            while (j < n && !PyText.isSpace(line.charAt(j))) {
                j++;
            }
            while (j < n && PyText.isSpace(line.charAt(j))) {
                j++;
            }
            parts.add(line.substring(i, j));
            i = j;
        }
        return parts;
    }

    /** Python's str.splitlines(keepends=True). */
    private static List<String> splitLines(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean br = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                    || c == 0x85 || c == 0x2028 || c == 0x2029;
            if (br) {
                if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                    i++;
                }
                out.add(s.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < n) {
            out.add(s.substring(start));
        }
        return out;
    }
}
