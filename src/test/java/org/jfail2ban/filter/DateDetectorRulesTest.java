package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a sysadmin relies on beyond fail2ban's own test cases. */
class DateDetectorRulesTest {

    private static DateDetector detector(Clock clock, String pattern) {
        DateDetector d = new DateDetector(clock);
        d.setPattern(pattern);
        return d;
    }

    private static Instant at(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(TimeZoneSamples.zone()).toInstant();
    }

    @Test
    void yearlessDatesAreThisYearUnlessMoreThanADayAhead() {
        DateDetector d = detector(TimeZoneSamples.clock(), null); // now: 2005-08-14 12:00
        assertEquals(at("2005-08-15T11:00:00"), d.match("Aug 15 11:00:00 host x").time(), "23 h ahead: this year");
        assertEquals(at("2004-08-15T13:00:00"), d.match("Aug 15 13:00:00 host x").time(), "25 h ahead: last year");
        assertEquals(at("2005-01-02T03:04:05"), d.match("Jan  2 03:04:05 host x").time());
        DateDetector newYear = detector(TimeZoneSamples.clock(at("2006-01-01T00:10:00")), null);
        assertEquals(at("2005-12-31T23:59:00"), newYear.match("Dec 31 23:59:00 host x").time(), "a December line read in January");
    }

    @Test
    void timeOnlyIsTodayOrYesterday() {
        DateDetector d = detector(TimeZoneSamples.clock(), "{^LN-BEG}%H:%M:%S");
        assertEquals(at("2005-08-14T11:59:00"), d.match("11:59:00 x").time());
        assertEquals(at("2005-08-13T12:01:00"), d.match("12:01:00 x").time(), "still ahead of now: yesterday");
    }

    @Test
    void twoDigitYearsAreThisCentury() {
        DateDetector d = detector(TimeZoneSamples.clock(), null);
        assertEquals(at("2013-03-22T11:46:11"), d.match("130322 11:46:11 mysqld x").time());
        assertEquals(at("2000-03-22T11:46:11"), d.match("000322 11:46:11 mysqld x").time());
    }

    @Test
    void impossibleDatesAreFoundButGiveNoTime() {
        DateDetector d = detector(TimeZoneSamples.clock(), null);
        DateMatch m = d.match("2005-02-30 10:00:00 sshd: x");
        assertNotNull(m);
        assertNull(m.time());
        assertEquals(0, m.start());
        assertEquals(19, m.end(), "the text is still cut out of the line");
        assertNull(d.match("Feb 29 10:00:00 host x").time(), "2005 is no leap year");
    }

    @Test
    void summerTimeChanges() {
        DateDetector d = detector(TimeZoneSamples.clock(), "%Y-%m-%d %H:%M:%S");
        assertEquals(Instant.parse("2005-03-27T01:30:00Z"), d.match("2005-03-27 02:30:00").time(), "skipped hour: read before the change");
        d.match("2005-10-29 12:00:00"); // the log was in summer time
        assertEquals(Instant.parse("2005-10-29T23:30:00Z"), d.match("2005-10-30 01:30:00").time(), "repeated hour: stays in summer time");
        d.match("2005-11-01 12:00:00"); // and now in winter time
        assertEquals(Instant.parse("2005-10-30T00:30:00Z"), d.match("2005-10-30 01:30:00").time(), "repeated hour: winter time");
    }

    @Test
    void logTimeZoneSettersAndGetters() {
        DateDetector d = detector(TimeZoneSamples.clock(), "%Y-%m-%d %H:%M:%S");
        assertEquals(TimeZoneSamples.zone(), d.timeZone());
        assertNull(d.timeZoneText());
        d.setTimeZone("UTC+0200");
        assertEquals(ZoneOffset.ofHours(2), d.timeZone());
        assertEquals("UTC+0200", d.timeZoneText());
        assertEquals(Instant.parse("2005-07-01T10:00:00Z"), d.match("2005-07-01 12:00:00").time());
        d.setTimeZone(ZoneId.of("Europe/London"));
        assertEquals("Europe/London", d.timeZoneText());
        assertEquals(Instant.parse("2005-07-01T11:00:00Z"), d.match("2005-07-01 12:00:00").time(), "a region keeps its summer time");
        assertEquals(Instant.parse("2005-01-01T12:00:00Z"), d.match("2005-01-01 12:00:00").time());
        assertThrows(IllegalArgumentException.class, () -> d.setTimeZone("NZDT+1959"), "beyond 18 hours");
        assertThrows(IllegalArgumentException.class, () -> d.setTimeZone("Europe/Paris"), "not fail2ban's syntax");
        assertEquals("Europe/London", d.timeZoneText(), "a refused zone changes nothing");
        d.setTimeZone((String) null);
        assertEquals(TimeZoneSamples.zone(), d.timeZone());
    }

