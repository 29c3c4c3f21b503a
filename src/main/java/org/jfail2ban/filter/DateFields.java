package org.jfail2ban.filter;

import java.time.Clock;

/**
 * Turns the strptime fields a template matched into UTC seconds, with fail2ban's rules for what
 * a log line leaves out:
 * <ul>
 * <li>no year: this year, but a date more than a day ahead of now is last year's (a December
 * line read in January);</li>
 * <li>no day: today, but a time still ahead of now is yesterday's (around midnight);</li>
 * <li>two-digit year: 20yy;</li>
 * <li>no zone in the line: the {@code logtimezone} if one is set, else the clock's zone.</li>
 * </ul>
 * Fractions of a second are matched but not kept, as in fail2ban. A date that does not exist
 * (30 February, hour 24) gives no time.
 *
 * <p>Works on offsets into the line: no strings are made for the common fields.
 */
final class DateFields {

    static final long INVALID = Long.MIN_VALUE;
    private static final int NONE = Integer.MIN_VALUE;
    private static final String[] MONTHS = {"january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december"};
    private static final String[] DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    /** Python's datetime knows the years 1 to 9999. */
    private static final long MIN_DAY = epochDay(1, 1, 1);
    private static final long MAX_DAY = epochDay(9999, 12, 31);

    private final Clock clock;
    private final TimeZoneLocal local;
    /** Set when a logtimezone names a zone with its own rules; else {@link #logOffset} or none. */
    private TimeZoneLocal logZone;
    /** A fixed logtimezone offset in seconds, or NONE. */
    private int logOffset = NONE;

    /** Whether the last date read had a zone (its own or the logtimezone): fail2ban then makes an int of it. */
    private boolean zoned;

    // "now", read once per line and only when a field is missing
    private long nowWallMillis;
    private int nowYear;
    private int nowMonth;
    private int nowDay;

    DateFields(Clock clock) {
        this.clock = clock;
        this.local = new TimeZoneLocal(clock.getZone());
    }

    void setLogOffset(int seconds) {
        this.logOffset = seconds;
        this.logZone = null;
    }

    void setLogZone(TimeZoneLocal zone) {
        this.logZone = zone;
        this.logOffset = NONE;
    }

    void clearLogZone() {
        this.logZone = null;
        this.logOffset = NONE;
    }

    private void readNow() {
        long millis = clock.millis();
        nowWallMillis = millis + local.offsetAt(Math.floorDiv(millis, 1000)) * 1000L;
        long day = Math.floorDiv(nowWallMillis, 86_400_000L);
        int ymd = civil(day);
        nowYear = ymd >> 9;
        nowMonth = (ymd >> 5) & 15;
        nowDay = ymd & 31;
    }

