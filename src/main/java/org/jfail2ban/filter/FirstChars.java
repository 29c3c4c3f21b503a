package org.jfail2ban.filter;

/**
 * The characters a match can start with, when a pattern is anchored at the start: lets a
 * filter turn down most of its failregexes with one look at the line's first character, before
 * any matcher runs. ASCII characters are known one by one; all others only as "possible".
 * Built by {@link PyRegexTranslator}, which gives none whenever in doubt.
 */
final class FirstChars {

    private long lo;
    private long hi;
    private boolean nonAscii;

    boolean accepts(char c) {
        if (c >= 128) {
            return nonAscii;
        }
        return c < 64 ? (lo & (1L << c)) != 0 : (hi & (1L << (c - 64))) != 0;
    }

    FirstChars add(int c, boolean ignoreCase) {
        if (c >= 128) {
            nonAscii = true;
            return this;
        }
        set(c);
        if (ignoreCase) {
            if (c >= 'a' && c <= 'z') {
                set(c - 32);
            } else if (c >= 'A' && c <= 'Z') {
                set(c + 32);
            }
            nonAscii = true; // Unicode case folding maps some other letters to ASCII ones (K, ſ)
        }
        return this;
    }

    FirstChars addRange(int from, int to, boolean ignoreCase) {
        if (to >= 128) {
            nonAscii = true;
        }
        for (int c = from; c <= Math.min(to, 127); c++) {
            add(c, ignoreCase);
        }
        return this;
    }

    FirstChars anyNonAscii() {
        nonAscii = true;
        return this;
    }

    FirstChars addAll(FirstChars o) {
        lo |= o.lo;
        hi |= o.hi;
        nonAscii |= o.nonAscii;
        return this;
    }

    /** Every character this set does not accept; all non-ASCII ones stay possible. */
    FirstChars complement() {
        FirstChars c = new FirstChars();
        c.lo = ~lo;
        c.hi = ~hi;
        c.nonAscii = true;
        return c;
    }

    private void set(int c) {
        if (c < 64) {
            lo |= 1L << c;
        } else {
            hi |= 1L << (c - 64);
        }
    }
}
