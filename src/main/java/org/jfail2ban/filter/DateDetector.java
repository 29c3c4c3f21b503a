package org.jfail2ban.filter;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the timestamp of a log line, as fail2ban 1.0.2 does.
 *
 * <p>With no {@code datepattern} it tries fail2ban's default template library: the ISO, syslog,
 * Apache, MySQL, epoch, TAI64N ... formats, each first tied to the line start, then anywhere on
 * a word boundary. Templates that hit move up the list, and the template that matched the last
 * line is tried first, only where that line had its date; so a log in one format costs one
 * short match per line. A {@code datepattern} replaces the library with its own templates, one
 * per line: {@code {^LN-BEG}} (the line-start part of the library), {@code ...{DATE}...} (the
 * library inside a frame), {@code {NONE}} (no date: lines take the last date or now),
 * {@code EPOCH}, {@code LEPOCH}, {@code TAI64N}, or a pattern with strptime directives.
 *
 * <p>"Now" comes from the clock: it completes dates without a year or a day, and its zone is
 * the zone of dates that name none, unless a {@code logtimezone} is set. A detector keeps
 * per-log state (hits, last position) and is used by one thread.
 */
public final class DateDetector {

    private static final int FAR = 0x7fffffff;
    private static final int NO_CHAR = -1;
    private static final Pattern DATE_KEY = Pattern.compile("(?<!\\\\)\\{DATE\\}", Pattern.CASE_INSENSITIVE);
    /** A template that has not won for this long may be pushed down by a newcomer. */
    private static final long UNUSED_MILLIS = 300_000;

    private final Clock clock;
    private final DateFields fields;
    private final DateTemplateLibrary library;
    private final List<Entry> entries = new ArrayList<>();
    private final LineView view = new LineView();
    private String pattern;
    private String zoneText;
    private ZoneId logZone;

    // where the last date was: start and end of the whole match and the characters around them
    private int lastPos;
    private int lastPosBefore;
    private int lastPosAt;
    private int lastEndPos;
    private int lastEndBefore;
    private int lastEndAfter;
    private int lastIndex;
    private int firstUnused;

    // the ASCII characters of the current line, when it has no others
    private boolean charsKnown;
    private boolean asciiOnly;
    private long charsLow;
    private long charsHigh;

    // group offsets of the winning match and of a reserved candidate
    private int[] win = new int[2];
    private int[] reserve = new int[2];

    /**
     * @param clock gives "now" for dates without a year or day, and the zone of dates that name
     *     none
     */
    public DateDetector(Clock clock) {
        this.clock = clock;
        this.fields = new DateFields(clock);
        // fail2ban sizes the %ExY window from today's date even when its clock is set back
        int year = Math.max(Year.now(clock).getValue(), Year.now().getValue());
        this.library = new DateTemplateLibrary(new Strptime(year));
        reset();
    }

    private void reset() {
        entries.clear();
        lastPos = 1;
        lastPosBefore = NO_CHAR;
        lastPosAt = NO_CHAR;
        lastEndPos = FAR;
        lastEndBefore = NO_CHAR;
        lastEndAfter = NO_CHAR;
        lastIndex = FAR;
        firstUnused = 0;
    }

    /**
     * Sets the {@code datepattern}: null or blank for the default library, else one template per
     * line. Counters start again; a refused pattern changes nothing.
     *
     * @throws IllegalArgumentException for a pattern fail2ban would refuse, with the reason
     */
    public void setPattern(String datepattern) {
        Templates templates = new Templates();
        if (datepattern != null) {
            for (String l : datepattern.split("\n+")) {
                l = DateTemplate.pythonStrip(l);
                if (!l.isEmpty()) {
                    append(l, templates);
                }
            }
        }
        install(templates);
        pattern = datepattern;
    }

    private void install(Templates templates) {
        reset();
        for (DateTemplate t : templates.list) {
            entries.add(new Entry(t));
            int size = 2 * (t.compiled.groupCount() + 1);
            if (win.length < size) {
                win = new int[size];
                reserve = new int[size];
            }
        }
    }