    /**
     * UTC seconds for the fields of {@code kinds}/{@code groups} matched in {@code line}; group
     * {@code g} spans {@code offs[2g]..offs[2g+1]} (-1 when it took no part). INVALID when they
     * make no date.
     */
    long toEpochSecond(CharSequence line, int[] offs, int[] kinds, int[] groups, int ampmGroup) {
        int year = NONE;
        int month = NONE;
        int day = NONE;
        int hour = 0;
        int minute = 0;
        int second = 0;
        int weekday = NONE;
        int yearDay = NONE;
        int week = NONE;
        boolean weekFromMonday = false;
        int zone = NONE;
        for (int k = 0; k < kinds.length; k++) {
            int g = groups[k];
            int s = offs[2 * g];
            int e = offs[2 * g + 1];
            if (s < 0) {
                continue;
            }
            int kind = kinds[k];
            int v = 0;
            switch (kind) {
                case Strptime.MONTH_NAME, Strptime.MONTH_ABBR, Strptime.WEEKDAY_NAME, Strptime.WEEKDAY_ABBR, Strptime.ZONE -> {
                    // text fields, read below
                }
                default -> {
                    v = integer(line, s, e);
                    if (v == NONE) {
                        return INVALID;
                    }
                }
            }
            switch (kind) {
                case Strptime.YEAR2 -> year = v <= 2000 ? v + 2000 : v;
                case Strptime.YEAR -> year = v;
                case Strptime.MONTH -> month = v;
                case Strptime.MONTH_NAME, Strptime.MONTH_ABBR -> {
                    int i = nameIndex(line, s, e, MONTHS, kind == Strptime.MONTH_ABBR);
                    if (i < 0) {
                        return INVALID;
                    }
                    month = i + 1;
                }
                case Strptime.DAY -> day = v;
                case Strptime.HOUR -> hour = v;
                case Strptime.HOUR12 -> {
                    hour = v;
                    int ap = ampm(line, offs, ampmGroup);
                    if (ap == 0 && hour == 12) {
                        hour = 0;
                    } else if (ap == 1 && hour != 12) {
                        hour += 12;
                    }
                }
                case Strptime.MINUTE -> minute = v;
                case Strptime.SECOND -> second = v;
                case Strptime.WEEKDAY_NAME, Strptime.WEEKDAY_ABBR -> {
                    weekday = nameIndex(line, s, e, DAYS, kind == Strptime.WEEKDAY_ABBR);
                    if (weekday < 0) {
                        return INVALID;
                    }
                }
                case Strptime.WEEKDAY_NUMBER -> weekday = v - 1 < 0 ? 6 : v - 1;
                case Strptime.YEAR_DAY -> yearDay = v;
                case Strptime.WEEK_FROM_SUNDAY, Strptime.WEEK_FROM_MONDAY -> {
                    week = v;
                    weekFromMonday = kind == Strptime.WEEK_FROM_MONDAY;
                }
                case Strptime.ZONE -> {
                    zone = zoneSeconds(line, s, e);
                    if (zone == NONE) {
                        return INVALID;
                    }
                }
                default -> {
                    // a group with no meaning for the date
                }
            }
        }
        boolean nowRead = false;
        boolean assumeYear = false;
        if (year == NONE) {
            readNow();
            nowRead = true;
            year = nowYear;
            assumeYear = true;
        }
        if (month == NONE || day == NONE) {
            if (yearDay == NONE && week != NONE && weekday != NONE) {
                yearDay = yearDayOfWeek(year, week, weekday, weekFromMonday);
            }
            if (yearDay != NONE) {
                if (!valid(year, 1, 1)) {
                    return INVALID;
                }
                long d = epochDay(year, 1, 1) + yearDay - 1;
                if (d < MIN_DAY || d > MAX_DAY) {
                    return INVALID;
                }
                int ymd = civil(d);
                year = ymd >> 9;
                month = (ymd >> 5) & 15;
                day = ymd & 31;
            }
        }
        boolean assumeToday = false;
        if (month == NONE && day == NONE) {
            if (!nowRead) {
                readNow();
                nowRead = true;
            }
            month = nowMonth;
            day = nowDay;
            assumeToday = true;
        }
        if (month == NONE || day == NONE || !valid(year, month, day) || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return INVALID;
        }
        long t = epochDay(year, month, day) * 86_400 + hour * 3600L + minute * 60L + second;
        if (zone == NONE) {
            if (logOffset != NONE) {
                zone = logOffset;
            } else if (logZone != null) {
                zone = logZone.offsetOfWall(t);
            }
        }
        if (zone != NONE) {
            t -= zone;
        }
        // fail2ban compares the (possibly zone-corrected) time with the local wall clock
        if (assumeToday && t * 1000 > nowWallMillis) {
            t -= 86_400;
        }
        if (assumeYear && t * 1000 > nowWallMillis + 86_400_000L) {
            // last year, on the day and month of the line, at the time of day found above
            if (!valid(year - 1, month, day)) {
                return INVALID;
            }
            t = epochDay(year - 1, month, day) * 86_400 + Math.floorMod(t, 86_400);
        }
        zoned = zone != NONE;
        return zoned ? t : local.toUtc(t);
    }

    /** True when the last {@link #toEpochSecond} knew the date's zone (fail2ban's calendar.timegm, an int). */
    boolean lastZoned() {
        return zoned;
    }

    private static int ampm(CharSequence line, int[] offs, int group) {
        if (group <= 0 || offs[2 * group] < 0) {
            return 0;
        }
        int s = offs[2 * group];
        int e = offs[2 * group + 1];
        if (e - s != 2 || Character.toLowerCase(line.charAt(s + 1)) != 'm') {
            return -1;
        }
        char c = Character.toLowerCase(line.charAt(s));
        return c == 'a' ? 0 : c == 'p' ? 1 : -1;
    }

