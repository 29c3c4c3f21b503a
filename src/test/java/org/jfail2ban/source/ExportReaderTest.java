package org.jfail2ban.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfail2ban.source.JournalEntry.Field;
import org.jfail2ban.source.JournalFiles.Entry;
import org.junit.jupiter.api.Test;

class ExportReaderTest {

    /** Hands out at most {@code n} bytes per read, as a pipe may. */
    static InputStream trickle(byte[] data, int n) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, n));
            }
        };
    }

    @Test
    void textAndBinaryFieldsWhateverTheReadSizes() throws Exception {
        byte[] big = new byte[200_000];
        Arrays.fill(big, (byte) 'x');
        big[5] = '\n';
        List<Entry> entries = List.of(
                Entry.at(1).set("_HOSTNAME", "srv").set("MESSAGE", "plain = with equals").set("OTHER", "ignored"),
                Entry.at(2).set("MESSAGE", new byte[] {'a', '\n', 0, 'b'}).set("MESSAGE", "second"),
                Entry.at(3).set("MESSAGE", big).set("_PID", "7"));
        byte[] data = JournalFiles.export(entries);
        for (int n : new int[] {1, 3, 7, 4096, 1 << 20}) {
            ExportReader r = new ExportReader(trickle(data, n));
            JournalEntry a = r.next();
            assertEquals("srv", new String(a.get(Field.HOSTNAME), StandardCharsets.UTF_8));
            assertEquals("plain = with equals", new String(a.get(Field.MESSAGE), StandardCharsets.UTF_8));
            assertEquals("1", new String(a.get(Field.REALTIME), StandardCharsets.UTF_8));
            JournalEntry b = r.next();
            List<String> msgs = new ArrayList<>();
            b.messages().forEach(m -> msgs.add(new String(m, StandardCharsets.UTF_8)));
            assertEquals(List.of("a\n\0b", "second"), msgs);
            JournalEntry c = r.next();
            assertArrayEquals(big, c.get(Field.MESSAGE));
            assertEquals("7", new String(c.get(Field.PID), StandardCharsets.UTF_8));
            assertNull(r.next());
        }
    }

    @Test
    void anEntryCutShortIsDropped() throws Exception {
        byte[] data = JournalFiles.export(List.of(Entry.at(1).set("MESSAGE", "whole"), Entry.at(2).set("MESSAGE", "cut")));
        byte[] cut = Arrays.copyOf(data, data.length - 1);
        ExportReader r = new ExportReader(new ByteArrayInputStream(cut));
        assertEquals("whole", new String(r.next().get(Field.MESSAGE), StandardCharsets.UTF_8));
        assertNull(r.next());
        byte[] binary = JournalFiles.export(List.of(Entry.at(1).set("MESSAGE", new byte[] {'a', '\n', 'b'})));
        assertNull(new ExportReader(new ByteArrayInputStream(Arrays.copyOf(binary, binary.length - 5))).next());
    }

    @Test
    void pidsReadAsPythonReadsThem() {
        assertEquals("42", JournalFormat.pid(" 0042 ".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("1000", JournalFormat.pid("1_000".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("31", JournalFormat.pid("0x1f".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("5", JournalFormat.pid("0b101".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("b'1__0'", JournalFormat.pid("1__0".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("b\"it's\"", JournalFormat.pid("it's".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("b'\\xff\\t'", JournalFormat.pid(new byte[] {(byte) 0xff, '\t'}));
        assertNull(JournalFormat.pid("0".getBytes(StandardCharsets.US_ASCII)));
        assertNull(JournalFormat.pid(new byte[0]));
        assertNull(JournalFormat.pid(null));
    }
}
