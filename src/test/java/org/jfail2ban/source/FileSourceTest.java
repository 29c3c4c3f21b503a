package org.jfail2ban.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FileSourceTest {

    @TempDir
    Path dir;

    private final List<FileSource> sources = new ArrayList<>();
    private final Collector lines = new Collector();
    private final List<FilePosition> positions = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeSources() {
        sources.forEach(FileSource::close);
    }

    private FileSource source(FileSource.Backend backend) {
        FileSource s = new FileSource(backend);
        s.setPollInterval(Duration.ofMillis(50));
        s.onPosition(positions::add);
        sources.add(s);
        return s;
    }

    /** A started source following one file. */
    private FileSource follow(FileSource.Backend backend, Path log, boolean tail, FilePosition resume) {
        FileSource s = source(backend);
        s.addPath(log, tail, resume);
        s.start(lines);
        return s;
    }

    static void append(Path file, String text) throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String sha1(String firstLine) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(firstLine.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @EnumSource(value = FileSource.Backend.class, names = {"AUTO", "POLLING"})
    void headReadsWhatIsThereThenWhatIsAppended(FileSource.Backend backend) throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "one\ntwo\n");
        follow(backend, log, false, null);
        assertEquals(List.of("one", "two"), lines.take(2));
        append(log, "three\n");
        assertEquals(List.of("three"), lines.take(1));
    }

    @ParameterizedTest
    @EnumSource(value = FileSource.Backend.class, names = {"AUTO", "POLLING"})
    void tailSkipsWhatIsThere(FileSource.Backend backend) throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "old\nolder\n");
        follow(backend, log, true, null);
        append(log, "new\n");
        List<LogLine> got = lines.takeLines(1);
        assertEquals("new", got.get(0).text());
        assertEquals(log.toString(), got.get(0).origin());
        assertEquals(null, got.get(0).time());
    }

    @Test
    void tailStartsAtTheLineBeingWritten() throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "old\nhalf of a ");
        follow(FileSource.Backend.AUTO, log, true, null);
        append(log, "line\n");
        assertEquals(List.of("half of a line"), lines.take(1));
    }

    @ParameterizedTest
    @EnumSource(value = FileSource.Backend.class, names = {"AUTO", "POLLING"})
    void aPartialLineWaitsForItsNewline(FileSource.Backend backend) throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "");
        follow(backend, log, false, null);
        append(log, "first\nsecond hal");
        assertEquals(List.of("first"), lines.take(1));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
        assertEquals(6, positions.get(positions.size() - 1).offset());
        append(log, "f\r\n");
        assertEquals(List.of("second half"), lines.take(1));
        awaitPosition(19);
    }

    @Test
    void positionsCarryFail2bansFirstLineHash() throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "first line\nsecond\n");
        follow(FileSource.Backend.AUTO, log, false, null);
        lines.take(2);
        FilePosition p = awaitPosition(18);
        assertEquals(new FilePosition(log.toString(), sha1("first line\n"), 18), p);
        // the oracle's own FileContainer gives the same hash for the same file
        String py = "import sys\nfrom fail2ban.server.filter import FileContainer\n"
                + "print(FileContainer(sys.argv[1], 'utf-8').getHash())\n";
        Path script = dir.resolve("hash.py");
        Files.writeString(script, py);
        org.jfail2ban.testing.Proc.Result r = org.jfail2ban.testing.Proc.run(
                List.of(org.jfail2ban.testing.Oracle.python(), script.toString(), log.toString()), null,
                java.util.Map.of("PYTHONPATH", org.jfail2ban.testing.Oracle.root()
                        .resolve("usr/lib/python3/dist-packages").toString()), null, 60);
        assertEquals(0, r.exit(), r.err());
        assertEquals(r.out().trim(), p.firstLineHash());
    }

    /** The position is told after the batch's lines are delivered: wait for it. */
    private FilePosition awaitPosition(long offset) throws InterruptedException {
        long deadline = System.nanoTime() + Collector.PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!positions.isEmpty() && positions.get(positions.size() - 1).offset() == offset) {
                return positions.get(positions.size() - 1);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no position " + offset + " in " + positions);
    }

    @Test
    void resumesAtTheSavedOffsetWhenTheFirstLineIsTheSame() throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "a\nb\nc\n");
        follow(FileSource.Backend.AUTO, log, false, new FilePosition(log.toString(), sha1("a\n"), 4));
        assertEquals(List.of("c"), lines.take(1));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(200)));
    }

    @Test
    void resumeWinsOverTail() throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "a\nb\nc\n");
        follow(FileSource.Backend.AUTO, log, true, new FilePosition(log.toString(), sha1("a\n"), 2));
        assertEquals(List.of("b", "c"), lines.take(2));
    }

    @Test
    void readsFromTheStartWhenTheFileWasReplaced() throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "x\ny\nz\n");
        follow(FileSource.Backend.AUTO, log, false, new FilePosition(log.toString(), sha1("a\n"), 4));
        assertEquals(List.of("x", "y", "z"), lines.take(3));
    }

    @Test
    void readsFromTheStartWhenTheSavedOffsetIsPastTheEnd() throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "a\nb\n");
        follow(FileSource.Backend.AUTO, log, false, new FilePosition(log.toString(), sha1("a\n"), 400));
        assertEquals(List.of("a", "b"), lines.take(2));
    }

    @ParameterizedTest
    @EnumSource(value = FileSource.Backend.class, names = {"AUTO", "POLLING"})
    void aFileThatAppearsLaterIsReadFromItsStart(FileSource.Backend backend) throws Exception {
        Path log = dir.resolve("later.log");
        follow(backend, log, true, null);
        assertEquals(List.of(), lines.rest(Duration.ofMillis(200)));
        append(log, "hello\nworld\n");
        assertEquals(List.of("hello", "world"), lines.take(2));
    }

    @Test
    void aFileInADirectoryThatAppearsLaterIsFound() throws Exception {
        Path log = dir.resolve("sub/deeper/app.log");
        follow(FileSource.Backend.AUTO, log, false, null);
        Files.createDirectories(log.getParent());
        append(log, "here\n");
        assertEquals(List.of("here"), lines.take(1));
        append(log, "again\n");
        assertEquals(List.of("again"), lines.take(1));
    }

    @ParameterizedTest
    @EnumSource(value = FileSource.Backend.class, names = {"AUTO", "POLLING"})
    void deletedAndCreatedAgain(FileSource.Backend backend) throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "before\n");
        follow(backend, log, false, null);
        assertEquals(List.of("before"), lines.take(1));
        Files.delete(log);
        assertEquals(List.of(), lines.rest(Duration.ofMillis(200)));
        append(log, "after\n");
        assertEquals(List.of("after"), lines.take(1));
        append(log, "more\n");
        assertEquals(List.of("more"), lines.take(1));
    }

    @Test
    void aWatchedDirectoryRemovedAndMadeAgain() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("var"));
        Path log = sub.resolve("app.log");
        append(log, "one\n");
        follow(FileSource.Backend.AUTO, log, false, null);
        assertEquals(List.of("one"), lines.take(1));
        Files.delete(log);
        Files.delete(sub);
        Files.createDirectories(sub);
        append(log, "two\n");
        assertEquals(List.of("two"), lines.take(1));
        append(log, "three\n");
        assertEquals(List.of("three"), lines.take(1));
    }

    @Test
    void removedPathsAreNoLongerRead() throws Exception {
        Path a = dir.resolve("a.log");
        Path b = dir.resolve("b.log");
        append(a, "");
        append(b, "");
        FileSource s = source(FileSource.Backend.AUTO);
        s.addPath(a, false, null);
        s.addPath(b, false, null);
        assertEquals(List.of(a, b), s.paths());
        s.start(lines);
        s.removePath(a);
        assertEquals(List.of(b), s.paths());
        append(a, "from a\n");
        append(b, "from b\n");
        assertEquals(List.of("from b"), lines.take(1));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(200)));
    }

    @Test
    void manyFilesEachDeliveredWithItsOrigin() throws Exception {
        FileSource s = source(FileSource.Backend.AUTO);
        int n = 60;
        for (int i = 0; i < n; i++) {
            Path d = Files.createDirectories(dir.resolve("d" + (i % 7)));
            s.addPath(d.resolve("f" + i + ".log"), false, null);
        }
        s.start(lines);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < n; i++) {
                append(dir.resolve("d" + (i % 7)).resolve("f" + i + ".log"), "line " + round + " of " + i + "\n");
            }
        }
        List<LogLine> got = lines.takeLines(3 * n);
        for (LogLine l : got) {
            String[] w = l.text().split(" ");
            assertTrue(l.origin().endsWith("/f" + w[3] + ".log"), l.toString());
        }
        for (int i = 0; i < n; i++) {
            String origin = dir.resolve("d" + (i % 7)).resolve("f" + i + ".log").toString();
            List<String> mine = got.stream().filter(l -> l.origin().equals(origin)).map(LogLine::text).toList();
            assertEquals(List.of("line 0 of " + i, "line 1 of " + i, "line 2 of " + i), mine);
        }
    }

    @Test
    void sharedWatcherServesSeveralSources() throws Exception {
        try (FileWatcher w = new FileWatcher()) {
            Collector other = new Collector();
            FileSource s1 = new FileSource(FileSource.Backend.AUTO, Clock.systemUTC(), w);
            FileSource s2 = new FileSource(FileSource.Backend.AUTO, Clock.systemUTC(), w);
            sources.add(s1);
            sources.add(s2);
            Path a = dir.resolve("a.log");
            Path b = dir.resolve("b.log");
            s1.addPath(a, false, null);
            s2.addPath(b, false, null);
            s1.start(lines);
            s2.start(other);
            append(a, "to one\n");
            append(b, "to two\n");
            assertEquals(List.of("to one"), lines.take(1));
            assertEquals(List.of("to two"), other.take(1));
            s1.close();
            append(b, "still two\n");
            assertEquals(List.of("still two"), other.take(1));
        }
    }

    @Test
    void aSymlinkedLogIsFollowedThroughItsTarget() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real")).resolve("app.log");
        append(real, "");
        Path links = Files.createDirectories(dir.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("app.log"), real);
        follow(FileSource.Backend.AUTO, link, false, null);
        append(real, "through the link\n");
        assertEquals(List.of("through the link"), lines.take(1));
    }

    @Test
    void closingReleasesFilesAndThread() throws Exception {
        Path log = dir.resolve("auth.log");
        append(log, "x\n");
        FileSource s = follow(FileSource.Backend.AUTO, log, false, null);
        lines.take(1);
        Thread t = s.thread();
        s.close();
        assertFalse(t.isAlive());
        assertEquals(List.of(), openFilesUnder(dir));
        s.addPath(dir.resolve("other.log"), false, null);
        assertEquals(List.of(), openFilesUnder(dir));
    }

    static List<String> openFilesUnder(Path d) throws IOException {
        List<String> open = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(d.toString())) {
                        open.add(target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return open;
    }

    @Test
    void seeksPastOldLinesOnAFirstReadFromTheHead() throws Exception {
        Path log = dir.resolve("big.log");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            sb.append(Integer.toString(1_000_000_000 + i).substring(1)).append(" some log line text\n");
        }
        append(log, sb.toString());
        FileSource s = source(FileSource.Backend.AUTO);
        // the "time" of a line is its number: lines before 150000 are too old
        s.seekOnStart(java.time.Instant.ofEpochSecond(150_000),
                line -> java.time.Instant.ofEpochSecond(Long.parseLong(line.substring(0, 9))));
        s.addPath(log, false, null);
        s.start(lines);
        int first = Integer.parseInt(lines.take(1).get(0).substring(0, 9));
        assertTrue(first <= 150_000 && first > 140_000, "started at " + first);
        List<String> got = lines.take(200_000 - first - 1);
        assertEquals(String.format("%09d some log line text", first + 1), got.get(0));
        assertEquals(String.format("%09d some log line text", 199_999), got.get(got.size() - 1));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(200)));
    }
}
