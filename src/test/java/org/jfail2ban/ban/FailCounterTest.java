package org.jfail2ban.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.jfail2ban.filter.IpAddr;
import org.junit.jupiter.api.Test;

class FailCounterTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final IpAddr IP = IpAddr.parse("192.0.2.1");

    private static Ticket fail(FailCounter c, long t, String line) {
        return c.add("192.0.2.1", IP, t, List.of(line), Map.of("user", "root"), 1, t);
    }

    @Test
    void theFailureReachingMaxretryGivesATicketAndTheIdIsForgotten() {
        FailCounter c = new FailCounter();
        c.setMaxRetry(3);
        assertNull(fail(c, T0, "a"));
        assertNull(fail(c, T0 + 1000, "b"));
        Ticket t = fail(c, T0 + 2000, "c");
        assertNotNull(t);
        assertEquals("192.0.2.1", t.id());
        assertEquals(T0 + 2000, t.time());
        assertEquals(3, t.attempts());
        assertEquals(3, t.failures());
        assertEquals(List.of("a", "b", "c"), t.matches());
        assertEquals("root", t.tags().get("user"));
        assertEquals(0, c.size(T0 + 2000));
        assertEquals(3, c.total());
    }

    @Test
    void maxmatchesKeepsTheLatestLines() {
        FailCounter c = new FailCounter();
        c.setMaxRetry(5);
        c.setMaxMatches(2);
        for (int i = 0; i < 4; i++) {
            fail(c, T0 + i, "l" + i);
        }
        assertEquals(List.of("l3", "l4"), fail(c, T0 + 4, "l4").matches());
        c.setMaxMatches(0);
        for (int i = 0; i < 4; i++) {
            fail(c, T0 + i, "l" + i);
        }
        assertEquals(List.of(), fail(c, T0 + 4, "l4").matches());
    }

    @Test
    void failuresOlderThanFindtimeAreForgotten() {
        FailCounter c = new FailCounter();
        c.setMaxRetry(3);
        c.setFindTime(600);
        fail(c, T0, "a");
        fail(c, T0 + 1000, "b");
        assertEquals(1, c.size(T0 + 1000));
        assertEquals(0, c.size(T0 + 601_000 + 1));
        assertNull(fail(c, T0 + 700_000, "c"));
    }

    @Test
    void aSlowAttackerIsCountedAtItsRateInsideTheWindow() {
        // fail2ban's rule: 2 failures spread over 1200 s scale to 1 per 600 s window
        FailCounter c = new FailCounter();
        c.setMaxRetry(3);
        c.setFindTime(600);
        c.add("x", null, T0, List.of(), Map.of(), 1, T0);
        c.add("x", null, T0 + 500_000, List.of(), Map.of(), 1, T0 + 500_000);
        assertEquals(2, c.attempts("x"));
        assertNull(c.add("x", null, T0 + 1_000_000, List.of(), Map.of(), 1, T0 + 1_000_000));
        // 2 / 1000 s * 600 s = 1.2, rounded to 1, plus this one
        assertEquals(2, c.attempts("x"));
    }

    @Test
    void aManualAttemptWithLinesCountsEachLine() {
        FailCounter c = new FailCounter();
        c.setMaxRetry(3);
        assertNull(c.add("x", null, T0, List.of("1", "2"), Map.of(), 2, T0));
        Ticket t = c.add("x", null, T0, List.of("3"), Map.of(), 1, T0);
        assertNotNull(t);
        assertEquals(2, t.failures());
        assertEquals(2, c.total());
    }
}
