package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** logtimezone values fail2ban accepts, and the ones it refuses. */
class TimeZoneOffsetsTest {

    @Test
    void acceptedZones() {
        Object[][] cases = {
            {"UTC", 0}, {"GMT", 0}, {"Z", 0}, {"", 0},
            {"+0200", 120}, {"-05:00", -300}, {"+05", 300}, {"-0430", -270},
            {"UTC+0300", 180}, {"UTC-0430", -270}, {"GMT+12", 720},
            {"CET", 60}, {"CEST", 120}, {"CET+0130", 150}, {"CEST-01", 60},
            {"EST", -300}, {"PDT", -420}, {"NPT", 345}, {"ACST", 570}, {"NST", -210}, {"A", 60},
        };
        for (Object[] c : cases) {
            assertEquals((int) (Integer) c[1], TimeZoneOffsets.minutes((String) c[0]), (String) c[0]);
        }
    }

    @Test
    void refusedZones() {
        for (String bad : new String[] {"WRONG-TZ", "utc", "Europe/Paris", "+1", "+2000", "UTC+", "XYZ", "CET CEST", "ChST"}) {
            assertThrows(IllegalArgumentException.class, () -> TimeZoneOffsets.minutes(bad), bad);
            assertEquals(Integer.MIN_VALUE, TimeZoneOffsets.minutesOrInvalid(bad), bad);
        }
    }
}
