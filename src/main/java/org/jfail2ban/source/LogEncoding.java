package org.jfail2ban.source;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a {@code logencoding} value as fail2ban takes it (a Python codec name, or {@code auto})
 * into a Java charset.
 *
 * <p>Python spells codecs loosely ({@code latin-1}, {@code latin_1}, {@code L1}, {@code utf8},
 * {@code U8}); Java knows some of those spellings and not others, so the common ones are mapped
 * here before Java's own lookup is tried.
 */
public final class LogEncoding {

    private static final Map<String, Charset> PYTHON_NAMES = Map.ofEntries(
            Map.entry("utf8", StandardCharsets.UTF_8),
            Map.entry("u8", StandardCharsets.UTF_8),
            Map.entry("utf", StandardCharsets.UTF_8),
            Map.entry("cp65001", StandardCharsets.UTF_8),
            Map.entry("latin1", StandardCharsets.ISO_8859_1),
            Map.entry("l1", StandardCharsets.ISO_8859_1),
            Map.entry("latin", StandardCharsets.ISO_8859_1),
            Map.entry("iso88591", StandardCharsets.ISO_8859_1),
            Map.entry("8859", StandardCharsets.ISO_8859_1),
            Map.entry("cp819", StandardCharsets.ISO_8859_1),
            Map.entry("ascii", StandardCharsets.US_ASCII),
            Map.entry("usascii", StandardCharsets.US_ASCII),
            Map.entry("646", StandardCharsets.US_ASCII),
            // without a byte order mark Python decodes these in the machine's order: little-endian
            Map.entry("utf16", StandardCharsets.UTF_16LE),
            Map.entry("u16", StandardCharsets.UTF_16LE),
            Map.entry("utf32", Charset.forName("UTF-32LE")),
            Map.entry("u32", Charset.forName("UTF-32LE")));

    private LogEncoding() {
    }

    /**
     * The charset for a {@code logencoding} value.
     *
     * @throws IllegalArgumentException naming the value when no such encoding exists
     */
    public static Charset forName(String name) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.equalsIgnoreCase("auto")) {
            return locale();
        }
        String key = trimmed.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
        Charset known = PYTHON_NAMES.get(key);
        if (known != null) {
            return known;
        }
        for (String candidate : new String[] {trimmed, trimmed.replace('_', '-')}) {
            try {
                return Charset.forName(candidate);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                // try the next spelling
            }
        }
        throw new IllegalArgumentException("unknown log encoding: " + name);
    }

    /** fail2ban's {@code auto}: the encoding of the locale the daemon runs in. */
    public static Charset locale() {
        String nativeName = System.getProperty("native.encoding");
        if (nativeName != null) {
            try {
                Charset cs = Charset.forName(nativeName);
                // a C/POSIX locale reports ASCII; fail2ban then reads UTF-8 as Python 3 does
                return cs.equals(StandardCharsets.US_ASCII) ? StandardCharsets.UTF_8 : cs;
            } catch (IllegalArgumentException e) {
                return StandardCharsets.UTF_8;
            }
        }
        return StandardCharsets.UTF_8;
    }
}
