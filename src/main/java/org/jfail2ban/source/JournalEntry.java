package org.jfail2ban.source;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fields of one journal entry that matter to fail2ban's formatting, as raw bytes (a journal
 * field may hold anything, UTF-8 or not). A field given twice keeps its first value, except
 * MESSAGE, whose values are all kept: fail2ban joins them.
 */
final class JournalEntry {

    enum Field {
        CURSOR("__CURSOR"),
        REALTIME("__REALTIME_TIMESTAMP"),
        MONOTONIC("__MONOTONIC_TIMESTAMP"),
        SOURCE_REALTIME("_SOURCE_REALTIME_TIMESTAMP"),
        SOURCE_MONOTONIC("_SOURCE_MONOTONIC_TIMESTAMP"),
        HOSTNAME("_HOSTNAME"),
        SYSLOG_IDENTIFIER("SYSLOG_IDENTIFIER"),
        COMM("_COMM"),
        SYSLOG_PID("SYSLOG_PID"),
        PID("_PID"),
        MESSAGE("MESSAGE");

        final String journalName;
        final byte[] bytes;

        Field(String journalName) {
            this.journalName = journalName;
            this.bytes = journalName.getBytes(StandardCharsets.US_ASCII);
        }
    }

    private static final Field[] FIELDS = Field.values();

    private final byte[][] values = new byte[FIELDS.length][];
    private List<byte[]> messages;

    /** Keeps the field named {@code name[nameOff, +nameLen)} when it is one of ours. */
    void set(byte[] name, int nameOff, int nameLen, byte[] value, int valueOff, int valueLen) {
        for (Field f : FIELDS) {
            if (f.bytes.length == nameLen && Arrays.equals(f.bytes, 0, nameLen, name, nameOff, nameOff + nameLen)) {
                byte[] v = Arrays.copyOfRange(value, valueOff, valueOff + valueLen);
                if (f == Field.MESSAGE) {
                    if (messages == null) {
                        messages = new ArrayList<>(1);
                    }
                    messages.add(v);
                } else if (values[f.ordinal()] == null) {
                    values[f.ordinal()] = v;
                }
                return;
            }
        }
    }

    void set(Field field, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        set(field.bytes, 0, field.bytes.length, v, 0, v.length);
    }

    byte[] get(Field f) {
        if (f == Field.MESSAGE) {
            return messages == null ? null : messages.get(0);
        }
        return values[f.ordinal()];
    }

    List<byte[]> messages() {
        return messages == null ? List.of() : messages;
    }

    String cursor() {
        byte[] c = values[Field.CURSOR.ordinal()];
        return c == null ? null : new String(c, StandardCharsets.UTF_8);
    }

    /** The names of the fields kept, for journalctl's {@code --output-fields}. */
    static String outputFields() {
        StringBuilder sb = new StringBuilder();
        for (Field f : FIELDS) {
            if (!f.journalName.startsWith("__")) {
                sb.append(sb.length() == 0 ? "" : ",").append(f.journalName);
            }
        }
        return sb.toString();
    }
}
