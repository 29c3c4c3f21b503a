package org.jfail2ban.source;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jfail2ban.source.JournalEntry.Field;

/**
 * Turns a journal entry into the line fail2ban's filters see: {@code HOST IDENT[PID]: MESSAGE},
 * exactly as fail2ban 1.0.2 builds it, so stock filters with a journalmatch work unchanged.
 *
 * <ul>
 *   <li>HOST is {@code _HOSTNAME}; IDENT is {@code SYSLOG_IDENTIFIER}, else {@code _COMM}; PID is
 *       {@code SYSLOG_PID}, else {@code _PID}, as a number when it reads as one; each part is left
 *       out when empty (a PID of 0 counts as empty, as in Python).</li>
 *   <li>Kernel messages ({@code kernel:} without PID) get the monotonic time, {@code [%12.6f]}
 *       seconds, from {@code _SOURCE_MONOTONIC_TIMESTAMP} else {@code __MONOTONIC_TIMESTAMP}.</li>
 *   <li>Several MESSAGE fields are joined with spaces; newlines in the line become {@code \n}.</li>
 *   <li>A field that is not valid UTF-8 is decoded with the jail's log encoding, invalid bytes
 *       replaced (fail2ban's reader leaves such fields as bytes and decodes them so).</li>
 *   <li>The entry's time is {@code _SOURCE_REALTIME_TIMESTAMP}, else {@code __REALTIME_TIMESTAMP}.</li>
 * </ul>
 */
final class JournalFormat {

    private JournalFormat() {
    }

    static String line(JournalEntry e, Charset encoding) {
        List<String> parts = new ArrayList<>(3);
        String host = text(e.get(Field.HOSTNAME), encoding);
        if (!host.isEmpty()) {
            parts.add(host);
        }
        String ident = text(e.get(Field.SYSLOG_IDENTIFIER), encoding);
        if (ident.isEmpty()) {
            ident = text(e.get(Field.COMM), encoding);
        }
        if (!ident.isEmpty()) {
            String pid = pid(e.get(Field.SYSLOG_PID));
            if (pid == null) {
                pid = pid(e.get(Field.PID));
            }
            String head = ident + (pid == null ? "" : "[" + pid + "]") + ":";
            parts.add(head);
            if (head.equals("kernel:")) {
                parts.add(monotonic(e));
            }
        }
        List<byte[]> messages = e.messages();
        if (messages.size() == 1) {
            parts.add(text(messages.get(0), encoding));
        } else {
            List<String> texts = new ArrayList<>(messages.size());
            for (byte[] m : messages) {
                texts.add(text(m, encoding));
            }
            parts.add(String.join(" ", texts));
        }
        String line = String.join(" ", parts);
        return line.indexOf('\n') < 0 ? line : line.replace("\n", "\\n");
    }

    /** When the entry was logged: the sender's own time when it gave one, else the journal's. */
    static Instant time(JournalEntry e) {
        long plain = plain(e.get(Field.SOURCE_REALTIME));
        if (plain < 0) {
            plain = plain(e.get(Field.REALTIME));
        }
        if (plain >= 0) {
            return Instant.ofEpochSecond(plain / 1_000_000, plain % 1_000_000 * 1000);
        }
        BigInteger us = integer(e.get(Field.SOURCE_REALTIME));
        if (us == null) {
            us = integer(e.get(Field.REALTIME));
        }
        if (us == null) {
            return null;
        }
        BigInteger[] qr = us.divideAndRemainder(BigInteger.valueOf(1_000_000));
        return Instant.ofEpochSecond(qr[0].longValue(), qr[1].longValue() * 1000);
    }

    private static String monotonic(JournalEntry e) {
        BigInteger us = integer(e.get(Field.SOURCE_MONOTONIC));
        if (us == null) {
            us = integer(e.get(Field.MONOTONIC));
        }
        if (us == null) {
            us = BigInteger.ZERO;
        }
        BigInteger[] qr = us.divideAndRemainder(BigInteger.valueOf(1_000_000));
        String s = qr[0] + "." + String.format("%06d", qr[1].abs().longValue());
        if (us.signum() < 0 && qr[0].signum() == 0) {
            s = "-" + s;
        }
        return "[" + " ".repeat(Math.max(0, 12 - s.length())) + s + "]";
    }

    /**
     * The PID text as fail2ban writes it, or null when the field is absent or empty. The reader
     * makes a decimal number of it when it can; fail2ban then also tries Python's literal forms
     * (0x..), and prints the raw bytes as Python shows them when neither works.
     */
    static String pid(byte[] raw) {
        if (raw == null) {
            return null;
        }
        long plain = PythonInt.plainDecimal(raw);
        if (plain >= 0) {
            return plain == 0 ? null : Long.toString(plain);
        }
        BigInteger n = PythonInt.parse(raw, 10);
        if (n != null) {
            return n.signum() == 0 ? null : n.toString();
        }
        if (raw.length == 0) {
            return null;
        }
        BigInteger literal = PythonInt.parse(raw, 0);
        return literal != null ? literal.toString() : PythonInt.bytesRepr(raw);
    }

    private static long plain(byte[] raw) {
        return raw == null ? -1 : PythonInt.plainDecimal(raw);
    }

    private static BigInteger integer(byte[] raw) {
        return raw == null ? null : PythonInt.parse(raw, 10);
    }

    /** A field's text: UTF-8 when it is valid UTF-8, else the log encoding with replacements. */
    static String text(byte[] raw, Charset encoding) {
        if (raw == null || raw.length == 0) {
            return "";
        }
        boolean ascii = true;
        for (byte b : raw) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return new String(raw, encoding);
        }
    }
}