    /** One line of a datepattern. */
    private void append(String line, Templates into) {
        String key = DateTemplateLibrary.key(line);
        switch (key) {
            case "{^LN-BEG}" -> {
                addDefaults(true, into);
                return;
            }
            case "{DEFAULT}" -> {
                // fail2ban's filter for this key lets nothing through: the library only comes
                // when the whole pattern is this key (an empty detector takes the library)
                return;
            }
            case "{NONE}" -> {
                into.add(library.fromPattern("{UNB}^"), false);
                return;
            }
            default -> {
                // below
            }
        }
        if (key.contains("{DATE}")) {
            // each default format set into the frame in place of {DATE}
            boolean ignoreDuplicates = !into.list.isEmpty();
            for (DateTemplate t : library.originals()) {
                DateTemplate w = library.wrapped(t, s -> DATE_KEY.matcher(line)
                        .replaceAll(Matcher.quoteReplacement(DateTemplate.unbound(s))));
                into.add(w, ignoreDuplicates);
            }
            return;
        }
        into.add(library.fromPattern(line), false);
    }

    private void addDefaults(boolean lineBeginOnly, Templates into) {
        boolean ignoreDuplicates = !into.list.isEmpty();
        for (DateTemplate t : library.all()) {
            if (!lineBeginOnly || (t.flags & DateTemplate.LINE_BEGIN) != 0) {
                into.add(t, ignoreDuplicates);
            }
        }
    }

    /** Templates being gathered for a detector; names are unique. */
    private static final class Templates {
        final List<DateTemplate> list = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        void add(DateTemplate t, boolean ignoreDuplicate) {
            if (!names.add(t.name)) {
                if (ignoreDuplicate) {
                    return;
                }
                throw new IllegalArgumentException("There is already a template with name " + t.name);
            }
            list.add(t);
        }
    }

    /** The datepattern as set, or null for the default library. */
    public String pattern() {
        return pattern;
    }

    /**
     * What fail2ban reports as the pattern's name ({@code get <jail> datepattern}, fail2ban-regex's
     * "Use datepattern"): the template's name when there are one or two templates, else
     * "Default Detectors".
     */
    public String templateName() {
        if (entries.isEmpty() || entries.size() > 2) {
            return "Default Detectors";
        }
        return entries.get(0).template.name;
    }

    /**
     * Sets the {@code logtimezone}, fail2ban's syntax: {@code UTC}, {@code GMT}, an abbreviation
     * such as {@code CET} or {@code EST} (a fixed offset), an offset {@code +hh}, {@code +hhmm} or
     * {@code -hh:mm}, or both ({@code UTC+0200}, {@code CET+0130}). Dates that name no zone are
     * read in it. Null: the clock's zone.
     *
     * @throws IllegalArgumentException for a zone fail2ban does not accept
     */
    public void setTimeZone(String logtimezone) {
        if (logtimezone == null) {
            setTimeZone((ZoneId) null);
            return;
        }
        int minutes = TimeZoneOffsets.minutes(logtimezone);
        ZoneOffset offset;
        try {
            offset = ZoneOffset.ofTotalSeconds(minutes * 60);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("Unknown or unsupported time zone: '" + logtimezone
                    + "' (offset beyond 18 hours)", e);
        }
        fields.setLogOffset(minutes * 60);
        logZone = offset;
        zoneText = logtimezone;
    }

    /**
     * Sets the zone of dates that name none. A region such as Europe/Paris keeps its summer
     * time (fail2ban itself only knows fixed offsets). Null: the clock's zone.
     */
    public void setTimeZone(ZoneId zone) {
        if (zone == null) {
            fields.clearLogZone();
            logZone = null;
            zoneText = null;
        } else if (zone instanceof ZoneOffset o) {
            fields.setLogOffset(o.getTotalSeconds());
            logZone = o;
            zoneText = o.getId();
        } else {
            fields.setLogZone(new TimeZoneLocal(zone));
            logZone = zone;
            zoneText = zone.getId();
        }
    }

    /** The zone dates without one are read in: the logtimezone, else the clock's zone. */
    public ZoneId timeZone() {
        return logZone != null ? logZone : clock.getZone();
    }

    /** The logtimezone as it was set, or null. */
    public String timeZoneText() {
        return zoneText;
    }

