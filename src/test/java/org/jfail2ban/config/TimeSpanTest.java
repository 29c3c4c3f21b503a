package org.jfail2ban.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimeSpanTest {

    @Test
    void theSpansOfTheIssue() {
        assertEquals(600.0, TimeSpan.seconds("600"));
        assertEquals(600.0, TimeSpan.seconds("10m"));
        assertEquals(5400.0, TimeSpan.seconds("1h 30m"));
        assertEquals(129600.0, TimeSpan.seconds("1d12h"));
        assertEquals(604800.0, TimeSpan.seconds("1w"));
        assertEquals(2629800.0, TimeSpan.seconds("1mo"));
        assertEquals(31557600.0, TimeSpan.seconds("1y"));
        assertEquals(-1.0, TimeSpan.seconds("-1"));
    }

    @Test
    void wholeNumbersStayWholeAndMonthsAndYearsAreFractional() {
        assertEquals(600L, TimeSpan.evaluate("10m"));
        assertEquals(2629800.0, TimeSpan.evaluate("1mo"));
        assertEquals(5400.0, TimeSpan.evaluate("1.5h"));
        assertEquals(15778800.0, TimeSpan.evaluate("1year-6mo"));
        assertEquals(5400L, TimeSpan.evaluate("1hour+30min"));
    }

    @Test
    void longNamesAndCase() {
        assertEquals(172800L, TimeSpan.evaluate("2 days"));
        assertEquals(7200L, TimeSpan.evaluate("2H"));
        assertEquals(300L, TimeSpan.evaluate("5 minutes"));
        assertEquals(3L, TimeSpan.evaluate("3 sec"));
        assertEquals(1209600L, TimeSpan.evaluate("2weeks"));
    }

    @Test
    void nonsenseIsRefusedWithTheText() {
        for (String bad : new String[] {"", "ten minutes", "10 minuets", "1 fortnight", "010", "1e3", "1 2 3", "5/0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeSpan.evaluate(bad), bad);
            assertTrue(e.getMessage().startsWith("Wrong time span '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void formatsShortReadableSpans() {
        assertEquals("1y 3w 4d", TimeSpan.format(86400 * 390));
        assertEquals("1y 3d", TimeSpan.format(86400 * 368));
        assertEquals("1y 1d", TimeSpan.format(86400 * 365.5)); // 365.5 days round to 366, as in fail2ban
        assertEquals("2d 7h 15m", TimeSpan.format(86400 * 2 + 3600 * 7 + 60 * 15));
        assertEquals("2d 1h", TimeSpan.format(86400 * 2 + 3599));
        assertEquals("1h", TimeSpan.format(3600 - 5));
        assertEquals("59m 50s", TimeSpan.format(3600 - 10));
        assertEquals("59s", TimeSpan.format(59));
        assertEquals("10m", TimeSpan.format(600));
        assertEquals("1w", TimeSpan.format(604800));
        assertEquals("0", TimeSpan.format(0));
    }
}
