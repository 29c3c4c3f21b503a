package org.jfail2ban.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileEncodingTest {

    @TempDir
    Path dir;

    private FileSource source;
    private final Collector lines = new Collector();

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    private void follow(Path log, Charset cs) {
        source = new FileSource(FileSource.Backend.AUTO);
        source.setEncoding(cs);
        source.addPath(log, false, null);
        source.start(lines);
    }

    private static void write(Path log, byte[]... parts) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        Files.write(log, b.toByteArray(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static byte[] bytes(String s, Charset cs) {
        return s.getBytes(cs);
    }

    @Test
    void latin1BytesAreLatin1Text() throws Exception {
        Path log = dir.resolve("latin.log");
        write(log, bytes("Failed password for José from 192.0.2.1\n", StandardCharsets.ISO_8859_1));
        follow(log, LogEncoding.forName("latin-1"));
        assertEquals(List.of("Failed password for José from 192.0.2.1"), lines.take(1));
    }

    @Test
    void invalidUtf8BytesBecomeReplacementCharacters() throws Exception {
        Path log = dir.resolve("bad.log");
        write(log, bytes("user ", StandardCharsets.UTF_8), new byte[] {(byte) 0xff, (byte) 0xfe},
                bytes(" from 192.0.2.1 é\n", StandardCharsets.UTF_8));
        follow(log, StandardCharsets.UTF_8);
        assertEquals(List.of("user \uFFFD\uFFFD from 192.0.2.1 é"), lines.take(1));
    }

    @Test
    void aMultiByteCharacterSplitAcrossWritesArrivesWhole() throws Exception {
        Path log = dir.resolve("split.log");
        write(log, new byte[0]);
        follow(log, StandardCharsets.UTF_8);
        byte[] e = "é\n".getBytes(StandardCharsets.UTF_8);
        write(log, new byte[] {'a', e[0]});
        assertEquals(List.of(), lines.rest(java.time.Duration.ofMillis(100)));
        write(log, new byte[] {e[1], '\n'});
        assertEquals(List.of("aé"), lines.take(1));
    }

    @Test
    void nulBytesSurvive() throws Exception {
        Path log = dir.resolve("nul.log");
        write(log, new byte[] {'a', 0, 'b', '\n', 0, '\n'});
        follow(log, StandardCharsets.UTF_8);
        assertEquals(List.of("a\0b", "\0"), lines.take(2));
    }

    @Test
    void aOneMegabyteLineSurvives() throws Exception {
        Path log = dir.resolve("long.log");
        String big = "x".repeat(1 << 20) + " from 192.0.2.7";
        write(log, new byte[0]);
        follow(log, StandardCharsets.UTF_8);
        // written in pieces, as a slow writer would
        byte[] b = (big + "\nafter\n").getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < b.length; at += 100_000) {
            write(log, java.util.Arrays.copyOfRange(b, at, Math.min(b.length, at + 100_000)));
        }
        assertEquals(List.of(big, "after"), lines.take(2));
    }

    @Test
    void aLineLongerThanTheLimitComesInPieces() throws Exception {
        Path log = dir.resolve("huge.log");
        int max = LineReader.MAX_LINE;
        write(log, bytes("y".repeat(max + 10) + "\nnext\n", StandardCharsets.US_ASCII));
        follow(log, StandardCharsets.UTF_8);
        List<String> got = lines.take(3);
        assertEquals(max, got.get(0).length());
        assertEquals("y".repeat(10), got.get(1));
        assertEquals("next", got.get(2));
    }

    @Test
    void utf16LittleEndianLinesAreFound() throws Exception {
        Path log = dir.resolve("wide.log");
        // U+0A0A and U+010A hold 0x0A bytes that are not newlines
        write(log, bytes("\u0A0Aone\u010A\ntwo\n", StandardCharsets.UTF_16LE));
        follow(log, LogEncoding.forName("utf-16"));
        assertEquals(List.of("\u0A0Aone\u010A", "two"), lines.take(2));
    }

    @Test
    void carriageReturnsBeforeTheNewlineAreStripped() throws Exception {
        Path log = dir.resolve("crlf.log");
        write(log, bytes("dos\r\nin\rside\n", StandardCharsets.US_ASCII));
        follow(log, StandardCharsets.UTF_8);
        assertEquals(List.of("dos", "in\rside"), lines.take(2));
    }

    @Test
    void encodingNamesAsFail2banTakesThem() {
        assertEquals(StandardCharsets.UTF_8, LogEncoding.forName("utf-8"));
        assertEquals(StandardCharsets.UTF_8, LogEncoding.forName("UTF8"));
        assertEquals(StandardCharsets.ISO_8859_1, LogEncoding.forName("latin-1"));
        assertEquals(StandardCharsets.ISO_8859_1, LogEncoding.forName("latin_1"));
        assertEquals(StandardCharsets.ISO_8859_1, LogEncoding.forName("ISO-8859-1"));
        assertEquals(StandardCharsets.US_ASCII, LogEncoding.forName("ascii"));
        assertEquals(Charset.forName("windows-1252"), LogEncoding.forName("cp1252"));
        assertEquals(Charset.forName("ISO-8859-15"), LogEncoding.forName("iso8859_15"));
        assertEquals(LogEncoding.locale(), LogEncoding.forName("auto"));
        assertEquals(LogEncoding.locale(), LogEncoding.forName("Auto"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogEncoding.forName("klingon"));
        assertEquals("unknown log encoding: klingon", e.getMessage());
    }

    @Test
    void encodingChangesWhileRunning() throws Exception {
        Path log = dir.resolve("switch.log");
        write(log, bytes("café\n", StandardCharsets.UTF_8));
        follow(log, StandardCharsets.UTF_8);
        assertEquals(List.of("café"), lines.take(1));
        source.setEncoding(StandardCharsets.ISO_8859_1);
        Path other = dir.resolve("other.log");
        write(other, bytes("café\n", StandardCharsets.ISO_8859_1));
        source.addPath(other, false, null);
        assertEquals(List.of("café"), lines.take(1));
    }
}
