package org.jfail2ban.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures counted before a restart still count after it; concurrent writers all land. */
class FailuresTest {

    static final long T0 = 1_700_000_000L;

    @TempDir
    Path dir;
    TestClock clock = new TestClock(T0);

    static FailureRecord failure(String id, long first, long last, int retry, String... lines) {
        return new FailureRecord(id, Instant.ofEpochSecond(first), Instant.ofEpochSecond(last), retry,
                BanData.of(retry, List.of(lines)));
    }

    @Test
    void failuresInsideFindtimeAreThereAfterARestart() {
        Path file = dir.resolve("fail2ban.sqlite3");
        try (Database db = Database.open(file, clock)) {
            db.commit(new Changes()
                    .putFailure("sshd", failure("192.0.2.1", T0 - 500, T0 - 400, 1, "one"))
                    .putFailure("sshd", failure("192.0.2.1", T0 - 500, T0 - 100, 2, "one", "two"))
                    .putFailure("sshd", failure("192.0.2.2", T0 - 900, T0 - 700, 4, "old"))
                    .putFailure("sshd", failure("192.0.2.3", T0 - 50, T0 - 50, 1, "three"))
                    .putFailure("apache", failure("192.0.2.1", T0 - 10, T0 - 10, 1, "apache")));
        }
        try (Database db = Database.open(file, clock)) {
            // findtime 600: 192.0.2.2's last failure is older and is forgotten
            List<FailureRecord> sshd = db.failures("sshd", Instant.ofEpochSecond(T0 - 600));
            assertEquals(List.of(failure("192.0.2.1", T0 - 500, T0 - 100, 2, "one", "two"),
                    failure("192.0.2.3", T0 - 50, T0 - 50, 1, "three")), sshd);
            assertEquals(List.of("192.0.2.1", "192.0.2.3"),
                    db.failures("sshd", Instant.ofEpochSecond(T0 - 3600)).stream().map(FailureRecord::id).toList(),
                    "the old one was deleted on the first load");
            assertEquals(1, db.failures("apache", Instant.ofEpochSecond(T0 - 600)).size());
        }
    }

    @Test
    void aBanUsesUpTheFailuresOfItsIdInItsJail() {
        try (Database db = Database.open(dir.resolve("f.sqlite3"), clock)) {
            db.commit(new Changes()
                    .putFailure("sshd", failure("192.0.2.1", T0 - 50, T0 - 5, 4, "a", "b", "c", "d"))
                    .putFailure("sshd", failure("192.0.2.2", T0 - 50, T0 - 5, 1, "x"))
                    .putFailure("apache", failure("192.0.2.1", T0 - 50, T0 - 5, 1, "y")));
            db.addBan(new BanRecord("sshd", "192.0.2.1", Instant.ofEpochSecond(T0), 600, 1, BanData.of(5, List.of("e"))));
            assertEquals(List.of("192.0.2.2"),
                    db.failures("sshd", Instant.ofEpochSecond(T0 - 600)).stream().map(FailureRecord::id).toList());
            assertEquals(List.of("192.0.2.1"),
                    db.failures("apache", Instant.ofEpochSecond(T0 - 600)).stream().map(FailureRecord::id).toList());
            db.commit(new Changes().dropFailure("sshd", "192.0.2.2"));
            assertEquals(List.of(), db.failures("sshd", Instant.ofEpochSecond(T0 - 600)));
        }
    }

    @Test
    void failureMatchesAreCutAndOldRecordsPurged() {
        try (Database db = Database.open(dir.resolve("f.sqlite3"), clock)) {
            db.setMaxMatches(2);
            db.commit(new Changes().putFailure("sshd", failure("192.0.2.1", T0 - 50, T0 - 5, 3, "a", "b", "c")));
            FailureRecord f = db.failures("sshd", Instant.ofEpochSecond(T0 - 600)).get(0);
            assertEquals(List.of("b", "c"), f.data().matches());
            assertEquals(3, f.retry());
            clock.set(T0 + 86400);
            db.purge();
            assertEquals(List.of(), db.failures("sshd", Instant.ofEpochSecond(0)), "older than dbpurgeage");
        }
    }

    @Test
    void bansFromManyThreadsAtOnceAllLand() throws Exception {
        Path file = dir.resolve("fail2ban.sqlite3");
        int threads = 8;
        int each = 300;
        try (Database db = Database.open(file, clock)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        db.addBan(new BanRecord("jail" + thread, "10." + thread + "." + (i / 256) + "." + (i % 256),
                                clock.instant(), 600, 1, BanData.of(1, List.of("line " + i))));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
        }
        try (Database db = Database.open(file, clock)) {
            int total = 0;
            for (int t = 0; t < threads; t++) {
                List<BanRecord> bans = db.currentBans("jail" + t, clock.instant(), 600, -1);
                assertEquals(each, bans.size());
                total += bans.size();
            }
            assertEquals(threads * each, total);
            assertTrue(db.jailNames(true).contains("jail7"));
        }
    }
}
