package org.jfail2ban.filter;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneRules;
import java.time.zone.ZoneRulesProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The time of fail2ban's sample logs: the clock at 2005-08-14 12:00:00 CEST and the POSIX zone
 * {@code CET-01CEST-02,M3.5.0,M10.5.0} (summer time from the last Sunday of March 02:00 to the
 * last Sunday of October 02:00 summer time, for every year). The tz database has no zone with
 * exactly these rules (Europe/Paris changes back an hour later), so tests register it under
 * {@link #ID}.
 */
public final class TimeZoneSamples {

    public static final String ID = "jfail2ban/CET-01CEST-02";
    /** The POSIX TZ value for a Python process that should agree with {@link #zone()}. */
    public static final String POSIX = "CET-01CEST-02,M3.5.0,M10.5.0";
    public static final Instant NOW = Instant.ofEpochSecond(1124013600);

    private TimeZoneSamples() {
    }

    public static ZoneId zone() {
        return Registered.ZONE;
    }

    public static Clock clock() {
        return Clock.fixed(NOW, zone());
    }

    public static Clock clock(Instant now) {
        return Clock.fixed(now, zone());
    }

    /** Registers the provider once per JVM, on first use. */
    private static final class Registered {
        static final ZoneId ZONE = register();

        private static ZoneId register() {
            if (!ZoneId.getAvailableZoneIds().contains(ID)) {
                ZoneRulesProvider.registerProvider(new Provider());
            }
            return ZoneId.of(ID);
        }
    }

    private static final class Provider extends ZoneRulesProvider {
        private static final ZoneOffset CET = ZoneOffset.ofHours(1);
        private static final ZoneOffset CEST = ZoneOffset.ofHours(2);

        private final ZoneRules rules = build();

        private static ZoneRules build() {
            List<ZoneOffsetTransition> changes = new ArrayList<>();
            for (int year = 1900; year <= 2037; year++) {
                changes.add(ZoneOffsetTransition.of(lastSunday(year, Month.MARCH), CET, CEST));
                changes.add(ZoneOffsetTransition.of(lastSunday(year, Month.OCTOBER), CEST, CET));
            }
            List<ZoneOffsetTransitionRule> last = List.of(
                    ZoneOffsetTransitionRule.of(Month.MARCH, -1, DayOfWeek.SUNDAY, LocalTime.of(2, 0), false,
                            ZoneOffsetTransitionRule.TimeDefinition.WALL, CET, CET, CEST),
                    ZoneOffsetTransitionRule.of(Month.OCTOBER, -1, DayOfWeek.SUNDAY, LocalTime.of(2, 0), false,
                            ZoneOffsetTransitionRule.TimeDefinition.WALL, CET, CEST, CET));
            return ZoneRules.of(CET, CET, List.of(), changes, last);
        }

        private static LocalDateTime lastSunday(int year, Month month) {
            LocalDate d = LocalDate.of(year, month, 1).with(TemporalAdjusters.lastInMonth(DayOfWeek.SUNDAY));
            return d.atTime(2, 0);
        }

        @Override
        protected Set<String> provideZoneIds() {
            return Set.of(ID);
        }

        @Override
        protected ZoneRules provideRules(String zoneId, boolean forCaching) {
            return rules;
        }

        @Override
        protected NavigableMap<String, ZoneRules> provideVersions(String zoneId) {
            return new TreeMap<>(java.util.Map.of("1", rules));
        }
    }
}
