package org.jfail2ban.config;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One configuration file, parsed alone, as Python's configparser reads it for fail2ban:
 * {@code [section]} headers, {@code key = value} or {@code key: value}, keys lowercased, values
 * continued on deeper-indented lines (blank lines inside a value kept, comment lines skipped),
 * {@code #} and {@code ;} comment lines, {@code ;} after whitespace starting an inline comment,
 * the {@code DEFAULT} section kept apart. A section or a key given twice in one file is an
 * error, as it is for fail2ban.
 *
 * <p>Files are merged later ({@link IniSet}); a parsed file never changes, so it can be shared.
 */
final class IniFile {

    static final String DEFAULT = "DEFAULT";

    /** A value as written, with where it was written. */
    record Value(String text, Origin origin) {
    }

    final String name;
    final Map<String, Value> defaults = new LinkedHashMap<>();
    final Map<String, Map<String, Value>> sections = new LinkedHashMap<>();

    private IniFile(String name) {
        this.name = name;
    }

    /** Decodes the bytes as UTF-8 (a leading byte-order mark is dropped) and parses them. */
    static IniFile parse(String name, byte[] bytes) throws ConfigException {
        // the plain decoder is much faster; only text with a replacement character needs the strict one
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.indexOf('\ufffd') >= 0) {
            text = strictUtf8(name, bytes);
        }
        if (text.startsWith("\ufeff")) {
            text = text.substring(1);
        }
        return parse(name, text);
    }

    private static String strictUtf8(String name, byte[] bytes) throws ConfigException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(name + ": not valid UTF-8 text (" + e.getMessage() + ")");
        }
    }

    static IniFile parse(String name, String text) throws ConfigException {
        IniFile f = new IniFile(name);
        new Parser(f).run(text);
        return f;
    }

    /** The line-by-line state machine; mirrors configparser's so that odd files read alike. */
    private static final class Parser {
        private final IniFile file;
        private final Set<String> seenSections = new HashSet<>();
        private final Map<Map<String, Value>, Set<String>> seenKeys = new IdentityHashMap<>();
        private final List<String> badLines = new ArrayList<>();
        private final Map<Map<String, Value>, Map<String, List<String>>> pending = new IdentityHashMap<>();
        private Map<String, Value> current;
        private Map<String, List<String>> currentParts;
        private String sectionName;
        private String key;
        private int indentLevel;

        Parser(IniFile file) {
            this.file = file;
        }

        void run(String text) throws ConfigException {
            int lineNo = 0;
            int pos = 0;
            int n = text.length();
            boolean cr = text.indexOf('\r') >= 0;
            while (pos < n) {
                int end;
                int next;
                if (cr) {
                    end = pos;
                    while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                        end++;
                    }
                    next = end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n'
                            ? end + 2 : end + 1;
                } else {
                    end = text.indexOf('\n', pos);
                    if (end < 0) {
                        end = n;
                    }
                    next = end + 1;
                }
                lineNo++;
                line(text, pos, end, lineNo);
                pos = next;
            }
            // join continued values: lines joined by newlines, trailing blank lines dropped
            for (Map.Entry<Map<String, Value>, Map<String, List<String>>> sec : pending.entrySet()) {
                for (Map.Entry<String, List<String>> e : sec.getValue().entrySet()) {
                    List<String> parts = e.getValue();
                    if (parts.size() > 1) {
                        Value v = sec.getKey().get(e.getKey());
                        sec.getKey().put(e.getKey(), new Value(PyText.rstrip(String.join("\n", parts)), v.origin()));
                    }
                }
            }
            if (!badLines.isEmpty()) {
                StringBuilder sb = new StringBuilder(file.name).append(' ').append(badLines.get(0));
                if (badLines.size() > 1) {
                    sb.append(" (also ").append(String.join(", ", badLines.subList(1, badLines.size()))).append(')');
                }
                throw new ConfigException(sb.toString());
            }
        }

        /** One line, text[b, e) without its line break. */
        private void line(String t, int b, int e, int lineNo) throws ConfigException {
            int first = b;
            while (first < e && PyText.isSpace(t.charAt(first))) {
                first++;
            }
            if (first == e) {
                // a blank line belongs to the value being read
                if (current != null && key != null) {
                    currentParts.get(key).add("");
                }
                return;
            }
            char c0 = t.charAt(first);
            if (c0 == '#' || c0 == ';') {
                // a comment line; it neither ends nor extends a value
                return;
            }
            // an inline comment starts at a ';' that follows a blank
            int stop = e;
            for (int i = t.indexOf(';', first); i >= 0 && i < e; i = t.indexOf(';', i + 1)) {
                if (PyText.isSpace(t.charAt(i - 1))) {
                    stop = i;
                    break;
                }
            }
            while (stop > first && PyText.isSpace(t.charAt(stop - 1))) {
                stop--;
            }
            String value = t.substring(first, stop);
            int indent = first - b;
            if (current != null && key != null && indent > indentLevel) {
                currentParts.get(key).add(value);
                return;
            }
            indentLevel = indent;
            if (c0 == '[') {
                int close = value.lastIndexOf(']');
                if (close >= 2) {
                    section(value.substring(1, close), lineNo);
                    return;
                }
            }
            if (current == null) {
                throw new ConfigException(file.name + " line " + lineNo
                        + ": a [section] header must come before '" + value + "'");
            }
            int delim = -1;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '=' || c == ':') {
                    delim = i;
                    break;
                }
            }
            if (delim < 0) {
                bad(lineNo, value);
                return;
            }
            String name = PyText.lower(PyText.rstrip(value.substring(0, delim)));
            if (name.isEmpty()) {
                bad(lineNo, value);
            }
            Set<String> keys = seenKeys.get(current);
            if (keys == null) {
                keys = new HashSet<>();
                seenKeys.put(current, keys);
            }
            if (!keys.add(name)) {
                throw new ConfigException(file.name + " line " + lineNo + ": [" + sectionName + "] " + name
                        + ": given twice in this section of the file");
            }
            key = name;
            String v = PyText.strip(value.substring(delim + 1));
            current.put(name, new Value(v, new Origin(file.name, lineNo)));
            List<String> parts = new ArrayList<>(2);
            parts.add(v);
            currentParts.put(name, parts);
        }

        private void section(String name, int lineNo) throws ConfigException {
            if (name.equals(DEFAULT)) {
                current = file.defaults;
            } else {
                if (!seenSections.add(name)) {
                    throw new ConfigException(file.name + " line " + lineNo + ": [" + name
                            + "] appears twice in this file");
                }
                current = new LinkedHashMap<>();
                file.sections.put(name, current);
            }
            currentParts = pending.get(current);
            if (currentParts == null) {
                currentParts = new LinkedHashMap<>();
                pending.put(current, currentParts);
            }
            sectionName = name;
            key = null;
        }

        private void bad(int lineNo, String value) {
            if (badLines.isEmpty()) {
                badLines.add("line " + lineNo + ": [" + sectionName + "] syntax error: '" + value
                        + "' is neither a [section] header nor a 'key = value' line");
            } else {
                badLines.add("line " + lineNo + " '" + value + "'");
            }
        }
    }
}
