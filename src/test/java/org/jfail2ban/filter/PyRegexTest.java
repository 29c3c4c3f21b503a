package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The Python dialect against Python itself: each case is compiled and searched by the machine's
 * Python {@code re} and by our translation; errors, spans and every group must agree.
 */
class PyRegexTest {

    private static final String SSHD_FAILED = "^Failed \\S+ for (?P<cond_inv>invalid user )?(?P<user>(?P<cond_user>\\S+)|"
            + "(?(cond_inv)(?:(?! from ).)*?|[^:]+)) from (?P<ip4>(?:\\d{1,3}\\.){3}\\d{1,3})(?: (?:port \\d+|on \\S+)){0,2}"
            + "(?: ssh\\d*)?(?(cond_user): |(?:(?:(?! from ).)*)$)";

    private static List<PythonRe.Case> cases() {
        List<PythonRe.Case> c = new ArrayList<>();
        // named groups, names with '_' and digits, backreferences by name and number
        add(c, "(?P<user_1>\\w+) (?P=user_1)", "bob bob", "bob alice");
        add(c, "(?P<a>x)(y)\\2\\1", "xyyx", "xyxy");
        add(c, "(a)|(b)", "b", "a");
        add(c, "(?:(a)|b)*", "ab", "ba");
        // conditionals, as the stock sshd filter uses them
        add(c, "(?P<q>\")?\\w+(?(q)\"|!)", "\"abc\"", "abc!", "\"abc!", "abc\"");
        add(c, "(a)?(?(1)b|c)", "ab", "c", "ac", "b");
        add(c, "(a)?x(?(1)b)", "axb", "x", "ax");
        add(c, "^(?:(a)|b)+(?(1)y|n)$", "bay", "ban", "bbn", "aby");
        add(c, SSHD_FAILED,
                "Failed password for invalid user ROOT from 194.117.26.69 port 50273 ssh2",
                "Failed password for root from 1.2.3.4 port 22 ssh2",
                "Failed password for invalid user from 1.2.3.4 port 22 ssh2: RSA x",
                "Failed password for invalid user a from b from 1.2.3.4 port 22 ssh2",
                "Failed publickey for git from 1.2.3.4 port 22 ssh2: RSA SHA256:xyz",
                "Failed none for invalid user  from 1.2.3.4 port 22",
                "Failed password for user with: colon from 1.2.3.4");
        // global and scoped flags
        add(c, "(?i)abc", "xABCx");
        add(c, "(?i:ab)c", "ABc", "ABC");
        add(c, "a(?-i:b)c", "abc");
        add(c, "(?s)a.b", "a\nb");
        add(c, "a.b", "a\nb", "a\rb", "a\u2028b");
        add(c, "(?x) a b  # comment\n c", "abc");
        add(c, "(?x)[ ]a", " a");
        add(c, "(?a)\\w+", "é1_a");
        add(c, "(?i)straße", "STRASSE", "Straße");
        // anchors and Python's $ before a final newline
        add(c, "^abc$", "abc\n", "abc\n\n", "abc\r\n", "xabc");
        add(c, "abc\\Z", "abc\n", "abc");
        add(c, "\\Aabc", "abc", "xabc");
        addM(c, "^b$", "a\nb\nc", "a\nb", "b\n");
        addM(c, "^$", "a\n", "\n");
        addM(c, "x$\\n^y", "x\ny");
        // Python's Unicode classes
        add(c, "\\d+", "x٣4y", "²");
        add(c, "\\w+", "é_ß٣ⅷ²", "·");
        add(c, "\\s+", "a\u00a0\u2003\u001c\u0085b", "a\u200bb");
        add(c, "\\S+", "\u00a0x\u00a0");
        add(c, "[\\d\\s]+", "1 2\u00a03");
        add(c, "[^\\W\\d]+", "12ab_3");
        add(c, "[^\\S]+", "ab \t cd");
        add(c, "\\bfoo\\b", "a foo b", "afoo", "éfoo", "foo");
        add(c, "\\Bo\\B", "foo", "o", "xoy");
        add(c, "\\B", "", "a");
        // character classes: ], -, &, [, escapes
        add(c, "[]a]+", "]a]");
        add(c, "[^]a]+", "]a]bc");
        add(c, "[a-]+", "-a-");
        add(c, "[&&x]+", "a&&x");
        add(c, "[[a]+", "[a[");
        add(c, "[\\]\\\\]+", "\\]x");
        add(c, "[\\b]", "a\bb");
        add(c, "[\\x41-\\x43]+", "ABCD");
        add(c, "[\\u00e9]", "é");
        add(c, "[.^$*+?{}()|]+", "x.^$*+?{}()|");
        // quantifiers, Python's {,n} and literal braces
        add(c, "a{,2}", "aaa");
        add(c, "a{2}", "aaa");
        add(c, "a{2,}?", "aaaa");
        add(c, "x{", "x{");
        add(c, "x{}", "x{}");
        add(c, "x{a}", "x{a}");
        add(c, "x{1,2", "x{1,2");
        add(c, "a}", "a}");
        add(c, "(?:ab)++c", "ababc");
        add(c, "(?>a+)b", "aab");
        // escapes
        add(c, "\\x41\\u0042\\U00000043\\101\\0", "ABCA\0");
        add(c, "\\N{EM DASH}", "a—b");
        add(c, "\\.\\-\\#\\ ", ".-# ");
        add(c, "\\t\\n\\r\\f\\v\\a", "\t\n\r\f\u000b\u0007");
        // lookarounds and comments
        add(c, "(?<=:):", "a::b", ":");
        add(c, "(?<!x)y", "xy", "ay");
        add(c, "a(?#comment)b", "ab");
        add(c, "a(?=b)", "ab", "ac");
        // fail2ban's IPv6 pattern
        add(c, "(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):))",
                "from 2001:db8::1 port", "from ::1 port", "from fe80::", "from 1:2:3:4:5:6:7:8 x");
        // non-BMP text
        add(c, "(.)x", "😀x");
        // anchored patterns: the first-character shortcut must never turn down a match
        add(c, "^a?b", "b", "ab", "cb");
        add(c, "^(?:ab|cd)e", "cde", "xe", "abe");
        add(c, "(?i)^abc", "ABC", "aBc", "xbc");
        add(c, "^(?i:k)x", "\u212ax", "Kx", "kx", "lx");
        add(c, "^[^a]b", "xb", "ab", "éb");
        add(c, "^\\s*x", " x", "x", "\u00a0x", "\u2003x", "y");
        add(c, "^\\S", "\u00a0", "é", " ");
        add(c, "^.x", "\nx", "ax", "éx");
        add(c, "^(?=a)ab", "ab", "b");
        add(c, "^(a|)b", "b", "ab");
        add(c, "^x*y", "y", "xy");
        add(c, "^x{0}y", "y");
        add(c, "^\\w+", "é", "_", "-");
        add(c, "^\\d", "٣", "3", "a");
        add(c, "^[a-c\\d]x", "bx", "5x", "٣x", "dx");
        add(c, "^\\x41|b", "A", "b", "cb");
        add(c, "\\A(?P<x>a)+b", "aab", "b");
        add(c, "^(?:(?P<x>a)|b)(?(x)c|d)", "ac", "bd", "cd");
        // patterns Python refuses
        add(c, "[] authentication failed", "x");
        add(c, "(a", "a");
        add(c, "a)", "a");
        add(c, "*a", "a");
        add(c, "a**", "a");
        add(c, "a{2,1}", "a");
        add(c, "\\q", "q");
        add(c, "a\\", "a");
        add(c, "(?P<a-b>x)", "x");
        add(c, "(?P<a>x)(?P<a>y)", "xy");
        add(c, "(?P=nope)", "x");
        add(c, "(a)\\2", "a");
        add(c, "(a\\1)", "a");
        add(c, "(a)(?(2)b|c)", "a");
        add(c, "(?(1)a|b|c)", "a");
        add(c, "(?(x)a|b)", "a");
        add(c, "(?<n>a)", "a");
        add(c, "(?Px)", "a");
        add(c, "(?", "a");
        add(c, "(?z)", "a");
        add(c, "[z-a]", "a");
        add(c, "[\\d-z]", "a");
        add(c, "\\x4", "a");
        add(c, "\\777", "a");
        add(c, "^*", "a");
        add(c, "(?i-i:a)", "a");
        add(c, "(?P<>a)", "a");
        add(c, "(?P<a", "a");
        add(c, "ab\n(c", "a");
        return c;
    }

