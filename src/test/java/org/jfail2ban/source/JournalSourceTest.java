package org.jfail2ban.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jfail2ban.source.JournalFiles.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal source on real journal files written by systemd-journal-remote. */
class JournalSourceTest {

    static final long T0 = 1_700_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(T0 + 300), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private final List<JournalSource> sources = new ArrayList<>();
    private final Collector lines = new Collector();
    private final List<JournalPosition> positions = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        sources.forEach(JournalSource::close);
    }

    private JournalSource source(Path journalDir) {
        JournalSource s = new JournalSource(CLOCK, "journalctl");
        s.setPath(journalDir);
        s.setPollInterval(Duration.ofMillis(50));
        s.onPosition(positions::add);
        sources.add(s);
        return s;
    }

    /** Writes one sshd entry to {@code file} in {@code j}, starts a source on {@code j} and reads it. */
    private JournalSource readOneEntry(Path j, String file) throws Exception {
        return readOneEntry(j, file, false);
    }

    /** The same, with the source following the directory, and these journal matches. */
    private JournalSource readOneEntry(Path j, String file, boolean follow, String... matches) throws Exception {
        JournalFiles.write(j.resolve(file), List.of(sshd(1, "one")));
        JournalSource s = source(j);
        s.followDirectory(follow);
        if (matches.length > 0) {
            s.addMatch(List.of(matches));
        }
        s.start(lines);
        assertEquals(List.of("srv sshd[1001]: one"), lines.take(1));
        return s;
    }

    static Entry sshd(int second, String message) {
        return Entry.at((T0 + second) * 1_000_000L).set("_HOSTNAME", "srv").set("_SYSTEMD_UNIT", "ssh.service")
                .set("_COMM", "sshd").set("SYSLOG_IDENTIFIER", "sshd").set("_PID", Integer.toString(1000 + second))
                .set("MESSAGE", message);
    }

    static Entry cron(int second, String message) {
        return Entry.at((T0 + second) * 1_000_000L).set("_HOSTNAME", "srv").set("_SYSTEMD_UNIT", "cron.service")
                .set("_COMM", "cron").set("SYSLOG_IDENTIFIER", "CRON").set("_PID", "77").set("MESSAGE", message);
    }

    @Test
    void matchesSelectOnlyTheirEntries() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(
                sshd(1, "Failed password for root from 192.0.2.1 port 22 ssh2"),
                cron(2, "(root) CMD (from 192.0.2.9)"),
                Entry.at((T0 + 3) * 1_000_000L).set("_HOSTNAME", "srv").set("_SYSTEMD_UNIT", "other.service")
                        .set("_COMM", "sshd").set("_PID", "5").set("MESSAGE", "sshd outside its unit"),
                Entry.at((T0 + 4) * 1_000_000L).set("_HOSTNAME", "srv").set("_SYSTEMD_UNIT", "ssh.service")
                        .set("_COMM", "sshd-session").set("_PID", "6").set("MESSAGE", "session in the unit"),
                sshd(5, "Invalid user admin from 192.0.2.2")));
        JournalSource s = source(j);
        s.addMatch(List.of("_SYSTEMD_UNIT=ssh.service", "+", "_COMM=sshd"));
        assertEquals(List.of(List.of("_SYSTEMD_UNIT=ssh.service"), List.of("_COMM=sshd")), s.matches());
        assertEquals("_SYSTEMD_UNIT=ssh.service + _COMM=sshd", s.describeMatches());
        s.start(lines);
        List<LogLine> got = lines.takeLines(4);
        assertEquals(List.of("srv sshd[1001]: Failed password for root from 192.0.2.1 port 22 ssh2",
                "srv sshd[5]: sshd outside its unit", "srv sshd-session[6]: session in the unit",
                "srv sshd[1005]: Invalid user admin from 192.0.2.2"), got.stream().map(LogLine::text).toList());
        assertEquals(Instant.ofEpochSecond(T0 + 1), got.get(0).time());
        assertEquals(JournalSource.ORIGIN, got.get(0).origin());
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void fieldsOfOneGroupMustAllHoldAndGroupsAddUp() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(
                sshd(1, "one"),
                Entry.at((T0 + 2) * 1_000_000L).set("_SYSTEMD_UNIT", "ssh.service").set("_COMM", "other")
                        .set("MESSAGE", "unit only"),
                cron(3, "cron line")));
        JournalSource s = source(j);
        s.addMatch(List.of("_SYSTEMD_UNIT=ssh.service", "_COMM=sshd"));
        s.addMatch(List.of("SYSLOG_IDENTIFIER=CRON"));
        s.start(lines);
        assertEquals(List.of("srv sshd[1001]: one", "srv CRON[77]: cron line"), lines.take(2));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void matchesCanBeRemovedAndChangedWhileRunning() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(1, "ssh one"), cron(2, "cron one")));
        JournalSource s = source(j);
        s.addMatch(List.of("_SYSTEMD_UNIT=ssh.service"));
        s.addMatch(List.of("_SYSTEMD_UNIT=cron.service"));
        s.start(lines);
        assertEquals(List.of("srv sshd[1001]: ssh one", "srv CRON[77]: cron one"), lines.take(2));
        s.removeMatch(List.of("_SYSTEMD_UNIT=cron.service"));
        assertThrows(IllegalArgumentException.class, () -> s.removeMatch(List.of("_SYSTEMD_UNIT=nope.service")));
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(3, "ssh two"), cron(4, "cron two")));
        assertEquals(List.of("srv sshd[1003]: ssh two"), lines.take(1));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
        s.clearMatches();
        JournalFiles.write(j.resolve("a.journal"), List.of(cron(5, "cron three")));
        assertEquals(List.of("cron two", "cron three"), lines.take(2).stream().map(l -> l.substring(l.indexOf(": ") + 2)).toList());
    }

    @Test
    void aMatchThatIsNotFieldEqualsValueIsRefused() {
        JournalSource s = new JournalSource();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.addMatch(List.of("_SYSTEMD_UNIT=ssh.service", "+", "sshd")));
        assertTrue(e.getMessage().contains("'sshd' is not FIELD=value"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.addMatch(List.of("lower=case")));
        assertEquals(List.of(), s.matches());
    }

    @Test
    void aRestartWithTheCursorDeliversNoEntryTwice() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(1, "one"), sshd(2, "two"), cron(3, "cron")));
        JournalSource first = source(j);
        first.addMatch(List.of("_SYSTEMD_UNIT=ssh.service"));
        first.start(lines);
        assertEquals(List.of("srv sshd[1001]: one", "srv sshd[1002]: two"), lines.take(2));
        JournalPosition last = awaitPosition(Instant.ofEpochSecond(T0 + 2));
        first.close();

        JournalFiles.write(j.resolve("b.journal"), List.of(sshd(4, "three"), sshd(5, "four")));
        JournalSource second = source(j);
        second.addMatch(List.of("_SYSTEMD_UNIT=ssh.service"));
        second.resumeAfter(last.cursor());
        second.start(lines);
        assertEquals(List.of("srv sshd[1004]: three", "srv sshd[1005]: four"), lines.take(2));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void aCursorOfAnEntryTheNewMatchesDoNotTakeLosesNothing() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(cron(1, "cron one"), sshd(2, "ssh one"), sshd(3, "ssh two")));
        JournalSource first = source(j);
        first.addMatch(List.of("_SYSTEMD_UNIT=cron.service"));
        first.start(lines);
        lines.take(1);
        JournalPosition last = awaitPosition(Instant.ofEpochSecond(T0 + 1));
        first.close();
        JournalSource second = source(j);
        second.addMatch(List.of("_SYSTEMD_UNIT=ssh.service"));
        second.resumeAfter(last.cursor());
        second.start(lines);
        assertEquals(List.of("srv sshd[1002]: ssh one", "srv sshd[1003]: ssh two"), lines.take(2));
    }

    @Test
    void anUnusableCursorFallsBackToFindtime() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(1, "one")));
        JournalSource s = source(j);
        s.resumeAfter("not-a-cursor");
        s.start(lines);
        assertEquals(List.of("srv sshd[1001]: one"), lines.take(1));
    }

    @Test
    void withoutCursorAtMostFindtimeIsReadBack() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(-3600, "an hour ago"), sshd(-601, "just too old"),
                sshd(-599, "inside findtime"), sshd(100, "recent")));
        JournalSource s = source(j);
        s.setFindTime(Duration.ofSeconds(900));
        s.start(lines);
        assertEquals(List.of("inside findtime", "recent"),
                lines.take(2).stream().map(l -> l.substring(l.indexOf(": ") + 2)).toList());
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void aCursorOlderThanFindtimeStartsAtFindtime() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(-2000, "old")));
        JournalSource first = source(j);
        first.setFindTime(Duration.ofDays(1));
        first.start(lines);
        lines.take(1);
        JournalPosition old = awaitPosition(Instant.ofEpochSecond(T0 - 2000));
        first.close();
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(-1900, "old too"), sshd(10, "new")));
        JournalSource second = source(j);
        second.resumeAfter(old.cursor());
        second.setFindTime(Duration.ofSeconds(600));
        second.start(lines);
        assertEquals(List.of("srv sshd[1010]: new"), lines.take(1));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void followsAppendedEntriesInANewFileOfTheDirectory() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        readOneEntry(j, "a.journal");
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(2, "two")));
        assertEquals(List.of("srv sshd[1002]: two"), lines.take(1));
        JournalFiles.write(j.resolve("b.journal"), List.of(sshd(3, "three")));
        assertEquals(List.of("srv sshd[1003]: three"), lines.take(1));
    }

    @Test
    void followModeSeesAppendedEntries() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalSource s = readOneEntry(j, "a.journal", true, "_COMM=sshd");
        JournalFiles.write(j.resolve("a.journal"), List.of(cron(2, "not me"), sshd(3, "three")));
        assertEquals(List.of("srv sshd[1003]: three"), lines.take(1));
        JournalFiles.write(j.resolve("b.journal"), List.of(sshd(4, "four")));
        assertEquals(List.of("srv sshd[1004]: four"), lines.take(1));
        // a change of matches restarts journalctl after the last entry read
        s.addMatch(List.of("_COMM=cron"));
        JournalFiles.write(j.resolve("b.journal"), List.of(cron(5, "cron five")));
        assertEquals(List.of("srv CRON[77]: cron five"), lines.take(1));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void aRotatedJournalIsFollowed() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        readOneEntry(j, "system.journal");
        // journald's rotation: the active file is renamed aside and a new one takes its name
        Files.move(j.resolve("system.journal"), j.resolve("system@0123-0001-0002.journal"));
        JournalFiles.write(j.resolve("system.journal"), List.of(sshd(2, "two"), sshd(3, "three")));
        assertEquals(List.of("srv sshd[1002]: two", "srv sshd[1003]: three"), lines.take(2));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void aVanishedJournalDirectoryIsFollowedWhenItComesBack() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        readOneEntry(j, "a.journal");
        Files.delete(j.resolve("a.journal"));
        Files.delete(j);
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
        Files.createDirectories(j);
        JournalFiles.write(j.resolve("c.journal"), List.of(sshd(7, "seven")));
        assertEquals(List.of("srv sshd[1007]: seven"), lines.take(1));
    }

    @Test
    void journalFilesByGlob() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("one.journal"), List.of(sshd(1, "from one")));
        JournalFiles.write(j.resolve("two.journal"), List.of(sshd(2, "from two")));
        JournalFiles.write(j.resolve("other.journal"), List.of(sshd(3, "from other")));
        JournalSource s = new JournalSource(CLOCK, "journalctl");
        sources.add(s);
        s.setPollInterval(Duration.ofMillis(50));
        s.setOption("journalfiles", j.resolve("one.journal") + " " + j.resolve("t*.journal"));
        s.start(lines);
        assertEquals(List.of("srv sshd[1001]: from one", "srv sshd[1002]: from two"), lines.take(2));
        JournalFiles.write(j.resolve("two.journal"), List.of(sshd(4, "two again")));
        assertEquals(List.of("srv sshd[1004]: two again"), lines.take(1));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void readAllReadsTheWholeJournalOnceAsFail2banRegexDoes() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(-86_400, "a day ago"), cron(1, "cron"), sshd(2, "now")));
        JournalSource s = new JournalSource(CLOCK, "journalctl");
        s.setOption("journalpath", j.toString());
        s.addMatch(List.of("_COMM=sshd"));
        List<String> got = new ArrayList<>();
        assertEquals(2, s.readAll(l -> got.add(l.text())));
        assertEquals(List.of("srv sshd[-85400]: a day ago", "srv sshd[1002]: now"), got);
        JournalSource bad = new JournalSource(CLOCK, "journalctl");
        bad.setOption("journalpath", j.toString());
        bad.resumeAfter("not-a-cursor");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> bad.readAll(l -> { }));
        assertTrue(e.getMessage().contains("cursor"), e.getMessage());
    }

    @Test
    void followModeResumesWithEveryEntryWrittenMeanwhile() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalSource first = readOneEntry(j, "a.journal", true);
        JournalPosition last = awaitPosition(Instant.ofEpochSecond(T0 + 1));
        first.close();
        // more entries than journalctl --follow shows of what is stored unless told --no-tail
        List<Entry> meanwhile = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 2; i < 27; i++) {
            meanwhile.add(sshd(i, "entry " + i));
            expected.add("srv sshd[" + (1000 + i) + "]: entry " + i);
        }
        JournalFiles.write(j.resolve("a.journal"), meanwhile);
        JournalSource second = source(j);
        second.followDirectory(true);
        second.resumeAfter(last.cursor());
        second.start(lines);
        assertEquals(expected, lines.take(expected.size()));
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
    }

    @Test
    void closingEndsJournalctlAndTheThread() throws Exception {
        Path j = Files.createDirectories(dir.resolve("j"));
        JournalSource s = readOneEntry(j, "a.journal");
        s.followDirectory(true);
        s.addMatch(List.of("_COMM=sshd"));
        JournalFiles.write(j.resolve("a.journal"), List.of(sshd(2, "two")));
        assertEquals(List.of("srv sshd[1002]: two"), lines.take(1));
        assertEquals(1, journalctls(), "one journalctl --follow runs");
        s.close();
        assertTrue(!s.thread().isAlive());
        assertEquals(0, journalctls());
    }

    private static long journalctls() {
        return ProcessHandle.current().children()
                .filter(p -> p.isAlive() && p.info().command().orElse("").endsWith("journalctl")).count();
    }

    @Test
    void aMissingJournalctlIsNoEndOfTheSource() throws Exception {
        JournalSource s = new JournalSource(CLOCK, dir.resolve("no-such-journalctl").toString());
        sources.add(s);
        s.start(lines);
        assertEquals(List.of(), lines.rest(Duration.ofMillis(300)));
        assertTrue(s.thread().isAlive());
        s.close();
        assertTrue(!s.thread().isAlive());
    }

    @Test
    void backendOptionsBecomeJournalctlArguments() {
        JournalSource s = new JournalSource(CLOCK, "journalctl");
        s.setOption("journalflags", "1");
        s.setOption("namespace", "web");
        s.addMatch(List.of("_SYSTEMD_UNIT=ssh.service", "_COMM=sshd", "+", "_COMM=sshd-session"));
        List<String> cmd = s.command(planOf(s), null);
        assertEquals(List.of("journalctl", "--output=export", "--output-fields=" + JournalEntry.outputFields(),
                "--no-pager", "--quiet", "--follow", "--no-tail", "--namespace=web", "--since=@1699999700.000000",
                "_SYSTEMD_UNIT=ssh.service", "_COMM=sshd", "+", "_COMM=sshd-session"), cmd);

        JournalSource d = new JournalSource(CLOCK, "journalctl");
        List<String> dflt = d.command(planOf(d), "s=1;i=2");
        assertEquals(List.of("--system", "--merge", "--cursor=s=1;i=2"), dflt.subList(dflt.size() - 3, dflt.size()));

        JournalSource r = new JournalSource(CLOCK, "journalctl");
        r.setOption("journalpath", "/srv/machine");
        r.setOption("journalflags", "16");
        assertTrue(r.command(planOf(r), null).contains("--root=/srv/machine"));
        assertThrows(IllegalArgumentException.class, () -> r.setOption("journalflags", "many"));
        assertThrows(IllegalArgumentException.class, () -> r.setOption("journalmode", "x"));
    }

    private static JournalSource.Plan planOf(JournalSource s) {
        return s.plan();
    }

    @Test
    void cursorsCarryTheirTime() {
        assertEquals(Instant.ofEpochSecond(1_700_000_000L),
                JournalSource.cursorTime("s=6436;i=1;b=0123;m=bc614e;t=60a24181e4000;x=a36d"));
        assertEquals(null, JournalSource.cursorTime("garbage"));
    }

    private JournalPosition awaitPosition(Instant time) throws InterruptedException {
        long deadline = System.nanoTime() + Collector.PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            for (JournalPosition p : positions) {
                if (time.equals(p.time())) {
                    return p;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no position at " + time + " in " + positions);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
