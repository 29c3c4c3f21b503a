package org.jfail2ban.filter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * fail2ban 1.0.2's default date templates, and the rules that turn one line of a
 * {@code datepattern} into a template. Built per detector (the {@code %ExY} window depends on
 * the year), compiled on first use.
 */
final class DateTemplateLibrary {

    /**
     * The default formats, in the order fail2ban tries them before hits reorder them. Each
     * that is not tied to the line start also gets a copy tied to it, tried first.
     */
    private static final String[] DEFAULTS = {
        // ISO 8601 and friends: 2005-01-23T21:59:59.981746, 2005/01/23 21:59:59, 2006.12.21 06:43:20 +0100
        "%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?",
        // syslog and asctime: Jan 23 21:59:59, Sun Jan 23 21:59:59.011 2005
        "(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
        // asctime with the year before the time: Sun Jan 23 2005 21:59:59.011
        "(?:%a )?%b %d %ExY %k:%M:%S(?:\\.%f)?",
        // day first: 23/01/2005 21:59:59, 23/01/05 21:59:59, 17-07-2008 17:23:25
        "%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S",
        // Apache and named: [31/Oct/2006:09:22:55 -0000], 26-Jul-2007 15:20:52.252 +0200
        "%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\\.%f)?(?: %z)?",
        // cPanel: 05/20/2008:01:57:39
        "%m/%d/%ExY:%H:%M:%S",
        // month first with fraction: 01-27-2012 16:22:44.252
        "%m-%d-%ExY %k:%M:%S(?:\\.%f)?",
        "EPOCH",
        // a time of day alone, at the start of the line
        "{^LN-BEG}%H:%M:%S",
        // <09/16/08@05:03:30>
        "^<%m/%d/%Exy@%H:%M:%S>",
        // MySQL: 130322 11:46:11
        "%Exy%Exm%Exd  ?%H:%M:%S",
        // Tomcat: Jan 23, 2005 9:59:59 PM
        "%b %d, %ExY %I:%M:%S %p",
        // ASSP: Apr-27-13 02:33:06
        "^%b-%d-%Exy %k:%M:%S",
        // compact ISO: 20050123T215959, 20050123 215959
        "%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\\s*%z)?",
        // a zone name first (monit): PDT Apr 16 21:05:29
        "(?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
        // an offset first: +00:00 Jan 23 21:59:59.011 2005
        "(?:%z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
        "TAI64N",
    };

    /** The keys of the line-start copies, known without building them. */
    private static final Set<String> ANCHORED_KEYS = anchoredKeys();

    private final Strptime strptime;
    private List<DateTemplate> originals;
    private List<DateTemplate> all;

    DateTemplateLibrary(Strptime strptime) {
        this.strptime = strptime;
    }

    private static Set<String> anchoredKeys() {
        Set<String> keys = new HashSet<>();
        for (String p : DEFAULTS) {
            if (!p.startsWith(DateTemplate.LINE_BEGIN_KEY) && !p.startsWith("^")) {
                keys.add(key(DateTemplate.LINE_BEGIN_KEY + (p.equals("EPOCH") ? "Epoch" : p)));
            }
        }
        return Set.copyOf(keys);
    }

    /** The default templates as listed. */
    List<DateTemplate> originals() {
        if (originals == null) {
            List<DateTemplate> l = new ArrayList<>();
            for (String p : DEFAULTS) {
                l.add(create(p, key(p)));
            }
            originals = List.copyOf(l);
        }
        return originals;
    }

    /** The default library: the line-start copies (weight 100) first, then the originals. */
    List<DateTemplate> all() {
        if (all == null) {
            List<DateTemplate> anchored = new ArrayList<>();
            for (DateTemplate t : originals()) {
                if (t.name.startsWith(DateTemplate.LINE_BEGIN_KEY) || t.name.startsWith("^")) {
                    continue;
                }
                String p = DateTemplate.LINE_BEGIN_KEY + (t.kind == DateTemplate.Kind.PATTERN ? t.pattern : t.name);
                DateTemplate a = create(p, key(p));
                if (!a.name.equals(t.name)) {
                    anchored.add(a.withWeight(100.0));
                }
            }
            anchored.addAll(originals());
            all = List.copyOf(anchored);
        }
        return all;
    }

    /** The key fail2ban looks patterns up by: keywords are case-insensitive where no % is. */
    static String key(String pattern) {
        return pattern.indexOf('%') >= 0 ? pattern : pattern.toUpperCase(Locale.ROOT);
    }

    /**
     * One pattern line: a keyword (EPOCH, LEPOCH, TAI64N, with ^ or {^LN-BEG}), {EPOCH} inside,
     * or strptime. A pattern that is one of the library's line-start copies is that copy, with
     * its weight: fail2ban shares one template per pattern.
     */
    DateTemplate fromPattern(String pattern) {
        String key = key(pattern);
        if (ANCHORED_KEYS.contains(key)) {
            for (DateTemplate t : all()) {
                if (t.weight > 1 && key.equals(key(t.kind == DateTemplate.Kind.PATTERN ? t.pattern : t.name))) {
                    return t;
                }
            }
        }
        return create(pattern, key);
    }

    private DateTemplate create(String pattern, String key) {
        if (key.contains("EPOCH")) {
            if (DateTemplate.EPOCH_KEY.matcher(pattern).find()) {
                return DateTemplate.epoch(false, key.contains("LEPOCH"), pattern);
            }
            switch (key) {
                case "EPOCH", "{^LN-BEG}EPOCH", "^EPOCH" -> {
                    return DateTemplate.epoch(!key.equals("EPOCH"), false, null);
                }
                case "LEPOCH", "{^LN-BEG}LEPOCH", "^LEPOCH" -> {
                    return DateTemplate.epoch(!key.equals("LEPOCH"), true, null);
                }
                default -> {
                    // an ordinary pattern that happens to contain the word
                }
            }
        }
        return switch (key) {
            case "TAI64N", "{^LN-BEG}TAI64N", "^TAI64N" -> DateTemplate.tai64n(!key.equals("TAI64N"));
            default -> DateTemplate.ofPattern(pattern, strptime);
        };
    }

    /**
     * A template rewritten by {@code wrap}: a strptime template through its pattern, the others
     * (Epoch, TAI64N) through their name, which then reads as a keyword again.
     */
    DateTemplate wrapped(DateTemplate t, UnaryOperator<String> wrap) {
        return fromPattern(wrap.apply(t.kind == DateTemplate.Kind.PATTERN ? t.pattern : t.name));
    }
}
