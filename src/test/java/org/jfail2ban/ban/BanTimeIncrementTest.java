package org.jfail2ban.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jfail2ban.store.BanData;
import org.jfail2ban.store.BanHistory;
import org.jfail2ban.store.BanRecord;
import org.jfail2ban.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cases of fail2ban's ban-time increment. Spans are given in seconds: reading {@code 1d} or
 * {@code 12h} is the configuration's {@code TimeSpan}, tested there.
 */
class BanTimeIncrementTest {

    final Random random = new Random(42);

    List<Long> series(BanTimeIncrement b, double banTime) {
        List<Long> out = new ArrayList<>();
        for (int count = 1; count <= 10; count++) {
            out.add((long) b.calcBanTime(banTime, count, random));
        }
        return out;
    }

    void defaultGrowth(String multipliers) {
        BanTimeIncrement b = BanTimeIncrement.NONE.with("increment", "true").with("maxtime", "86400")
                .with("rndtime", null).with("factor", null).with("multipliers", multipliers);
        assertEquals(true, b.get("increment"));
        assertEquals(86400L, b.get("maxtime"));
        assertEquals(List.of(1200L, 2400L, 4800L, 9600L, 19200L, 38400L, 76800L, 86400L, 86400L, 86400L), series(b, 600));

        b = b.with("maxtime", "2592000");
        List<Long> grows = List.of(1200L, 2400L, 4800L, 9600L, 19200L, 38400L, 76800L, 153600L, 307200L, 614400L);
        if (multipliers != null) {
            int n = multipliers.split(" ").length;
            if (n < 11) {
                // the last multiplier holds for every count past it
                List<Long> held = new ArrayList<>(grows.subList(0, n - 1));
                while (held.size() < 10) {
                    held.add(grows.get(n - 2));
                }
                grows = held;
            }
        }
        assertEquals(grows, series(b, 600));

        b = b.with("maxtime", "86400").with("factor", "2");
        assertEquals(List.of(2400L, 4800L, 9600L, 19200L, 38400L, 76800L, 86400L, 86400L, 86400L, 86400L), series(b, 600));
        b = b.with("factor", "1.33");
        assertEquals(List.of(1596L, 3192L, 6384L, 12768L, 25536L, 51072L, 86400L, 86400L, 86400L, 86400L), series(b, 600));
        b = b.with("factor", null).with("maxtime", "43200");
        assertEquals(List.of(1200L, 2400L, 4800L, 9600L, 19200L, 38400L, 43200L, 43200L, 43200L, 43200L), series(b, 600));

        b = b.with("maxtime", "86400").with("rndtime", "300");
        assertEquals(300L, b.get("rndtime"));
        List<Double> rnd = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rnd.add(b.calcBanTime(600, 1, random));
        }
        assertTrue(rnd.stream().allMatch(t -> t >= 1200 && t < 1500), rnd.toString());
        assertTrue(rnd.stream().anyMatch(t -> t != 1200), "the random part shows");
        b = b.with("rndtime", null);
        for (int i = 0; i < 10; i++) {
            assertEquals(1200.0, b.calcBanTime(600, 1, random));
        }
    }

    @Test
    void theDefaultFormulaDoublesUpToMaxtime() {
        defaultGrowth(null);
    }

    @Test
    void multipliersGrowTheSameAndStopAtTheLastOne() {
        defaultGrowth("1 2 4 8 16 32 64 128 256");
        defaultGrowth(IntStream.range(0, 31).mapToObj(i -> String.valueOf(1L << i)).collect(Collectors.joining(" ")));
    }

    @Test
    void anExponentialFormulaFromTheStockJailConf() {
        BanTimeIncrement b = BanTimeIncrement.NONE.with("maxtime", "86400").with("rndtime", null)
                .with("formula", "ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)")
                .with("factor", "2.0 / 2.885385").with("multipliers", null);
        assertEquals(List.of(1200L, 2400L, 4800L, 9600L, 19200L, 38400L, 76800L, 86400L, 86400L, 86400L), series(b, 600));
        b = b.with("maxtime", "2592000");
        assertEquals(List.of(1200L, 2400L, 4800L, 9600L, 19200L, 38400L, 76800L, 153601L, 307203L, 614407L), series(b, 600));
        b = b.with("maxtime", "86400").with("factor", "1");
        assertEquals(List.of(1630L, 4433L, 12051L, 32758L, 86400L, 86400L, 86400L, 86400L, 86400L, 86400L), series(b, 600));
        b = b.with("factor", "2.0 / 2.885385").with("maxtime", "43200");
        assertEquals(List.of(1200L, 2400L, 4800L, 9600L, 19200L, 38400L, 43200L, 43200L, 43200L, 43200L), series(b, 600));
    }

    @Test
    void aFormulaNeverGivesLessThanTheBanTimeButMultipliersMay() {
        BanTimeIncrement f = BanTimeIncrement.NONE.with("formula", "ban.Time / 4");
        assertEquals(600.0, f.calcBanTime(600, 3, random));
        BanTimeIncrement m = BanTimeIncrement.NONE.with("multipliers", "1 0.5".replace("0.5", "0"));
        assertEquals(0.0, m.calcBanTime(600, 3, random));
    }

    @Test
    void repeatOffendersGetLongerBansFromTheStore(@TempDir Path dir) {
        long stime = 1_700_000_000L;
        Clock clock = Clock.fixed(Instant.ofEpochSecond(stime), ZoneOffset.UTC);
        BanTimeIncrement b = BanTimeIncrement.NONE.with("increment", "true")
                .with("multipliers", "1 2 4 8 16 32 64 128 256 512 1024 2048");
        String ip = "192.0.2.1";
        try (Database db = Database.open(dir.resolve("fail2ban.sqlite3"), clock)) {
            db.addJail("sshd");
            // never banned: the jail's ban time, count 1
            for (int i = 0; i < 3; i++) {
                assertEquals(new BanTimeIncrement.NewBan(10, 1),
                        b.newBan(10, db.banHistory(ip, "sshd", b.overallJails()).orElse(null), random));
            }
            db.addBan(new BanRecord("sshd", ip, Instant.ofEpochSecond(stime), 10, 1, BanData.EMPTY));
            assertEquals(new BanHistory(1, Instant.ofEpochSecond(stime), 10), db.banHistory(ip, "sshd", false).orElseThrow());

            long time = stime + 15;
            BanTimeIncrement.NewBan next = b.newBan(10, db.banHistory(ip, "sshd", false).orElseThrow(), random);
            assertEquals(new BanTimeIncrement.NewBan(20, 2), next);
            db.addBan(new BanRecord("sshd", ip, Instant.ofEpochSecond(time), next.banTime(), next.banCount(), BanData.EMPTY));
            assertEquals(new BanHistory(2, Instant.ofEpochSecond(time), 20), db.banHistory(ip, "sshd", true).orElseThrow());

            long last = 20;
            for (int i = 0; i < 10; i++) {
                time = stime + last + 5;
                next = b.newBan(10, db.banHistory(ip, "sshd", false).orElseThrow(), random);
                assertEquals(last * 2, next.banTime());
                db.addBan(new BanRecord("sshd", ip, Instant.ofEpochSecond(time), next.banTime(), next.banCount(), BanData.EMPTY));
                last = next.banTime();
            }
            // the last multiplier is reached: no more growth
            next = b.newBan(10, db.banHistory(ip, "sshd", false).orElseThrow(), random);
            assertEquals(new BanTimeIncrement.NewBan(last, 13), next);

            // another jail: counted apart, unless overalljails
            db.addBan(new BanRecord("recidive", ip, Instant.ofEpochSecond(time), 10, 1, BanData.EMPTY));
            assertEquals(new BanTimeIncrement.NewBan(20, 2), b.newBan(10, db.banHistory(ip, "recidive", false).orElseThrow(), random));
            BanTimeIncrement all = b.with("overalljails", "true");
            BanHistory summed = db.banHistory(ip, "recidive", all.overallJails()).orElseThrow();
            assertEquals(13, summed.banCount());
            assertEquals(new BanTimeIncrement.NewBan(20480, 14), all.newBan(10, summed, random));
        }
    }

    @Test
    void withoutIncrementOrForAPermanentBanNothingGrows() {
        BanHistory h = new BanHistory(5, Instant.ofEpochSecond(0), 600);
        assertEquals(new BanTimeIncrement.NewBan(600, 1), BanTimeIncrement.NONE.newBan(600, h, random));
        BanTimeIncrement on = BanTimeIncrement.NONE.with("bantime.increment", "yes");
        assertEquals(new BanTimeIncrement.NewBan(-1, 1), on.newBan(-1, h, random));
        assertEquals(new BanTimeIncrement.NewBan(600 * 32, 6), on.newBan(600, h, random));
        assertEquals(new BanTimeIncrement.NewBan(600, 1), on.newBan(600, null, random));
    }

    @Test
    void aFormulaThatFailsAtABanFallsBackToTheBanTime() {
        BanTimeIncrement b = BanTimeIncrement.NONE.with("increment", "true").with("formula", "ban.Time * 10 // (ban.Count - 1)");
        assertEquals(new BanTimeIncrement.NewBan(600, 2), b.newBan(600, new BanHistory(1, Instant.EPOCH, 600), random));
        assertEquals(new BanTimeIncrement.NewBan(6000, 3), b.newBan(600, new BanHistory(2, Instant.EPOCH, 600), random));
        BanTimeFormula.FormulaException e = assertThrows(BanTimeFormula.FormulaException.class,
                () -> b.calcBanTime(600, 1, random));
        assertEquals("bantime.formula \"ban.Time * 10 // (ban.Count - 1)\": integer division or modulo by zero", e.getMessage());
    }

    @Test
    void maxBanTimeIsMaxtimeWithIncrementElseTheBanTime() {
        assertEquals(600, BanTimeIncrement.NONE.maxBanTime(600));
        assertEquals(600, BanTimeIncrement.NONE.with("maxtime", "604800").maxBanTime(600));
        BanTimeIncrement on = BanTimeIncrement.NONE.with("increment", "true");
        assertEquals(-1, on.maxBanTime(600));
        assertEquals(604800, on.with("maxtime", "604800").maxBanTime(600));
    }

    @Test
    void aKnownBadIdCountsMorePerFailure() {
        assertEquals(1, BanTimeIncrement.failureWeight(0, 5));
        assertEquals(List.of(2, 3, 5, 9, 17, 33), IntStream.rangeClosed(1, 6)
                .mapToObj(n -> BanTimeIncrement.failureWeight(n, 100)).toList());
        assertEquals(5, BanTimeIncrement.failureWeight(4, 5));
        assertEquals(5, BanTimeIncrement.failureWeight(40, 5));
    }

    @Test
    void settingsAreCheckedWhenSet() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BanTimeIncrement.NONE.with("formula", "ban.Time * (1 << ban.Count) * bantime"));
        assertEquals("bantime.formula \"ban.Time * (1 << ban.Count) * bantime\": unknown name 'bantime' at position 31",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BanTimeIncrement.NONE.with("factor", "2 +"));
        assertEquals("bantime.factor \"2 +\": the expression ends too early at position 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BanTimeIncrement.NONE.with("factor", "ban.Time"));
        assertEquals("bantime.factor \"ban.Time\": unknown name 'ban.Time' at position 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BanTimeIncrement.NONE.with("multipliers", "1 2 x"));
        assertEquals("bantime.multipliers \"1 2 x\": 'x' is not a whole number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BanTimeIncrement.NONE.with("increment", "maybe"));
        assertTrue(e.getMessage().contains("maybe"));
        e = assertThrows(IllegalArgumentException.class, () -> BanTimeIncrement.NONE.with("bantime.speed", "1"));
        assertTrue(e.getMessage().startsWith("unknown option bantime.speed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BanTimeIncrement.NONE.with("maxtime", "soon"));
        assertTrue(e.getMessage().startsWith("bantime.maxtime: "), e.getMessage());
    }

    @Test
    void getAnswersWhatWasSet() {
        BanTimeIncrement b = BanTimeIncrement.NONE;
        assertNull(b.get("increment"));
        assertNull(b.get("bantime.formula"));
        b = b.with("increment", "true").with("factor", "2").with("formula", BanTimeIncrement.DEFAULT_FORMULA)
                .with("multipliers", "1 5 30").with("maxtime", "5400.0").with("overalljails", "false");
        assertEquals(true, b.get("increment"));
        assertEquals("2", b.get("factor"));
        assertEquals(BanTimeIncrement.DEFAULT_FORMULA, b.get("formula"));
        assertEquals("1 5 30", b.get("multipliers"));
        assertEquals(5400L, b.get("maxtime"), "whole seconds answer as an integer");
        assertEquals(false, b.get("overalljails"));
        assertFalse(b.overallJails());
        b = b.with("increment", "");
        assertEquals(false, b.get("increment"));
        assertFalse(b.enabled());
    }
}
