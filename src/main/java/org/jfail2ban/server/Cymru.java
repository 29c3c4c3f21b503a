package org.jfail2ban.server;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.TreeSet;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import org.jfail2ban.filter.IpAddr;

/**
 * {@code status JAIL cymru}: the AS number, country and registry of each banned address, from
 * Team Cymru's DNS service ({@code 4.3.2.1.origin.asn.cymru.com TXT}), through the JDK's own DNS
 * client so no library is needed.
 */
class Cymru {

    /** The three lists the status shows, one entry per address. */
    record Info(List<String> asn, List<String> country, List<String> rir) {
    }

    /** Queries TXT records of a name; empty when there are none, NameNotFoundException for NXDOMAIN. */
    List<String> txt(String name) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        InitialDirContext ctx = new InitialDirContext(env);
        try {
            Attributes attrs = ctx.getAttributes("dns:/" + name, new String[] {"TXT"});
            Attribute a = attrs.get("TXT");
            List<String> out = new ArrayList<>();
            if (a != null) {
                NamingEnumeration<?> e = a.getAll();
                while (e.hasMore()) {
                    out.add(String.valueOf(e.next()));
                }
            }
            return out;
        } finally {
            ctx.close();
        }
    }

    Info lookup(List<IpAddr> ips) {
        List<String> asn = new ArrayList<>();
        List<String> country = new ArrayList<>();
        List<String> rir = new ArrayList<>();
        for (IpAddr ip : ips) {
            String q = ip.ptr(ip.isIPv4() ? "origin.asn.cymru.com" : "origin6.asn.cymru.com");
            try {
                TreeSet<String> as = new TreeSet<>();
                TreeSet<String> cs = new TreeSet<>();
                TreeSet<String> rs = new TreeSet<>();
                for (String rec : txt(q)) {
                    String[] f = rec.split("\\|");
                    as.add(blank(f.length > 0 ? f[0] : ""));
                    cs.add(blank(f.length > 2 ? f[2] : ""));
                    rs.add(blank(f.length > 3 ? f[3] : ""));
                }
                if (as.isEmpty()) {
                    throw new NamingException("No data retrieved");
                }
                asn.add(String.join(", ", as));
                country.add(String.join(", ", cs));
                rir.add(String.join(", ", rs));
            } catch (NameNotFoundException e) {
                asn.add("nxdomain");
                country.add("nxdomain");
                rir.add("nxdomain");
            } catch (NamingException | RuntimeException e) {
                asn.add("error");
                country.add("error");
                rir.add("error");
            }
        }
        return new Info(asn, country, rir);
    }

    private static String blank(String v) {
        String s = v.replaceAll("^[\\s'\"]+|[\\s'\"]+$", "");
        return s.isEmpty() ? "unknown" : s;
    }
}