    private static void add(List<PythonRe.Case> c, String p, String... texts) {
        for (String t : texts) {
            c.add(new PythonRe.Case(p, false, t));
        }
    }

    private static void addM(List<PythonRe.Case> c, String p, String... texts) {
        for (String t : texts) {
            c.add(new PythonRe.Case(p, true, t));
        }
    }

    @Test
    void agreesWithPython() {
        List<PythonRe.Case> cases = cases();
        List<PythonRe.Answer> py = PythonRe.ask(cases);
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            PythonRe.Case c = cases.get(i);
            String want = describe(py.get(i));
            String got = ours(c);
            if (!want.equals(got)) {
                diffs.add(c.pattern() + "  on " + c.text().replace("\n", "\\n") + "\n   python: " + want + "\n   ours:   " + got);
            }
        }
        assertEquals("", String.join("\n", diffs));
    }

    private static String describe(PythonRe.Answer a) {
        if (a.error() != null) {
            return "error: " + a.error();
        }
        if (a.span() == null) {
            return "no match";
        }
        return a.span() + " " + a.groups();
    }

    private static String ours(PythonRe.Case c) {
        PyRegex r;
        try {
            r = PyRegex.compile(c.pattern(), c.multiline(), c.pattern());
        } catch (RegexException e) {
            return "error: " + e.getMessage().substring(e.getMessage().indexOf("':\n") + 3);
        }
        Matcher m = r.pattern().matcher(c.text());
        if (!r.search(m)) {
            return "no match";
        }
        String t = c.text();
        List<String> groups = new ArrayList<>();
        for (int g = 1; g <= r.groupCount(); g++) {
            groups.add(m.group(r.javaGroup(g)));
        }
        return List.of(t.codePointCount(0, m.start()), t.codePointCount(0, m.end())) + " " + groups;
    }

    /** \s, \d and \w as Python has them, over all of Unicode but the characters newer than Java 17 knows. */
    @Test
    void classesAgreeOverAllOfUnicode() {
        String script = String.join("\n",
                "import re, sys",
                "for p in (r'\\s', r'\\d', r'\\w'):",
                "    r = re.compile(p)",
                "    print(' '.join(str(c) for c in range(0x110000) if r.match(chr(c))))");
        org.jfail2ban.testing.Proc.Result py = org.jfail2ban.testing.Proc.run(
                List.of(org.jfail2ban.testing.Oracle.python(), "-c", script)).assertOk();
        String[] lines = py.out().split("\n");
        String[] pats = {"\\s", "\\d", "\\w"};
        for (int k = 0; k < 3; k++) {
            java.util.Set<Integer> want = new java.util.HashSet<>();
            for (String n : lines[k].trim().split(" ")) {
                want.add(Integer.parseInt(n));
            }
            PyRegex r = PyRegex.compile(pats[k], false, pats[k]);
            Matcher m = r.pattern().matcher("");
            List<String> diff = new ArrayList<>();
            for (int cp = 0; cp < 0x110000; cp++) {
                if (Character.getType(cp) == Character.SURROGATE) {
                    continue;
                }
                boolean ours = m.reset(new String(Character.toChars(cp))).matches();
                if (ours != want.contains(cp)
                        && Character.getType(cp) != Character.UNASSIGNED) {
                    diff.add(Integer.toHexString(cp));
                }
            }
            assertEquals(List.of(), diff, pats[k]);
        }
    }

    @Test
    void globalFlagsInMidPatternApplyToTheWholePattern() {
        // Python before 3.11 applied them so (3.11 refuses them); filters were written for that
        PyRegex r = PyRegex.compile("abc(?i)def", false, "abc(?i)def");
        assertTrue(r.search(r.pattern().matcher("ABCDEF")));
    }

    @Test
    void errorNamesTheRegexAndThePosition() {
        RegexException e = assertThrows(RegexException.class,
                () -> PyRegex.compile("^Failed (\\S+ for <HOST>", false, "^Failed (\\S+ for <HOST>"));
        assertEquals("Unable to compile regular expression '^Failed (\\S+ for <HOST>':\n"
                + "missing ), unterminated subpattern at position 8", e.getMessage());
        assertEquals(8, e.position());
    }
}
