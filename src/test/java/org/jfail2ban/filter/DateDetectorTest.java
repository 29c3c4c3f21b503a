package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cases of fail2ban's own date detector tests, on the clock and zone its samples assume
 * (2005-08-14 12:00:00, CET/CEST).
 */
class DateDetectorTest {

    private static final long JAN_23_2005 = 1106513999L; // 2005-01-23 21:59:59 CET
    private static final String TAIL = " [sshd] error: PAM: Authentication failure";

    private static DateDetector detector(String pattern) {
        DateDetector d = new DateDetector(TimeZoneSamples.clock());
        d.setPattern(pattern);
        return d;
    }

    private static String text(String line, DateMatch m) {
        return line.substring(m.start(), m.end());
    }

    private static long seconds(DateMatch m) {
        assertNotNull(m.time(), "no time in " + m);
        return m.time().getEpochSecond();
    }

    @Test
    void epochAtLineStartInBracketsAndInAudit() {
        DateDetector d = detector("EPOCH");
        for (long unix : new long[] {1138049999L, 32535244799L}) {
            for (String form : new String[] {"%s", "[%s]", "[%s.555]", "audit(%s.555:101)"}) {
                String line = form.replace("%s", Long.toString(unix)) + TAIL;
                DateMatch m = d.match(line);
                assertNotNull(m, line);
                assertEquals(unix, seconds(m), line);
                String t = text(line, m);
                assertTrue(t.equals(Long.toString(unix)) || t.equals(unix + ".555"), t);
            }
        }
        for (String bad : new String[] {"123456789", "9999999999999999", "1138049999A", "A1138049999"}) {
            for (String form : new String[] {"%s", "[%s]", "[%s.555]", "audit(%s.555:101)"}) {
                String line = form.replace("%s", bad) + TAIL;
                assertNull(d.match(line), line);
            }
        }
    }

    @Test
    void epochFractionIsKept() {
        DateMatch m = detector("EPOCH").match("[1138049999.555]" + TAIL);
        assertEquals(Instant.ofEpochSecond(1138049999L, 555_000_000), m.time());
    }

    @Test
    void longEpochInSecondsMillisecondsAndMicroseconds() {
        DateDetector d = detector("LEPOCH");
        for (long factor : new long[] {1, 1000, 1_000_000}) {
            for (long unix : new long[] {1138049999L, 32535244799L}) {
                for (String form : new String[] {"%s", "[%s]", "audit(%s:101)"}) {
                    String number = Long.toString(unix * factor);
                    String line = form.replace("%s", number) + TAIL;
                    DateMatch m = d.match(line);
                    assertNotNull(m, line);
                    assertEquals(unix, seconds(m), line);
                    assertEquals(number, text(line, m));
                }
            }
        }
        for (String bad : new String[] {"123456789", "999999999999999999", "1138049999A", "A1138049999"}) {
            for (String form : new String[] {"%s", "[%s]", "[%s.555]", "audit(%s.555:101)"}) {
                assertNull(d.match(form.replace("%s", bad) + TAIL));
            }
        }
    }

    @Test
    void epochInsideAPattern() {
        DateDetector d = detector("(?<=\\|\\s){LEPOCH}(?=\\s\\|)");
        long number = 0;
        for (long factor : new long[] {1, 1000, 1_000_000}) {
            for (long unix : new long[] {1138049999L, 32535244799L}) {
                number = unix * factor;
                String line = "auth-error | " + number + " | invalid password";
                DateMatch m = d.match(line);
                assertNotNull(m, line);
                assertEquals(unix, seconds(m));
                assertEquals(Long.toString(number), text(line, m));
            }
        }
        for (String form : new String[] {"test%s123", "test-right | %stest", "test%s | test-left"}) {
            assertNull(d.match(form.replace("%s", Long.toString(number))));
        }
    }

    @Test
    void syslogDateWithoutYear() {
        String line = "Jan 23 21:59:59 [sshd] error: PAM: Authentication failure";
        DateMatch m = detector(null).match(line);
        assertEquals(JAN_23_2005, seconds(m));
        assertEquals("Jan 23 21:59:59", text(line, m));
    }

