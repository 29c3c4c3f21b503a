package org.jfail2ban.filter;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fixed time-zone offsets as fail2ban understands them, in {@code logtimezone} and in the
 * {@code %z}/{@code %Z} fields of a log line: an optional upper-case abbreviation from a fixed
 * table ({@code UTC}, {@code CET}, {@code EST} ...) followed by an optional offset {@code +hh},
 * {@code +hhmm} or {@code +hh:mm}; e.g. {@code UTC+0200}, {@code -05:00}, {@code CEST},
 * {@code GMT+12}, {@code CET+0130}. Abbreviations are fixed offsets: {@code CET} never turns
 * into summer time. Nothing else is accepted: no region names, no lower case.
 */
final class TimeZoneOffsets {

    private static final Pattern FIXED = Pattern.compile(
            "([A-Z](?:[A-Z]{2,4})?)?([+-][01]\\d(?::?\\d{2})?)?$",
            Pattern.UNIX_LINES | Pattern.UNICODE_CHARACTER_CLASS);

    /** Abbreviation to offset in minutes; the one-letter names are the military zones. */
    private static final Map<String, Integer> ABBREVIATIONS = abbreviations();

    private TimeZoneOffsets() {
    }

    private static Map<String, Integer> abbreviations() {
        // offset in hours, then the names that carry it
        String[] table = {
            "-12 Y",
            "-11 X NUT SST",
            "-10 W CKT HAST HST TAHT TKT",
            "-9.5 MART MIT",
            "-9 V AKST GAMT GIT HADT HNY",
            "-8 U AKDT CIST HAY HNP PST PT",
            "-7 T HAP HNR MST PDT",
            "-6 S CST EAST GALT HAR HNC MDT",
            "-5 R CDT COT EASST ECT EST ET HAC HNE PET",
            "-4.5 HLV VET",
            "-4 Q AST BOT CLT COST EDT FKT GYT HAE HNA PYT",
            "-3.5 HNT NST NT",
            "-3 P ADT ART BRT CLST FKST GFT HAA PMST PYST SRT UYT WGT",
            "-2.5 HAT NDT",
            "-2 O BRST FNT PMDT UYST WGST",
            "-1 N AZOT CVT EGT",
            "0 Z EGST GMT UTC WET WT",
            "1 A CET DFT WAT WEDT WEST",
            "2 B CAT CEDT CEST EET SAST WAST",
            "3 C EAT EEDT EEST IDT MSK",
            "3.5 IRST",
            "4 D AMT AZT GET GST KUYT MSD MUT RET SAMT SCT",
            "4.5 AFT IRDT",
            "5 E AMST AQTT AZST HMT MAWT MVT PKT TFT TJT TMT UZT YEKT",
            "5.5 SLT",
            "5.75 NPT",
            "6 F ALMT BIOT BTT IOT KGT NOVT OMST YEKST",
            "6.5 CCT MMT",
            "7 G CXT DAVT HOVT ICT KRAT NOVST OMSST THA WIB",
            "8 H ACT AWST BDT BNT CAST HKT IRKT KRAST MYT PHT SGT ULAT WITA WST",
            "9 I AWDT IRKST JST KST PWT TLT WDT WIT YAKT",
            "9.5 ACST",
            "10 K AEST ChST PGT VLAT YAKST YAPT",
            "10.5 ACDT LHST",
            "11 L AEDT LHDT MAGT NCT PONT SBT VLAST VUT",
            "11.5 NFT",
            "12 M ANAST ANAT FJT GILT MAGST MHT NZST PETST PETT TVT WFT",
            "13 FJST NZDT",
        };
        Map<String, Integer> m = new HashMap<>();
        for (String row : table) {
            String[] w = row.split(" ");
            int minutes = (int) Math.round(Double.parseDouble(w[0]) * 60);
            for (int i = 1; i < w.length; i++) {
                m.put(w[i], minutes);
            }
        }
        return Map.copyOf(m);
    }

    /**
     * The offset in minutes east of UTC, or {@link Integer#MIN_VALUE} when {@code text} is no
     * offset fail2ban knows. The empty text is UTC, as in fail2ban.
     */
    static int minutesOrInvalid(CharSequence text) {
        Matcher m = FIXED.matcher(text);
        if (!m.lookingAt()) {
            return Integer.MIN_VALUE;
        }
        int minutes = 0;
        if (m.start(1) >= 0) {
            Integer base = ABBREVIATIONS.get(m.group(1));
            if (base == null) {
                return Integer.MIN_VALUE;
            }
            minutes = base;
        }
        if (m.start(2) >= 0) {
            String off = m.group(2);
            int sign = off.charAt(0) == '-' ? -1 : 1;
            int hours = digits(off, 1, 3);
            int mins = 0;
            if (off.length() > 3) {
                int at = off.charAt(3) == ':' ? 4 : 3;
                mins = digits(off, at, at + 2);
            }
            minutes += sign * (hours * 60 + mins);
        }
        return minutes;
    }

    /** Like {@link #minutesOrInvalid} but for configuration: a bad zone is an error. */
    static int minutes(String text) {
        int m = minutesOrInvalid(text);
        if (m == Integer.MIN_VALUE) {
            throw new IllegalArgumentException("Unknown or unsupported time zone: '" + text
                    + "' (expected UTC, an abbreviation such as CET, an offset such as +0200 or -05:00, or both: UTC+0200)");
        }
        return m;
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            v = v * 10 + Character.digit(s.charAt(i), 10);
        }
        return v;
    }
}
