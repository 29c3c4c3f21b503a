package org.jfail2ban.filter;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address or network, normalised the way fail2ban normalises it: an
 * IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.4}) becomes the IPv4 address, IPv6 is written
 * in its shortest form, a network keeps its prefix length ({@code 10.0.0.0/8}) and has its
 * host bits cleared. A text that is no address (a host name) stays "raw" and compares by text.
 *
 * <p>Parsing never touches DNS: this type is used on every log line, and a log line must not be
 * able to make the daemon wait on a resolver.
 */
public final class IpAddr implements Comparable<IpAddr> {

    /** The address family as fail2ban names it in actions ({@code <family>}). */
    public enum Family {
        INET4("inet4", 32), INET6("inet6", 128), RAW(null, 0);

        private final String tag;
        private final int bits;

        Family(String tag, int bits) {
            this.tag = tag;
            this.bits = bits;
        }

        /** "inet4", "inet6", or null for a raw (non-address) value. */
        public String tag() {
            return tag;
        }
    }

    private final Family family;
    /** 4 or 16 bytes in network order; empty for RAW. */
    private final byte[] addr;
    private final int plen;
    private final String raw;
    private final String text;

    private IpAddr(Family family, byte[] addr, int plen, String raw) {
        this.family = family;
        this.addr = addr;
        this.plen = plen;
        this.raw = raw;
        this.text = family == Family.RAW ? raw : format();
    }

    /**
     * Parses an address, an address with a prefix ({@code /24}) or a mask
     * ({@code /255.255.255.0}), optionally in brackets ({@code [::1]}). Anything else becomes a
     * raw value (see {@link #isValid()}).
     */
    public static IpAddr parse(String s) {
        Objects.requireNonNull(s, "address");
        String t = s;
        if (t.length() > 2 && t.charAt(0) == '[' && t.charAt(t.length() - 1) == ']') {
            t = t.substring(1, t.length() - 1);
        }
        int slash = t.indexOf('/');
        if (slash < 0) {
            return single(t, s);
        }
        String host = t.substring(0, slash);
        String mask = t.substring(slash + 1);
        if (mask.indexOf('/') >= 0) {
            throw new IllegalArgumentException("invalid address '" + s + "': too many prefix lengths");
        }
        int prefix;
        if (mask.indexOf('.') >= 0 || mask.indexOf(':') >= 0) {
            prefix = maskToPrefix(mask);
        } else {
            try {
                prefix = Integer.parseInt(mask);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid address '" + s + "': bad prefix length", e);
            }
        }
        byte[] b = parseV4(host);
        Family f = Family.INET4;
        if (b == null) {
            b = parseV6(host);
            f = Family.INET6;
        }
        if (b == null) {
            return new IpAddr(Family.RAW, new byte[0], 0, s);
        }
        if (prefix < 0 || prefix > f.bits) {
            throw new IllegalArgumentException("invalid address '" + s + "': prefix length out of range");
        }
        clearHostBits(b, prefix);
        return new IpAddr(f, b, prefix, s);
    }

    /** fail2ban's ways of reading a failure id, the {@code cidr} argument of {@link #of}. */
    static final int CIDR_RAW = -2;
    static final int CIDR_UNSPEC = -1;
    static final int FAM_IPV4 = -4;
    static final int FAM_IPV6 = -12;

    /**
     * Reads a failure id as fail2ban's filter does: {@link #CIDR_RAW} keeps the text as it is,
     * {@link #CIDR_UNSPEC} parses it as {@link #parse} (a text that is no address stays raw),
     * {@link #FAM_IPV4} / {@link #FAM_IPV6} accept only that family (no brackets, no prefix), and
     * a prefix length {@code >= 0} gives a network with its host bits cleared.
     */
    static IpAddr of(String s, int cidr) {
        if (cidr == CIDR_UNSPEC) {
            try {
                return parse(s);
            } catch (IllegalArgumentException e) {
                return new IpAddr(Family.RAW, new byte[0], 0, s);
            }
        }
        byte[] b = null;
        Family f = Family.INET4;
        if (cidr == FAM_IPV4 || cidr >= 0) {
            b = parseV4(s);
        }
        if (b == null && (cidr == FAM_IPV6 || cidr >= 0)) {
            b = parseV6(s);
            f = Family.INET6;
        }
        if (b == null) {
            return new IpAddr(Family.RAW, new byte[0], 0, s);
        }
        if (cidr < 0) {
            if (f == Family.INET6 && isV4Mapped(b)) {
                return new IpAddr(Family.INET4, Arrays.copyOfRange(b, 12, 16), 32, s);
            }
            return new IpAddr(f, b, f.bits, s);
        }
        if (cidr < f.bits) {
            clearHostBits(b, cidr);
        }
        return new IpAddr(f, b, cidr, s);
    }

