package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** Python regular expressions of date templates, as java.util.regex runs them. */
class DateRegexTest {

    private static Matcher find(String python, String text) {
        Matcher m = DateRegex.compile(python).pattern.matcher(text);
        assertTrue(m.find(), python + " in " + text);
        return m;
    }

    private static boolean finds(String python, String text) {
        return DateRegex.compile(python).pattern.matcher(text).find();
    }

    @Test
    void namedGroupsKeepPythonNumbersAndNames() {
        DateRegex r = DateRegex.compile("(?P<Y>\\d{4})(?P<_sep>[-/.])(\\d\\d)(?P=_sep)(?P<d>\\d\\d)");
        assertEquals(4, r.groupCount());
        assertEquals(1, r.group("Y"));
        assertEquals(2, r.group("_sep"));
        assertEquals(4, r.group("d"));
        assertEquals(-1, r.group("m"));
        Matcher m = r.pattern.matcher("2005/01/23");
        assertTrue(m.matches());
        assertEquals("01", m.group(3));
        assertFalse(r.pattern.matcher("2005/01-23").matches(), "the separator must repeat");
    }

    @Test
    void pythonSyntaxJavaReadsOtherwise() {
        assertTrue(finds("a{", "a{"), "a brace that is no quantifier is a brace");
        assertTrue(finds("x{}", "x{}"));
        assertEquals("aaa", find("^a{,3}", "aaaa").group(), "{,n} means {0,n}");
        assertTrue(finds("[[]", "["), "[ inside a class");
        assertTrue(finds("[]a]", "]"), "] first in a class");
        assertTrue(finds("[a&&b]", "&"), "&& is no intersection");
        assertTrue(finds("[\\b]", "\b"), "\\b in a class is a backspace");
        assertTrue(finds("a\\Z", "a"));
        assertFalse(finds("a\\Z", "a\n"), "\\Z is the very end");
        assertTrue(finds("a$", "a\n"), "$ before a final newline");
        assertFalse(finds("a$", "a\r"), "only \\n ends a line");
        assertTrue(finds("\\x41\\u0042\\U00000043\\N{LATIN SMALL LETTER D}", "ABCd"));
        assertTrue(finds("\\101", "A"), "octal");
        assertTrue(finds("(a)\\1", "aa"));
        assertTrue(finds("a(?#comment)b", "ab"));
        assertTrue(finds("\\d", "\u0663"), "digits of any script, as in Python");
    }

    @Test
    void flags() {
        assertTrue(finds("(?iu)jan", "JAN"));
        assertFalse(finds("jan", "JAN"));
        assertTrue(finds("a(?i:b)c", "aBc"));
        assertFalse(finds("a(?i:b)c", "aBC"));
        assertTrue(finds("(?x) a b # comment", "ab"));
        assertFalse(finds("(?a)\\d", "\u0663"), "ASCII mode");
    }

    @Test
    void whatPythonRefusesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("(?P<a>x)(?P<a>y)"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("(?P=nope)"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("a(?i)b"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("\\q"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("(a"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("a)"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("*a"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("a**"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("[z-a]"));
        assertThrows(IllegalArgumentException.class, () -> DateRegex.compile("(?<name>x)"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DateRegex.compile("(?P<s>\\[)?x(?(s)\\])"));
        assertTrue(e.getMessage().contains("conditional"), e.getMessage());
    }

    @Test
    void firstCharactersAndRequiredCharacters() {
        DateRegex iso = DateRegex.compile("(?=^|\\b|\\W)((?P<Y>20\\d\\d)-(?P<m>\\d\\d))(?=\\b|\\W|$)");
        assertTrue(iso.scannable);
        assertTrue(iso.wordStart);
        assertTrue(iso.mayStartWith('2'));
        assertFalse(iso.mayStartWith('1'));
        assertFalse(iso.mayStartWith('a'));
        assertTrue(iso.mayStartWith('\u00e9'), "beyond ASCII: always maybe");

        DateRegex month = DateRegex.compile("(?iu)(?:(?P<a>mon|tue) )?(?P<b>jan|feb) \\d");
        for (char c : "mtjfMTJF".toCharArray()) {
            assertTrue(month.mayStartWith(c), String.valueOf(c));
        }
        assertFalse(month.mayStartWith('x'));
        assertFalse(month.mayStartWith(' '));

        DateRegex optional = DateRegex.compile("a?");
        assertFalse(optional.scannable, "can match empty anywhere");

        DateRegex time = DateRegex.compile("(?P<H>\\d\\d):(?P<M>\\d\\d)");
        assertTrue(time.possibleIn(bits("12:34")[0], bits("12:34")[1]));
        long[] noColon = bits("12 34");
        assertFalse(time.possibleIn(noColon[0], noColon[1]), "every match has a ':'");
        long[] noDigit = bits("ab:cd");
        assertFalse(time.possibleIn(noDigit[0], noDigit[1]), "every match has a digit");
    }

    @Test
    void anchoredAtStart() {
        assertTrue(DateRegex.compile("^(?:\\W{0,2})?(\\d+)").anchoredAtStart);
        assertTrue(DateRegex.compile("(?iu)^x").anchoredAtStart);
        assertFalse(DateRegex.compile("^a|b").anchoredAtStart);
        assertFalse(DateRegex.compile("(?m)^a").anchoredAtStart);
        assertFalse(DateRegex.compile("(^a)").anchoredAtStart);
    }

    private static long[] bits(String s) {
        long[] b = new long[2];
        for (char c : s.toCharArray()) {
            b[c >> 6] |= 1L << (c & 63);
        }
        return b;
    }
}