    /** A zone field: Z, UTC and GMT are UTC; otherwise fail2ban's fixed offsets. */
    private static int zoneSeconds(CharSequence line, int s, int e) {
        int len = e - s;
        char c = line.charAt(s);
        if (len == 1 && c == 'Z' || len == 3 && (regionIs(line, s, "UTC") || regionIs(line, s, "GMT"))) {
            return 0;
        }
        if ((c == '+' || c == '-') && (len == 3 || len == 5 || len == 6 && line.charAt(s + 3) == ':')) {
            // the common +hh, +hhmm and +hh:mm, read in place
            int h1 = line.charAt(s + 1) - '0';
            int h2 = Character.digit(line.charAt(s + 2), 10);
            int m1 = len == 3 ? 0 : Character.digit(line.charAt(e - 2), 10);
            int m2 = len == 3 ? 0 : Character.digit(line.charAt(e - 1), 10);
            if ((h1 == 0 || h1 == 1) && h2 >= 0 && m1 >= 0 && m2 >= 0) {
                int minutes = (h1 * 10 + h2) * 60 + m1 * 10 + m2;
                return (c == '-' ? -minutes : minutes) * 60;
            }
        }
        int m = TimeZoneOffsets.minutesOrInvalid(line.subSequence(s, e));
        return m == Integer.MIN_VALUE ? NONE : m * 60;
    }

    private static boolean regionIs(CharSequence line, int s, String word) {
        for (int i = 0; i < word.length(); i++) {
            if (line.charAt(s + i) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Index of the (case-insensitively) named month or day, by full name or first three letters. */
    private static int nameIndex(CharSequence line, int s, int e, String[] names, boolean abbreviated) {
        for (int i = 0; i < names.length; i++) {
            String n = names[i];
            int len = abbreviated ? 3 : n.length();
            if (e - s != len) {
                continue;
            }
            boolean same = true;
            for (int k = 0; k < len && same; k++) {
                same = Character.toLowerCase(line.charAt(s + k)) == n.charAt(k);
            }
            if (same) {
                return i;
            }
        }
        return -1;
    }

    /** Python's int(): surrounding white space, an optional sign, decimal digits of any script. */
    static int integer(CharSequence text, int s, int e) {
        if (s < e && e - s <= 9) {
            // the usual case: ASCII digits only
            int v = 0;
            int i = s;
            for (; i < e; i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                v = v * 10 + (c - '0');
            }
            if (i == e) {
                return v;
            }
        }
        while (s < e && DateTemplate.isPythonSpace(text.charAt(s))) {
            s++;
        }
        while (e > s && DateTemplate.isPythonSpace(text.charAt(e - 1))) {
            e--;
        }
        boolean negative = false;
        if (s < e && (text.charAt(s) == '+' || text.charAt(s) == '-')) {
            negative = text.charAt(s) == '-';
            s++;
        }
        if (s >= e) {
            return NONE;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            int d = Character.digit(text.charAt(i), 10);
            if (d < 0 || v > 100_000_000) {
                return NONE;
            }
            v = v * 10 + d;
        }
        return (int) (negative ? -v : v);
    }

    /** Day of the year from a week number (%U weeks start on Sunday, %W on Monday) and a weekday. */
    private static int yearDayOfWeek(int year, int week, int weekday, boolean weekFromMonday) {
        int first = Math.floorMod(epochDay(year, 1, 1) + 3, 7); // Monday = 0
        if (!weekFromMonday) {
            first = (first + 1) % 7;
            weekday = (weekday + 1) % 7;
        }
        if (week == 0) {
            return 1 + weekday - first;
        }
        int week0 = (7 - first) % 7;
        return 1 + week0 + 7 * (week - 1) + weekday;
    }

    static boolean valid(int y, int m, int d) {
        return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
    }

    private static int daysInMonth(int y, int m) {
        return switch (m) {
            case 2 -> (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date. */
    static long epochDay(int y, int m, int d) {
        long yy = m <= 2 ? y - 1 : y;
        long era = Math.floorDiv(yy, 400);
        long yoe = yy - era * 400;
        long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /** The date of an epoch day, packed as year << 9 | month << 5 | day. */
    static int civil(long epochDay) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int d = (int) (doy - (153 * mp + 2) / 5 + 1);
        int m = (int) (mp < 10 ? mp + 3 : mp - 9);
        return (int) ((m <= 2 ? y + 1 : y) << 9) | m << 5 | d;
    }
}
