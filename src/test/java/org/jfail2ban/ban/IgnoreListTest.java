package org.jfail2ban.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jfail2ban.filter.IpAddr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IgnoreListTest {

    @TempDir
    Path tmp;

    private final List<String> lookups = new ArrayList<>();

    private IgnoreList list() {
        IgnoreList l = new IgnoreList(Clock.systemUTC(), host -> {
            lookups.add(host);
            return host.equals("trusted.example") ? List.of(IpAddr.parse("198.51.100.7")) : List.of();
        });
        l.setIgnoreSelf(false);
        return l;
    }

    private static Function<String, String> tags(String ip) {
        return t -> t.equals("ip") ? ip : null;
    }

    private static String check(IgnoreList l, String ip) {
        return l.check(ip, IpAddr.parseOrNull(ip), tags(ip));
    }

    @Test
    void addressesNetworksAndHostNames() {
        IgnoreList l = list();
        assertTrue(l.add("192.0.2.1"));
        assertFalse(l.add("192.0.2.1"));
        assertTrue(l.add("10.0.0.0/8"));
        assertTrue(l.add("2001:db8::/32"));
        assertTrue(l.add("trusted.example"));
        assertEquals(List.of("10.0.0.0/8", "2001:db8::/32", "trusted.example", "192.0.2.1"), l.list());
        assertEquals("ip", check(l, "192.0.2.1"));
        assertEquals("ip", check(l, "10.20.30.40"));
        assertEquals("ip", check(l, "2001:db8:1::5"));
        assertEquals("dns", check(l, "198.51.100.7"));
        assertNull(check(l, "198.51.100.8"));
        l.remove("10.0.0.0/8");
        assertNull(check(l, "10.20.30.40"));
        assertThrows(IllegalArgumentException.class, () -> l.remove("10.0.0.0/8"));
    }

    @Test
    void hostNamesAreResolvedOnceForAWhile() {
        IgnoreList l = list();
        l.add("trusted.example");
        check(l, "198.51.100.8");
        check(l, "198.51.100.9");
        assertEquals(1, lookups.stream().filter("trusted.example"::equals).count());
    }

    @Test
    void ignoreselfCoversTheLoopback() {
        IgnoreList l = list();
        assertNull(check(l, "127.0.0.1"));
        l.setIgnoreSelf(true);
        assertEquals("ignoreself rule", check(l, "127.0.0.1"));
        assertEquals("ignoreself rule", check(l, "::1"));
    }

    @Test
    void ignorecommandGetsTheAddressAndDecidesByItsExitStatus() throws Exception {
        IgnoreList l = list();
        Path seen = tmp.resolve("seen");
        l.setCommand("echo <ip> >> " + seen + "; test <ip> = 192.0.2.5");
        assertEquals("command", check(l, "192.0.2.5"));
        assertNull(check(l, "192.0.2.6"));
        assertEquals("192.0.2.5\n192.0.2.6\n", Files.readString(seen));
    }

    @Test
    void valuesFromLogLinesNeverBecomeShellSyntax() throws Exception {
        IgnoreList l = list();
        Path seen = tmp.resolve("seen");
        Path pwned = tmp.resolve("pwned");
        l.setCommand("printf '%s\\n' <F-USER> >> " + seen);
        String evil = "x; touch " + pwned + " $(touch " + pwned + ") `touch " + pwned + "`";
        l.check("192.0.2.9", IpAddr.parse("192.0.2.9"), t -> t.equals("F-USER") ? evil : null);
        assertFalse(Files.exists(pwned));
        assertEquals(evil + "\n", Files.readString(seen));
    }

    @Test
    void theCacheAnswersRepeatedQuestionsWithoutTheCommand() throws Exception {
        IgnoreList l = list();
        Path seen = tmp.resolve("seen");
        l.setCommand("echo <ip> >> " + seen + "; exit 1");
        l.setCache("<ip>", 100, 300);
        assertEquals(List.of("<ip>", 100L, 300L), l.cacheSettings());
        check(l, "192.0.2.7");
        check(l, "192.0.2.7");
        assertEquals("192.0.2.7\n", Files.readString(seen));
        l.setCache(null, 0, 0);
        assertNull(l.cacheSettings());
    }

    @Test
    void rawIdsMatchExactly() {
        IgnoreList l = list();
        l.add("someuser");
        assertEquals("ip", l.check("someuser", null, t -> null));
        assertNull(l.check("other", null, t -> null));
    }
}