    @Test
    void patternNameAndStats() {
        DateDetector d = detector(TimeZoneSamples.clock(), null);
        assertNull(d.pattern());
        assertEquals("Default Detectors", d.templateName());
        assertEquals(List.of(), d.stats(), "the library comes with the first line");
        d.match("2005-08-14 11:00:00 a");
        List<DateTemplateHits> stats = d.stats();
        assertEquals(31, stats.size());
        assertEquals("{^LN-BEG}ExYear(?P<_sep>[-/.])Month(?P=_sep)Day(?:T|  ?)24hour:Minute:Second(?:[.,]Microseconds)?(?:\\s*Zone offset)? 1",
                hits(stats.get(0)));
        for (int i = 0; i < 3; i++) {
            d.match("Aug 14 11:00:00 host sshd[1]: b");
        }
        assertEquals(1, d.stats().get(0).hits(), "not moved while it keeps winning");
        d.match("2005-08-14 11:00:00 a");
        d.match("Aug 14 11:00:00 host sshd[1]: b");
        assertEquals("{^LN-BEG}(?:DAY )?MON Day %k:Minute:Second(?:\\.Microseconds)?(?: ExYear)? 4",
                hits(d.stats().get(0)), "with more hits it moves up when it takes over again");
        assertEquals(2, d.stats().get(1).hits());
        assertEquals("Default Detectors", d.templateName());

        DateDetector custom = detector(TimeZoneSamples.clock(), "^%d/%m/%Y %H:%M:%S");
        assertEquals("^%d/%m/%Y %H:%M:%S", custom.pattern());
        assertEquals("^Day/Month/Year 24hour:Minute:Second", custom.templateName());
        assertEquals(List.of("^Day/Month/Year 24hour:Minute:Second 0"), custom.stats().stream().map(DateDetectorRulesTest::hits).toList());

        assertEquals(17, detector(TimeZoneSamples.clock(), "{^LN-BEG}").stats().size());
        assertEquals("{^LN-BEG}Epoch", detector(TimeZoneSamples.clock(), "^epoch").templateName());
        assertEquals("LongEpoch", detector(TimeZoneSamples.clock(), "LEPOCH").templateName());
    }

    @Test
    void specialKeys() {
        DateDetector none = detector(TimeZoneSamples.clock(), "{NONE}");
        assertEquals(new DateMatch(null, 0, 0, "^"), none.match("2005-08-14 11:00:00 no date taken"));

        DateDetector defaults = detector(TimeZoneSamples.clock(), "{DEFAULT}");
        assertEquals(at("2005-08-14T11:00:00"), defaults.match("2005-08-14 11:00:00 x").time());
        DateDetector mixed = detector(TimeZoneSamples.clock(), "{DEFAULT}\n%H:%M");
        assertEquals(1, mixed.stats().size(), "with other lines, {DEFAULT} adds nothing (as in fail2ban)");

        DateDetector empty = detector(TimeZoneSamples.clock(), "^WARNING:()**\n{^LN-BEG}");
        DateMatch m = empty.match("WARNING: something");
        assertEquals(new DateMatch(null, 8, 8, "^WARNING:()**"), m, "an empty date: the filter takes the last one");

        DateDetector optionalGroup = detector(TimeZoneSamples.clock(), "(x)?%H:%M:%S");
        assertEquals(new DateMatch(null, 0, 0, "(x)?24hour:Minute:Second"), optionalGroup.match("at 11:00:00"),
                "the first group of the pattern is the date text; here it took no part");

        DateDetector framed = detector(TimeZoneSamples.clock(), "^[^\\[]*\\[({DATE})");
        String line = "192.0.2.1 - - [14/Aug/2005:11:00:00 +0200] \"GET / HTTP/1.1\" 404";
        m = framed.match(line);
        assertEquals("14/Aug/2005:11:00:00 +0200", line.substring(m.start(), m.end()));
        assertEquals(Instant.parse("2005-08-14T09:00:00Z"), m.time());
    }

    @Test
    void yearWindowFollowsTheLaterOfClockAndToday() {
        int today = Year.now().getValue();
        DateDetector d = detector(TimeZoneSamples.clock(), "{^LN-BEG}%ExY-%m-%d %H:%M");
        int lastAccepted = (today + 3) / 10 * 10 + 9;
        assertNotNull(d.match(lastAccepted + "-01-01 10:00"));
        assertNull(d.match((lastAccepted + 1) + "-01-01 10:00"));
        assertNull(d.match("1999-01-01 10:00"));
        DateDetector future = detector(Clock.fixed(Instant.parse("2150-06-01T00:00:00Z"), ZoneOffset.UTC), "{^LN-BEG}%ExY-%m-%d %H:%M");
        assertNotNull(future.match("2159-01-01 10:00"));
        assertNull(future.match("2160-01-01 10:00"));
    }

    @Test
    void hostileLinesAreHandled() {
        DateDetector d = detector(TimeZoneSamples.clock(), null);
        // date-like junk all along: every template gets tried at many places
        StringBuilder big = new StringBuilder();
        while (big.length() < 200_000) {
            big.append("Jan 1 2005-1 12:3 1106513 @4000 \u0000\uFFFD\uD800 ");
        }
        assertNull(d.match(big));
        big.append("Aug 14 11:00:00");
        DateMatch m = d.match(big);
        assertEquals(at("2005-08-14T11:00:00"), m.time(), "a date after 200 kB of junk");
        assertNull(d.match("1".repeat(1_000_000)));
        assertNull(d.match(" ".repeat(1_000_000)));
        assertEquals(at("2005-08-14T11:00:00"), d.match("2005-08-14 11:00:00" + " ".repeat(1_000_000) + "x").time());
        assertNull(d.match(""));
    }

    private static String hits(DateTemplateHits h) {
        return h.name() + " " + h.hits();
    }
}
