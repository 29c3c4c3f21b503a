package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The datepattern directives: names as fail2ban-regex prints them, and the %ExY window. */
class StrptimeTest {

    @Test
    void yearWindowRunsFrom2000ToThreeYearsAhead() {
        assertEquals("20[012]", Strptime.yearPrefixes(2026));
        assertEquals("20[0123]", Strptime.yearPrefixes(2027));
        assertEquals("200", Strptime.yearPrefixes(2005));
        assertEquals("20[01]", Strptime.yearPrefixes(2007));
        assertEquals("(?:199|200)", Strptime.yearPrefixes(1999));
        assertEquals("2(?:00|01|02|03|04|05|06|07|08|09|10|11|12|13|14|15)", Strptime.yearPrefixes(2150));
    }

    @Test
    void namesAsFail2banPrintsThem() {
        Strptime s = new Strptime(2026);
        assertEquals("(?:DAY )?MON Day %k:Minute:Second(?:\\.Microseconds)?(?: ExYear)?",
                s.translate("(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?").name());
        assertEquals("ExYear2ExMonthExDay Ex24hourExMinuteExSecond", s.translate("%Exy%Exm%Exd %ExH%ExM%ExS").name());
        assertEquals("Zone offset Zone name ExZone offset ExZone name", s.translate("%z %Z %Exz %ExZ").name());
        assertEquals("DAYNAME MONTH 12hour AMPM Yearday Yearweek Weekday Year2 Year %l Ex%k Ex%l",
                s.translate("%A %B %I %p %j %U %w %y %Y %l %Exk %Exl").name());
        assertEquals("100% at 24hour", s.translate("100%% at %H").name());
        assertEquals("ExYear", s.translate("%(ExY)s").name(), "Python's mapping form of a directive");
    }

    @Test
    void regexes() {
        Strptime s = new Strptime(2026);
        assertEquals("(?P<Y>20[012]\\d)-(?P<m>0[1-9]|1[0-2])", s.translate("%ExY-%Exm").regex());
        assertEquals(" ?(?P<H>[0-2]?\\d):(?P<M>[0-5]?\\d)", s.translate("%k:%M").regex());
        assertEquals("(?P<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})?)", s.translate("%z").regex());
    }

    @Test
    void aPercentThatStartsNoDirectiveIsAnError() {
        Strptime s = new Strptime(2026);
        for (String bad : new String[] {"%q", "%", "abc%", "%s", "%Ex", "%(foo)s", "% d"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.translate(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}
