package org.jfail2ban.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jfail2ban.filter.IpAddr;
import org.junit.jupiter.api.Test;

class BanLedgerTest {

    private static final long T0 = 1_700_000_000_000L;
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneId.of("UTC"));

    private static Ticket ticket(String ip, long time) {
        return Ticket.manual(ip, IpAddr.parse(ip), time);
    }

    @Test
    void knowsWhichJailsHoldAnAddress() {
        BanLedger l = new BanLedger(clock);
        assertTrue(l.add("sshd", ticket("192.0.2.1", T0)).isNew());
        assertTrue(l.add("recidive", ticket("192.0.2.1", T0)).isNew());
        assertEquals(Set.of("sshd", "recidive"), l.jailsHolding("192.0.2.1"));
        l.remove("sshd", "192.0.2.1");
        assertEquals(Set.of("recidive"), l.jailsHolding("192.0.2.1"));
        l.remove("recidive", "192.0.2.1");
        assertEquals(Set.of(), l.jailsHolding("192.0.2.1"));
    }

    @Test
    void aLaterTicketProlongsTheBanItDoesNotDuplicateIt() {
        BanLedger l = new BanLedger(clock);
        l.setJailBanTime("sshd", 600);
        Ban first = l.add("sshd", ticket("192.0.2.1", T0)).ban();
        BanLedger.Added again = l.add("sshd", ticket("192.0.2.1", T0 + 100_000));
        assertFalse(again.isNew());
        assertTrue(again.prolonged());
        assertSame(first, again.ban());
        assertEquals(T0 + 700_000, first.end());
        assertEquals(1, l.count("sshd"));
    }

    @Test
    void bansFollowTheJailsBantimeUntilProlonged() {
        BanLedger l = new BanLedger(clock);
        l.setJailBanTime("sshd", 600);
        Ban b = l.add("sshd", ticket("192.0.2.1", T0)).ban();
        l.setJailBanTime("sshd", 60);
        assertEquals(T0 + 60_000, b.end());
        l.setJailBanTime("sshd", -1);
        assertEquals(Long.MAX_VALUE, b.end());
        Ban own = l.add("sshd", ticket("192.0.2.2", T0).withBanTime(30, 0)).ban();
        l.setJailBanTime("sshd", 600);
        assertEquals(T0 + 30_000, own.end());
    }

    @Test
    void dueBansAreThoseWhoseEndHasPassed() {
        BanLedger l = new BanLedger(clock);
        l.setJailBanTime("j", 10);
        l.add("j", ticket("192.0.2.1", T0));
        l.add("j", ticket("192.0.2.2", T0 + 5000));
        assertEquals(List.of(), l.due(T0 + 10_000));
        assertEquals("192.0.2.1", l.due(T0 + 10_001).get(0).id());
        assertNull(l.removeIfDue("j", "192.0.2.2", T0 + 10_001));
        assertEquals("192.0.2.2", l.removeIfDue("j", "192.0.2.2", T0 + 15_001).id());
        assertEquals(1, l.bans("j").size());
    }

    @Test
    void bansLiftedByHandDoNotPileUpInTheExpiryQueue() {
        BanLedger l = new BanLedger(clock);
        l.setJailBanTime("j", 600);
        l.add("j", ticket("192.0.2.1", T0));
        for (int i = 0; i < 10_000; i++) {
            String ip = "10.0." + (i >> 8) + "." + (i & 255);
            l.add("j", ticket(ip, T0));
            l.remove("j", ip);
        }
        assertTrue(l.queued() <= 2050, "queue holds " + l.queued());
        assertEquals(List.of(), l.due(T0 + 600_000));
        assertEquals("192.0.2.1", l.due(T0 + 600_001).get(0).id());
    }

    @Test
    void theSchedulerHandsOverEachBanWhenItsTimeIsUp() throws Exception {
        BanLedger l = new BanLedger(Clock.systemUTC());
        BlockingQueue<Ban> due = new LinkedBlockingQueue<>();
        l.start(due::add);
        try {
            long now = System.currentTimeMillis();
            l.setJailBanTime("j", 1);
            l.add("j", ticket("192.0.2.1", now));
            l.add("j", ticket("192.0.2.2", now - 900));
            l.add("j", ticket("192.0.2.3", now).withBanTime(-1, 0));
            Ban first = due.poll(60, TimeUnit.SECONDS);
            Ban second = due.poll(60, TimeUnit.SECONDS);
            assertEquals("192.0.2.2", first.id());
            assertEquals("192.0.2.1", second.id());
            assertNull(due.poll(200, TimeUnit.MILLISECONDS), "a permanent ban is never due");
        } finally {
            l.close();
        }
    }
}