    /** Parses text that must be a single address; returns null when it is not one. */
    public static IpAddr parseOrNull(String s) {
        IpAddr ip = parse(s);
        return ip.isValid() ? ip : null;
    }

    private static IpAddr single(String t, String original) {
        byte[] b = parseV4(t);
        if (b != null) {
            return new IpAddr(Family.INET4, b, 32, original);
        }
        b = parseV6(t);
        if (b != null) {
            if (isV4Mapped(b)) {
                return new IpAddr(Family.INET4, Arrays.copyOfRange(b, 12, 16), 32, original);
            }
            return new IpAddr(Family.INET6, b, 128, original);
        }
        return new IpAddr(Family.RAW, new byte[0], 0, original);
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static void clearHostBits(byte[] b, int prefix) {
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
    }

    private static int maskToPrefix(String mask) {
        IpAddr m = single(mask, mask);
        if (!m.isValid()) {
            throw new IllegalArgumentException("invalid mask '" + mask + "'");
        }
        BigInteger v = new BigInteger(1, m.addr);
        int bits = m.family.bits;
        int ones = v.not().and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)).bitLength();
        int prefix = bits - ones;
        BigInteger expect = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        if (!expect.equals(v)) {
            throw new IllegalArgumentException("invalid mask '" + mask + "', no prefix length representation");
        }
        return prefix;
    }

    /** inet_pton(AF_INET): four decimal octets, no leading zeros, nothing else. */
    static byte[] parseV4(CharSequence s) {
        int n = s.length();
        if (n < 7 || n > 15) {
            return null;
        }
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) {
                    return null; // leading zero
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255 || ++digits > 3) {
                    return null;
                }
            } else if (c == '.') {
                if (value < 0 || part == 3) {
                    return null;
                }
                out[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else {
                return null;
            }
        }
        if (value < 0 || part != 3) {
            return null;
        }
        out[3] = (byte) value;
        return out;
    }

    /** inet_pton(AF_INET6), including an embedded dotted IPv4 tail. */
    static byte[] parseV6(CharSequence s) {
        int n = s.length();
        if (n < 2 || n > 45) {
            return null;
        }
        byte[] out = new byte[16];
        int pos = 0;
        int gap = -1;
        int i = 0;
        if (s.charAt(0) == ':') {
            if (s.charAt(1) != ':') {
                return null;
            }
            i = 1;
        }
        int groupStart = i;
        int value = 0;
        int digits = 0;
        for (; i < n; i++) {
            char c = s.charAt(i);
            int d = Character.digit(c, 16);
            if (d >= 0 && c < 128) {
                if (++digits > 4) {
                    return null;
                }
                value = (value << 4) | d;
                continue;
            }
            if (c == ':') {
                groupStart = i + 1;
                if (digits == 0) {
                    if (gap >= 0) {
                        return null; // a second "::"
                    }
                    gap = pos;
                    continue;
                }
                if (i + 1 >= n || pos + 2 > 16) {
                    return null;
                }
                out[pos++] = (byte) (value >> 8);
                out[pos++] = (byte) value;
                value = 0;
                digits = 0;
                continue;
            }
            if (c == '.' && pos + 4 <= 16) {
                byte[] v4 = parseV4(s.subSequence(groupStart, n));
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, pos, 4);
                pos += 4;
                digits = 0;
                break;
            }
            return null;
        }
        if (digits > 0) {
            if (pos + 2 > 16) {
                return null;
            }
            out[pos++] = (byte) (value >> 8);
            out[pos++] = (byte) value;
        }
        if (gap >= 0) {
            if (pos == 16) {
                return null;
            }
            int tail = pos - gap;
            System.arraycopy(out, gap, out, 16 - tail, tail);
            Arrays.fill(out, gap, 16 - tail, (byte) 0);
        } else if (pos != 16) {
            return null;
        }
        return out;
    }

    private String format() {
        StringBuilder sb = new StringBuilder(40);
        if (family == Family.INET4) {
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    sb.append('.');
                }
                sb.append(addr[i] & 0xff);
            }
        } else {
            formatV6(sb);
        }
        if (plen < family.bits) {
            sb.append('/').append(plen);
        }
        return sb.toString();
    }

    /** RFC 5952 form, as inet_ntop writes it (glibc prints a ::ffff: tail as dotted quad). */
    private void formatV6(StringBuilder sb) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((addr[2 * i] & 0xff) << 8) | (addr[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        boolean v4Tail = bestStart == 0 && (bestLen == 6 || (bestLen == 5 && g[5] == 0xffff));
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (v4Tail && i == 6) {
                if (sb.charAt(sb.length() - 1) != ':') {
                    sb.append(':');
                }
                sb.append(addr[12] & 0xff).append('.').append(addr[13] & 0xff).append('.')
                        .append(addr[14] & 0xff).append('.').append(addr[15] & 0xff);
                break;
            }
            if (i > 0 && sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
    }

    public Family family() {
        return family;
    }

    /** True for an IPv4 or IPv6 address or network; false for a raw value (host name, text). */
    public boolean isValid() {
        return family != Family.RAW;
    }

    public boolean isIPv4() {
        return family == Family.INET4;
    }

    public boolean isIPv6() {
        return family == Family.INET6;
    }

    /** A single host address rather than a network or a raw value. */
    public boolean isSingle() {
        return isValid() && plen == family.bits;
    }

    public int prefixLength() {
        return plen;
    }

    /** The text this value was parsed from. */
    public String raw() {
        return raw;
    }

    /** The address bytes in network order (a copy). */
    public byte[] bytes() {
        return addr.clone();
    }

    /** Whether this address lies in {@code net} (same family, equal under the net's prefix). */
    public boolean isInNet(IpAddr net) {
        if (!isValid() || net.family != family) {
            return net.family == Family.RAW && family == Family.RAW && raw.equals(net.raw);
        }
        int p = net.plen;
        for (int i = 0; i < addr.length && p > 0; i++, p -= 8) {
            int mask = p >= 8 ? 0xff : (0xff << (8 - p)) & 0xff;
            if ((addr[i] & mask) != (net.addr[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** Whether this network contains {@code ip}. */
    public boolean contains(IpAddr ip) {
        return ip.equals(this) || ip.isInNet(this);
    }

    /** The DNS PTR name: {@code 4.3.2.1.in-addr.arpa.}, nibbles for IPv6. */
    public String ptr() {
        return ptr(null);
    }

    /** The DNS PTR name with a suffix of one's own (DNS blocklists use it). */
    public String ptr(String suffix) {
        StringBuilder sb = new StringBuilder(74);
        if (family == Family.INET4) {
            for (int i = 3; i >= 0; i--) {
                sb.append(addr[i] & 0xff).append('.');
            }
            return sb.append(suffix == null ? "in-addr.arpa." : suffix).toString();
        }
        if (family == Family.INET6) {
            for (int i = 15; i >= 0; i--) {
                sb.append(Character.forDigit(addr[i] & 0xf, 16)).append('.');
                sb.append(Character.forDigit((addr[i] >> 4) & 0xf, 16)).append('.');
            }
            return sb.append(suffix == null ? "ip6.arpa." : suffix).toString();
        }
        return "";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof IpAddr)) {
            return false;
        }
        IpAddr other = (IpAddr) o;
        if (family != other.family) {
            return false;
        }
        if (family == Family.RAW) {
            return raw.equals(other.raw);
        }
        return plen == other.plen && Arrays.equals(addr, other.addr);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public int compareTo(IpAddr o) {
        int c = family.compareTo(o.family);
        if (c != 0) {
            return c;
        }
        if (family == Family.RAW) {
            return raw.compareTo(o.raw);
        }
        c = Arrays.compareUnsigned(addr, o.addr);
        return c != 0 ? c : Integer.compare(plen, o.plen);
    }

    /** The normalised text: what fail2ban prints and what actions receive as {@code <ip>}. */
    @Override
    public String toString() {
        return text;
    }
}
