package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IpAddrTest {

    @Test
    void ipv4IsKeptAsWritten() {
        IpAddr ip = IpAddr.parse("192.0.2.1");
        assertTrue(ip.isIPv4());
        assertTrue(ip.isSingle());
        assertEquals("192.0.2.1", ip.toString());
        assertEquals("inet4", ip.family().tag());
    }

    @Test
    void notAnAddressStaysRaw() {
        for (String s : new String[] {"256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "example.com", "", "1:2:3",
            "::1::2", "1:2:3:4:5:6:7:8:9", "12345::1", "1.2.3.4:22"}) {
            IpAddr ip = IpAddr.parse(s);
            assertFalse(ip.isValid(), s);
            assertEquals(s, ip.toString());
            assertNull(IpAddr.parseOrNull(s), s);
        }
    }

    @Test
    void ipv6IsWrittenShortest() {
        assertEquals("2001:db8::1", IpAddr.parse("2001:0db8:0000:0000:0000:0000:0000:0001").toString());
        assertEquals("::1", IpAddr.parse("::1").toString());
        assertEquals("::", IpAddr.parse("::").toString());
        assertEquals("2001:db8:0:1::1", IpAddr.parse("2001:db8:0:1:0:0:0:1").toString());
        assertEquals("2001:db8::1:0:0:1", IpAddr.parse("2001:db8:0:0:1:0:0:1").toString());
        assertEquals("1::", IpAddr.parse("1:0:0:0:0:0:0:0").toString());
        assertEquals("fe80::1", IpAddr.parse("[FE80::1]").toString());
    }

    @Test
    void mappedIpv4BecomesIpv4() {
        IpAddr ip = IpAddr.parse("::ffff:192.0.2.7");
        assertTrue(ip.isIPv4());
        assertEquals("192.0.2.7", ip.toString());
        assertEquals(IpAddr.parse("192.0.2.7"), IpAddr.parse("::FFFF:c000:0207"));
    }

    @Test
    void networksClearHostBits() {
        assertEquals("10.0.0.0/8", IpAddr.parse("10.1.2.3/8").toString());
        assertEquals("192.168.1.0/24", IpAddr.parse("192.168.1.77/255.255.255.0").toString());
        assertEquals("2001:db8::/32", IpAddr.parse("2001:db8:1::/32").toString());
        assertEquals("1.2.3.4", IpAddr.parse("1.2.3.4/32").toString());
        assertThrows(IllegalArgumentException.class, () -> IpAddr.parse("1.2.3.4/33"));
        assertThrows(IllegalArgumentException.class, () -> IpAddr.parse("1.2.3.4/255.0.255.0"));
    }

    @Test
    void membership() {
        IpAddr net = IpAddr.parse("192.168.0.0/16");
        assertTrue(IpAddr.parse("192.168.44.1").isInNet(net));
        assertFalse(IpAddr.parse("192.169.0.1").isInNet(net));
        assertFalse(IpAddr.parse("::1").isInNet(net));
        assertTrue(IpAddr.parse("2001:db8::5").isInNet(IpAddr.parse("2001:db8::/64")));
        assertTrue(IpAddr.parse("127.0.0.1").isInNet(IpAddr.parse("127.0.0.1/8")));
        assertTrue(net.contains(IpAddr.parse("192.168.0.0")));
    }

    @Test
    void ptrNames() {
        assertEquals("4.3.2.1.in-addr.arpa.", IpAddr.parse("1.2.3.4").ptr());
        assertEquals("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
                IpAddr.parse("2001:db8::1").ptr());
        assertEquals("4.3.2.1.zen.example.", IpAddr.parse("1.2.3.4").ptr("zen.example."));
    }

    @Test
    void orderIsFamilyThenAddress() {
        assertTrue(IpAddr.parse("9.0.0.1").compareTo(IpAddr.parse("10.0.0.1")) < 0);
        assertTrue(IpAddr.parse("255.0.0.1").compareTo(IpAddr.parse("::1")) < 0);
    }
}