    @Test
    void logTimeZoneAndZonesInTheLine() {
        DateDetector d = detector("^%ExY-%Exm-%Exd %H:%M:%S(?: ?%Exz)?");
        String day = "2017-01-23 15:00:00";
        Object[][] cases = {
            {"UTC+0300", day, "2017-01-23T12:00"},
            {"UTC", day, "2017-01-23T15:00"},
            {"UTC-0430", day, "2017-01-23T19:30"},
            {"GMT+12", day, "2017-01-23T03:00"},
            {null, day, "2017-01-23T14:00"},
            {"CET", day, "2017-01-23T14:00"},
            {"+0100", day, "2017-01-23T14:00"},
            {"CEST-01", day, "2017-01-23T14:00"},
            {"CEST", day, "2017-01-23T13:00"},
            {"+0200", day, "2017-01-23T13:00"},
            {"CET+01", day, "2017-01-23T13:00"},
            {"CET+0100", day, "2017-01-23T13:00"},
            {"CET+0130", day, "2017-01-23T12:30"},
            {"UTC+0300", day + " GMT", "2017-01-23T15:00"},
            {"UTC", day + " GMT", "2017-01-23T15:00"},
            {"UTC-0430", day + " GMT", "2017-01-23T15:00"},
            {null, day + " GMT", "2017-01-23T15:00"},
            {"UTC", day + " -1045", "2017-01-24T01:45"},
            {null, day + " -10:45", "2017-01-24T01:45"},
            {"UTC", day + " +0945", "2017-01-23T05:15"},
            {null, day + " +09:45", "2017-01-23T05:15"},
            {"UTC+0300", day + " Z", "2017-01-23T15:00"},
            {"GMT+12", day + " CET", "2017-01-23T14:00"},
            {"GMT+12", day + " CEST", "2017-01-23T13:00"},
            {"GMT+12", day + " CET+0130", "2017-01-23T12:30"},
        };
        for (Object[] c : cases) {
            d.setTimeZone((String) c[0]);
            DateMatch m = d.match((String) c[1]);
            LocalDateTime utc = LocalDateTime.ofEpochSecond(seconds(m), 0, ZoneOffset.UTC);
            assertEquals(LocalDateTime.parse((String) c[2]), utc, c[1] + " with logtimezone " + c[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> d.setTimeZone("WRONG-TZ"));
        d.setTimeZone((String) null);
        assertEquals(TimeZoneSamples.zone(), d.timeZone());
        assertNull(d.timeZoneText());
    }

    /** Formats the default library knows, each tried alone, after a word, and glued to a word. */
    @Test
    void defaultLibraryKnowsTheCommonFormats() {
        // anchored: must be at the line start; bound: has a word boundary in front
        Object[][] cases = {
            {false, true, "Jan 23 21:59:59", null},
            {false, false, "Sun Jan 23 21:59:59 2005", null},
            {false, false, "Sun Jan 23 21:59:59", null},
            {false, false, "Sun Jan 23 2005 21:59:59", null},
            {false, true, "2005/01/23 21:59:59", null},
            {false, true, "2005.01.23 21:59:59", null},
            {false, true, "23/01/2005 21:59:59", null},
            {false, true, "23/01/05 21:59:59", null},
            {false, true, "23/Jan/2005:21:59:59", null},
            {false, true, "23/Jan/2005:21:59:59 +0100", null},
            {false, true, "01/23/2005:21:59:59", null},
            {false, true, "2005-01-23 21:59:59", null},
            {false, true, "2005-01-23 21:59:59,000", null},
            {false, true, "23-Jan-2005 21:59:59", null},
            {false, true, "23-Jan-2005 21:59:59.02", null},
            {false, true, "23-Jan-2005 21:59:59 +0100", null},
            {false, true, "23-01-2005 21:59:59", null},
            {true, true, "1106513999", null},
            {false, true, "01-23-2005 21:59:59.252", null},
            {false, false, "@4000000041f4104f00000000", null},
            {false, true, "2005-01-23T20:59:59.252Z", null},
            {false, true, "2005-01-23T15:59:59-05:00", null},
            {false, true, "2005-01-23 21:59:59", null},
            {false, true, "20050123T215959", null},
            {false, true, "20050123 215959", null},
            {true, true, "<01/23/05@21:59:59>", null},
            {false, true, "050123 21:59:59", null},
            {true, true, "Jan-23-05 21:59:59", null},
            {false, true, "Jan 23, 2005 9:59:59 PM", null},
            {true, true, "1106513999", null},
            {true, true, "1106513999.000", null},
            {true, true, "[1106513999.000]", "1106513999.000"},
            {false, true, "audit(1106513999.000:987)", "1106513999.000"},
            {true, true, "no date line", null},
        };
        DateDetector d = detector(null);
        for (Object[] c : cases) {
            boolean anchored = (Boolean) c[0];
            boolean bound = (Boolean) c[1];
            String date = (String) c[2];
            String expected = c[3] != null ? (String) c[3] : date.equals("no date line") ? null : date;
            Object[][] tries = {
                {expected != null, ""},
                {!anchored, "bogus-prefix "},
                {false, "word-boundary"},
            };
            for (Object[] t : tries) {
                boolean shouldMatch = (Boolean) t[0];
                String prefix = (String) t[1];
                if (!bound && prefix.equals("word-boundary")) {
                    continue;
                }
                String line = prefix + date + "[sshd] error: PAM: Authentication failure";
                DateMatch m = d.match(line);
                if (shouldMatch) {
                    assertNotNull(m, line);
                    assertEquals(JAN_23_2005, seconds(m), line);
                    assertEquals(expected, text(line, m), line);
                } else {
                    assertNull(m, line);
                }
            }
        }
    }

    @Test
    void templateNamesAreUnique() {
        assertThrows(IllegalArgumentException.class, () -> detector("EPOCH\nEpoch"));
        assertThrows(IllegalArgumentException.class, () -> detector("%H:%M\n%H:%M"));
    }

    @Test
    void fullYearAgainstDayFirstYearLast() {
        DateDetector d = detector(null);
        long expected = LocalDateTime.of(2012, 10, 11, 2, 37, 17).atZone(TimeZoneSamples.zone()).toEpochSecond();
        String line = "2012/10/11 02:37:17 [error] 18434#0";
        DateMatch m = d.match(line);
        assertEquals(expected, seconds(m));
        assertEquals("2012/10/11 02:37:17", text(line, m));
        for (int i = 0; i < 10; i++) {
            String other = "11/10/2012 02:37:17 [error] 18434#0";
            m = d.match(other);
            assertEquals(expected, seconds(m));
            assertEquals("11/10/2012 02:37:17", text(other, m));
        }
        m = d.match(line);
        assertEquals(expected, seconds(m));
        assertEquals("2012/10/11 02:37:17", text(line, m));
    }

    @Test
    void wordBoundariesAndLineStart() {
        DateDetector d = detector("(?iu)**time:%ExY%Exm%ExdT%ExH%ExM%ExS**");
        String date = "TIME:20050102T010203";
        assertEquals(date, text("X" + date + "X", d.match("X" + date + "X")));
        assertEquals(date, text(date, d.match(date)));
        assertNull(d.match("TIME:50050102T010203"));

        d = detector("{^LN-BEG}time:%ExY%Exm%ExdT%ExH%ExM%ExS");
        date = "time:20050102T010203";
        assertNull(d.match("X" + date));
        assertNull(d.match(date + "X"));
        assertEquals(date, text("##" + date + "...", d.match("##" + date + "...")));
        assertEquals(date, text(date, d.match(date)));
        assertNull(d.match("TIME:20050102T010203"), "case sensitive without month names");

        d = detector("^%Y %b %d");
        for (String s : new String[] {"2005 jun 03", "2005 Jun 03", "2005 JUN 03"}) {
            assertEquals(s, text(s, d.match(s)));
        }
    }

    @Test
    void dateAnywhereInTheLineWithChangingWidth() {
        for (String pattern : new String[] {"%H:%M:%S", "{UNB}%H:%M:%S"}) {
            DateDetector d = detector(pattern);
            for (String form : new String[] {"%s test", "%8s test", "test %s", "test %8s"}) {
                for (String time : new String[] {"00:01:02", "00:01:2", "00:1:2", "0:1:2", "00:1:2", "00:01:2",
                    "00:01:02", "0:1:2", "00:01:02"}) {
                    String padded = form.contains("%8s") ? String.format("%8s", time) : time;
                    String line = form.replace("%8s", "%s").replace("%s", padded);
                    DateMatch m = d.match(line);
                    assertEquals(1123970462L, seconds(m), line);
                    assertEquals(time, text(line, m), line);
                }
            }
        }
    }

    @Test
    void nearestDateWinsAndOrderFollowsHits() {
        DateDetector d = detector(null);
        Object[][] cases = {
            {"030324  0:03:59", "some free text 030324  0:03:59 -- 2003-03-07 17:05:01 ...", 1},
            {"2003-03-07 17:05:01", "some free text 2003-03-07 17:05:01 test ...", 15},
            {"030324  0:04:00", "server mysqld[1000]: 030324  0:04:00 [Warning] Access denied ..."
                + " foreign-input just some free text 2003-03-07 17:05:01 test", 10},
            {"Sep 16 21:30:26", "server mysqld[1020]: Sep 16 21:30:26 server mysqld: 030916 21:30:26 [Warning] Access denied", 15},
            {"2005-10-07 06:09:42", "server mysqld[5906]: 2005-10-07 06:09:42 5907 [Warning] Access denied", 20},
            {"2005-10-08T15:26:18.237955", "server mysqld[5906]: 2005-10-08T15:26:18.237955 6 [Note] Access denied", 20},
            {"051009 10:05:30", "server mysqld[1000]: 051009 10:05:30 [Warning] Access denied ...", 50},
        };
        for (Object[] c : cases) {
            for (int i = 0; i < (Integer) c[2]; i++) {
                String line = (String) c[1];
                DateMatch m = d.match(line);
                assertNotNull(m, line);
                assertEquals(c[0], text(line, m), line);
            }
        }
    }

    @Test
    void switchingFormatsKeepsMatching() {
        DateDetector d = detector(null);
        int i = 0;
        Object[][] runs = {
            {"server mysqld[5906]: 2005-10-07 06:09:%02d 5907 [Warning] Access denied", 2},
            {"server mysqld[5906]: 051007 06:10:%02d 5907 [Warning] Access denied", 5},
            {"server mysqld[5906]: 2005-10-07 06:09:%02d 5907 [Warning] Access denied", 10},
        };
        for (Object[] r : runs) {
            int count = (Integer) r[1];
            for (int k = i; k <= i + count; k++) {
                assertNotNull(d.match(String.format((String) r[0], k)));
            }
            i += count;
        }
    }

    @Test
    void badPatternsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> detector("(%ExY%Exm%Exd"));
        assertTrue(e.getMessage().contains("(%ExY%Exm%Exd"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> detector("%q %H"));
        assertTrue(e.getMessage().contains("'%q'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> detector("%H:%M:%S %H"), "group H twice");
        assertThrows(IllegalArgumentException.class, () -> detector("abc%"));
        assertThrows(IllegalArgumentException.class, () -> detector("%s"), "no %s directive in fail2ban 1.0.2");
    }

    @Test
    void aBadPatternLeavesTheDetectorAsItWas() {
        DateDetector d = detector("%Y-%m-%d %H:%M:%S");
        assertThrows(IllegalArgumentException.class, () -> d.setPattern("(%ExY"));
        assertEquals("%Y-%m-%d %H:%M:%S", d.pattern());
        assertNotNull(d.match("2005-01-23 21:59:59 x"));
        assertEquals(List.of("Year-Month-Day 24hour:Minute:Second 1"), d.stats().stream().map(h -> h.name() + " " + h.hits()).toList());
    }

    @Test
    void iso8601WithOffsets() {
        DateDetector d = detector("%Y-%m-%d[T ]%H:%M:%S(?:\\.%f)?%z");
        assertEquals(LocalDateTime.of(2007, 1, 25, 12, 0), utc(d, "2007-01-25T12:00:00Z"));
        assertNull(d.match(""));
        assertNull(d.match("Z"));
        assertNull(d.match("2007-01-01T120:00:00Z"));
        assertNull(d.match("2007-13-01T12:00:00Z"));
        assertEquals(LocalDateTime.of(2007, 1, 25, 8, 0), utc(d, "2007-01-25T12:00:00+0400"));
        assertEquals(LocalDateTime.of(2007, 1, 25, 8, 0), utc(d, "2007-01-25T12:00:00+04:00"));
        assertEquals(LocalDateTime.of(2007, 1, 25, 16, 0), utc(d, "2007-01-25T12:00:00-0400"));
        assertEquals(LocalDateTime.of(2007, 1, 25, 16, 0), utc(d, "2007-01-25T12:00:00-04"));
    }

    private static LocalDateTime utc(DateDetector d, String line) {
        return LocalDateTime.ofEpochSecond(seconds(d.match(line)), 0, ZoneOffset.UTC);
    }

    @Test
    void ambiguousAndExplicitPatterns() {
        // expected: the date text, an epoch second, or null (no date, or no time)
        Object[][] cases = {
            {"Jan 23 21:59:59", null, "Test failure Jan 23 21:59:59 for 192.0.2.1"},
            {false, null, "Test failure TestJan 23 21:59:59.011 2015 for 192.0.2.1"},
            {false, null, "Test failure Jan 23 21:59:59123456789 for 192.0.2.1"},
            {"Aug 8 11:25:50", null, "Aug 8 11:25:50 20030f2329b8 Authentication failed from 192.0.2.1"},
            {"Aug 8 11:25:50", null, "[Aug 8 11:25:50] 20030f2329b8 Authentication failed from 192.0.2.1"},
            {"Aug 8 11:25:50 2014", null, "Aug 8 11:25:50 2014 20030f2329b8 Authentication failed from 192.0.2.1"},
            {"20:00:00 01.02.2003", "%H:%M:%S %d.%m.%Y$", "192.0.2.1 at 20:00:00 01.02.2003"},
            {"[20:00:00 01.02.2003]", "\\[%H:%M:%S %d.%m.%Y\\]", "192.0.2.1[20:00:00 01.02.2003]"},
            {"[20:00:00 01.02.2003]", "\\[%H:%M:%S %d.%m.%Y\\]", "[20:00:00 01.02.2003]192.0.2.1"},
            {"[20:00:00 01.02.2003]", "\\[%H:%M:%S %d.%m.%Y\\]$", "192.0.2.1[20:00:00 01.02.2003]"},
            {"[20:00:00 01.02.2003]", "^\\[%H:%M:%S %d.%m.%Y\\]", "[20:00:00 01.02.2003]192.0.2.1"},
            {"[17/Jun/2011 17:00:45]", "^\\[%d/%b/%Y %H:%M:%S\\]", "[17/Jun/2011 17:00:45] Attempt, IP address 192.0.2.1"},
            {"[17/Jun/2011 17:00:45]", "\\[%d/%b/%Y %H:%M:%S\\]", "Attempt [17/Jun/2011 17:00:45] IP address 192.0.2.1"},
            {"[17/Jun/2011 17:00:45]", "\\[%d/%b/%Y %H:%M:%S\\]", "Attempt IP address 192.0.2.1, date: [17/Jun/2011 17:00:45]"},
            {false, "%H:%M:%S %d.%m.%Y", "192.0.2.1x20:00:00 01.02.2003"},
            {false, "%H:%M:%S %d.%m.%Y", "20:00:00 01.02.2003x192.0.2.1"},
            {"20:00:00 01.02.2003", "**%H:%M:%S %d.%m.%Y**", "192.0.2.1x20:00:00 01.02.2003"},
            {"20:00:00 01.02.2003", "**%H:%M:%S %d.%m.%Y**", "20:00:00 01.02.2003x192.0.2.1"},
            {"*20:00:00 01.02.2003*", "\\**%H:%M:%S %d.%m.%Y\\**", "test*20:00:00 01.02.2003*test"},
            {"20:00:00 01.02.2003", "%H:%M:%S %d.%m.%Y", "192.0.2.1 20:00:00 01.02.2003"},
            {"20:00:00 01.02.2003", "%H:%M:%S %d.%m.%Y", "20:00:00 01.02.2003 192.0.2.1"},
            // year 0000: found, but no time
            {null, "%Y-%Exm-%Exd %ExH:%ExM:%ExS", "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
            {"2003-12-30 00:00:00", "%ExY-%Exm-%Exd %ExH:%ExM:%ExS", "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
            {"2003-12-30 00:00:00", null, "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
            {"200333 010203", "%Y%m%d %H%M%S", "text:200333 010203 | date:20031230 010203"},
            {"20031230 010203", "%ExY%Exm%Exd %ExH%ExM%ExS", "text:200333 010203 | date:20031230 010203"},
            {"20031230 010203", null, "text:200333 010203 | date:20031230 010203"},
            {"20030101 000000", "%ExY%Exm%Exd %ExH%ExM%ExS", "00001230 010203 - 20030101 000000"},
            {false, "{^LN-BEG}%ExY%Exm%Exd %ExH%ExM%ExS", "00001230 010203 - 20030101 000000"},
            {"20031230 010203", "{^LN-BEG}%ExY%Exm%Exd %ExH%ExM%ExS", "20031230 010203 - 20030101 000000"},
            {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "2003123001020320030101000000"},
            {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "#2003123001020320030101000000"},
            {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "##2003123001020320030101000000"},
            {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS", "[20031230010203]20030101000000"},
            {1072746123L - 3600, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03] server ..."},
            {1072746123L - 3600, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 UTC] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03 UTC] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 Z] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 +0000] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03 Z] server ..."},
        };
        DateDetector defaults = detector(null);
        for (Object[] c : cases) {
            DateDetector d = c[1] == null ? defaults : detector((String) c[1]);
            String line = (String) c[2];
            DateMatch m = d.match(line);
            if (c[0] instanceof String s) {
                assertNotNull(m, line);
                assertNotNull(m.time(), line);
                assertEquals(s, text(line, m), line);
            } else if (c[0] instanceof Long l) {
                assertEquals(l.longValue(), seconds(m), line);
            } else {
                assertTrue(m == null || m.time() == null, line + " -> " + m);
            }
        }
    }

    @Test
    void lessCommonDirectives() {
        Object[][] cases = {
            {1106438399L, "^%B %Exd %I:%ExM:%ExS**", "January 23 12:59:59"},
            {985208399L, "^%y %U %A %ExH:%ExM:%ExS**", "01 11 Wednesday 21:59:59"},
            {984603599L, "^%y %W %A %ExH:%ExM:%ExS**", "01 11 Wednesday 21:59:59"},
            {984949199L, "^%y %W %w %ExH:%ExM:%ExS**", "01 11 0 21:59:59"},
            {984862799L, "^%y %W %w %ExH:%ExM:%ExS**", "01 11 6 21:59:59"},
            // time only: today, or yesterday when still ahead of now
            {1123963199L, "^%ExH:%ExM:%ExS**", "21:59:59"},
            {1123970401L, "^%ExH:%ExM:%ExS**", "00:00:01"},
            // no year: this year, or last year when more than a day ahead
            {1094068799L, "^%m/%d %ExH:%ExM:%ExS**", "09/01 21:59:59"},
            {1093989600L, "^%Y-%m-%d**", "2004-09-01"},
            {1093996800L, "^%Y-%m-%d%z**", "2004-09-01Z"},
        };
        for (Object[] c : cases) {
            DateMatch m = detector((String) c[1]).match((String) c[2]);
            assertNotNull(m, (String) c[2]);
            assertEquals(((Long) c[0]).longValue(), seconds(m), c[1] + " on " + c[2]);
        }
    }

    @Test
    void tai64n() {
        String line = "@4000000041f4104f00000000 sshd[1]: x";
        DateMatch m = detector("{^LN-BEG}TAI64N").match(line);
        assertEquals(0x41f4104fL, seconds(m));
        assertEquals("@4000000041f4104f00000000", text(line, m));
    }
}