    /**
     * Per template the lines it dated, in the detector's current order (the order fail2ban-regex
     * prints under "Date template hits:", which shows those with hits, or all with -v). Empty
     * until the first line when the default library is used, as in fail2ban.
     */
    public List<DateTemplateHits> stats() {
        List<DateTemplateHits> l = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            DateTemplate t = e.template;
            l.add(new DateTemplateHits(t.name, e.hits, e.weight(), t.weight, t.pattern == null ? "" : t.pattern, t.regex));
        }
        return l;
    }

    /**
     * The date in {@code line}, or null when no template matches. The filter removes
     * {@code [start, end)} from the line before its regexes see it. The time is null when the
     * matched text is no valid date, or is empty ({@code {NONE}}, patterns such as
     * {@code ^WARNING:()**}); fail2ban then uses the last date seen (if under a minute old) or now.
     */
    public DateMatch match(CharSequence line) {
        if (entries.isEmpty()) {
            Templates defaults = new Templates();
            addDefaults(false, defaults);
            install(defaults);
        }
        int n = entries.size();
        int len = line.length();
        charsKnown = false;
        boolean matched = false;
        boolean reserved = false;
        int reserveIndex = -1;
        int reserveDistance = FAR;
        int reserveEnd = FAR;
        int ignore = FAR;
        int i = lastIndex;
        Entry e = null;
        int distance = 0;
        int endpos = 0;
        if (i < n) {
            // the template of the last line, where that line had its date
            e = entries.get(i);
            boolean found;
            // no character check here: on a log in one format this search succeeds
            if (e.template.anchored()) {
                found = find(e, line, 0, len, null);
                ignore = i;
            } else if ((charBefore(line, lastPos) == lastPosBefore
                        || (charAt(line, lastPos) == lastPosAt && !isAlnum(lastPosAt)))
                    && (charAt(line, lastEndPos) == lastEndAfter
                        || (charBefore(line, lastEndPos) == lastEndBefore && !isAlnum(lastEndBefore)))) {
                found = searchWithin(e, line, lastPos, lastEndPos);
            } else {
                found = find(e, line, 0, len, null);
                ignore = i;
            }
            if (found) {
                distance = e.matcher.start();
                endpos = e.matcher.end();
                if (n == 1 || e.template.anchored() || (distance == lastPos && endpos == lastEndPos)) {
                    matched = true;
                    keep(e, win);
                } else {
                    // the format may have changed: keep this as a fallback and search all
                    reserved = true;
                    reserveIndex = i;
                    reserveDistance = distance;
                    reserveEnd = endpos;
                    keep(e, reserve);
                }
            }
        }
        if (!matched) {
            for (i = 0; i < n; i++) {
                if (i == ignore) {
                    continue;
                }
                e = entries.get(i);
                if (!search(e, line)) {
                    continue;
                }
                distance = e.matcher.start();
                endpos = e.matcher.end();
                if (i + 1 >= n || e.template.anchored()
                        || (distance == 0 && e.hits > 0 && entries.get(i + 1).regexHits == 0)) {
                    matched = true;
                    keep(e, win);
                    break;
                }
                if (distance > e.distance || distance > lastPos) {
                    // a date further into the line than usual may be part of the message:
                    // remember the nearest and look on
                    if (distance < reserveDistance) {
                        reserved = true;
                        reserveIndex = i;
                        reserveDistance = distance;
                        reserveEnd = endpos;
                        keep(e, reserve);
                    }
                    continue;
                }
                matched = true;
                keep(e, win);
                break;
            }
            if (!matched && reserved) {
                i = reserveIndex;
                e = entries.get(i);
                distance = reserveDistance;
                endpos = reserveEnd;
                int[] t = win;
                win = reserve;
                reserve = t;
                matched = true;
            }
        }
        if (!matched) {
            return null;
        }
        e.hits++;
        e.lastUsed = clock.millis();
        e.distance = distance;
        if (firstUnused == i) {
            firstUnused++;
        }
        lastPos = distance;
        lastPosBefore = charBefore(line, distance);
        lastPosAt = charAt(line, distance);
        lastEndPos = endpos;
        lastEndBefore = endpos == 0 ? (len == 0 ? NO_CHAR : Character.codePointBefore(line, len)) : charBefore(line, endpos);
        lastEndAfter = charAt(line, endpos);
        if (i != 0 && i != lastIndex) {
            i = reorder(i);
        }
        lastIndex = i;
        DateTemplate t = e.template;
        int start = win[2];
        int end = win[3];
        if (start < 0) {
            // the pattern's own first group took no part: no date text, as for an empty one
            start = 0;
            end = 0;
        }
        Instant time = start == end ? null : time(t, line);
        boolean integral = t.kind == DateTemplate.Kind.PATTERN ? fields.lastZoned() : t.kind == DateTemplate.Kind.TAI64N;
        return new DateMatch(time, start, end, t.name, time != null && integral);
    }

    /** Copies the group offsets of the entry's last match. */
    private static void keep(Entry e, int[] into) {
        Matcher m = e.matcher;
        int groups = e.template.compiled.groupCount();
        for (int g = 0; g <= groups; g++) {
            into[2 * g] = m.start(g);
            into[2 * g + 1] = m.end(g);
        }
    }

    private Instant time(DateTemplate t, CharSequence line) {
        switch (t.kind) {
            case PATTERN -> {
                long s = fields.toEpochSecond(line, win, t.fieldKinds, t.fieldGroups, t.ampmGroup);
                return s == DateFields.INVALID ? null : Instant.ofEpochSecond(s);
            }
            case EPOCH, LONG_EPOCH -> {
                return epoch(line, win[2 * t.valueGroup], win[2 * t.valueGroup + 1], t.kind == DateTemplate.Kind.LONG_EPOCH);
            }
            default -> {
                // TAI64N: "@4" then the seconds in 15 hex digits, then nanoseconds (ignored)
                int s = win[2 * t.valueGroup];
                long v = 0;
                for (int k = s + 2; k < s + 17; k++) {
                    v = v * 16 + Character.digit(line.charAt(k), 16);
                }
                return v > Instant.MAX.getEpochSecond() ? null : Instant.ofEpochSecond(v);
            }
        }
    }

    /** Unix time; the long form scales 13+ digits as milliseconds and 16+ as microseconds. */
    private static Instant epoch(CharSequence line, int s, int e, boolean longForm) {
        if (s < 0) {
            return null;
        }
        long whole = 0;
        long nanos = 0;
        int digits = 0;
        boolean dot = false;
        int fractionDigits = 0;
        for (int k = s; k < e; k++) {
            char c = line.charAt(k);
            if (c == '.') {
                dot = true;
                continue;
            }
            int d = Character.digit(c, 10);
            if (d < 0) {
                return null;
            }
            if (!dot) {
                whole = whole * 10 + d;
                digits++;
            } else if (fractionDigits < 9) {
                nanos = nanos * 10 + d;
                fractionDigits++;
            }
        }
        for (int k = fractionDigits; k < 9; k++) {
            nanos *= 10;
        }
        long divisor = 1;
        if (longForm && e - s >= 13) {
            divisor = e - s >= 16 && !dot ? 1_000_000 : 1_000;
        }
        long seconds = whole / divisor;
        long rest = whole % divisor;
        return Instant.ofEpochSecond(seconds, (rest * 1_000_000_000L + nanos) / divisor);
    }

    /** Moves a template that just won towards the front of the list, as fail2ban does. */
    private int reorder(int num) {
        Entry e = entries.get(num);
        long unusedSince = e.lastUsed - UNUSED_MILLIS;
        double weight = e.weight();
        int pos = firstUnused < num ? firstUnused : num / 2;
        if (!movable(pos, weight, unusedSince)) {
            if (pos == num - 1) {
                return num;
            }
            pos = num - 1;
            if (!movable(pos, weight, unusedSince)) {
                return num;
            }
        }
        entries.remove(num);
        entries.add(pos, e);
        while (firstUnused < entries.size() && entries.get(firstUnused).hits > 0) {
            firstUnused++;
        }
        return pos;
    }

    private boolean movable(int pos, double weight, long unusedSince) {
        Entry there = entries.get(pos);
        return weight > there.weight() || unusedSince > there.lastUsed;
    }

    private boolean search(Entry e, CharSequence line) {
        return find(e, line, 0, line.length(), line);
    }

    /**
     * Python's {@code search(line, pos, endpos)}: the line ends at {@code to}; {@code ^} does not
     * match at {@code from}, but look-behinds and {@code \b} see the characters before it.
     */
    private boolean searchWithin(Entry e, CharSequence line, int from, int to) {
        int len = line.length();
        int end = Math.max(0, Math.min(to, len));
        int start = Math.max(0, Math.min(from, len));
        if (end < start) {
            end = start;
        }
        return find(e, end == len ? line : view.of(line, end), start, end, null);
    }

    /**
     * The leftmost match in {@code [from, to)}. Where the expression knows its first characters,
     * only the positions that could start a match are tried: a date on a word boundary cannot
     * start inside a word, and an ISO date cannot start with a letter. With {@code check}, a line
     * that lacks a character every match needs is passed over at once.
     */
    private boolean find(Entry e, CharSequence text, int from, int to, CharSequence check) {
        DateRegex r = e.template.compiled;
        if (check != null && !possible(r, check)) {
            return false;
        }
        Matcher m = e.matcher;
        m.reset(text);
        boolean found = false;
        if (r.anchoredAtStart || !r.scannable) {
            if (from != 0 || to != text.length()) {
                m.region(from, to);
            }
            found = r.anchoredAtStart ? m.lookingAt() : m.find();
        } else {
            for (int p = from; p < to; p++) {
                char c = text.charAt(p);
                if (!r.mayStartWith(c)
                        || (r.wordStart && p > 0 && isAsciiWord(c) && isAsciiWord(text.charAt(p - 1)))) {
                    continue;
                }
                m.region(p, to);
                if (m.lookingAt()) {
                    found = true;
                    break;
                }
            }
        }
        if (found) {
            e.regexHits++;
        }
        return found;
    }

    /** False when the line lacks characters every match of {@code r} needs. */
    private boolean possible(DateRegex r, CharSequence line) {
        if (!charsKnown) {
            charsKnown = true;
            long low = 0;
            long high = 0;
            boolean ascii = true;
            for (int i = 0, n = line.length(); i < n; i++) {
                char c = line.charAt(i);
                if (c < 64) {
                    low |= 1L << c;
                } else if (c < 128) {
                    high |= 1L << (c - 64);
                } else {
                    ascii = false;
                    break;
                }
            }
            asciiOnly = ascii;
            charsLow = low;
            charsHigh = high;
        }
        return !asciiOnly || r.possibleIn(charsLow, charsHigh);
    }

    private static boolean isAsciiWord(char c) {
        return c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_');
    }

    /** The character ending at {@code i} (Python's {@code line[i-1:i]}), or NO_CHAR. */
    private static int charBefore(CharSequence line, int i) {
        return i >= 1 && i <= line.length() ? Character.codePointBefore(line, i) : NO_CHAR;
    }

    /** The character at {@code i} (Python's {@code line[i:i+1]}), or NO_CHAR. */
    private static int charAt(CharSequence line, int i) {
        return i >= 0 && i < line.length() ? Character.codePointAt(line, i) : NO_CHAR;
    }

    /** Python's str.isalnum() for one character. */
    private static boolean isAlnum(int cp) {
        if (cp == NO_CHAR) {
            return false;
        }
        if (Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** A template in this detector, with its counters. */
    private static final class Entry {
        final DateTemplate template;
        final Matcher matcher;
        /** Lines this template dated. */
        long hits;
        /** Times its expression matched at all (fail2ban's per-template count). */
        long regexHits;
        long lastUsed;
        int distance = FAR;

        Entry(DateTemplate template) {
            this.template = template;
            this.matcher = template.compiled.pattern.matcher("");
            matcher.useTransparentBounds(true);
            matcher.useAnchoringBounds(false);
        }

        double weight() {
            return hits * template.weight / Math.max(1, distance);
        }
    }

    /** The first {@code length} characters of a line, without copying. */
    private static final class LineView implements CharSequence {
        private CharSequence base;
        private int length;

        LineView of(CharSequence base, int length) {
            this.base = base;
            this.length = length;
            return this;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            if (index >= length) {
                throw new IndexOutOfBoundsException(index);
            }
            return base.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            if (end > length) {
                throw new IndexOutOfBoundsException(end);
            }
            return base.subSequence(start, end);
        }

        @Override
        public String toString() {
            return base.subSequence(0, length).toString();
        }
    }
}
