package org.jfail2ban.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfail2ban.filter.Filter;
import org.jfail2ban.filter.IpAddr;
import org.jfail2ban.protocol.PyRepr;

/**
 * fail2ban-regex's {@code -o}: prints each failure as its id ({@code id}, {@code fid}), its
 * address ({@code ip}), its lines ({@code msg}), a Python row ({@code row}), one captured group
 * (a group name), or a template of action tags ({@code '<fid>|<time>|<F-USER>|<ip>'}).
 */
final class RegexOutput {

    private static final Pattern TAG = Pattern.compile("<([^ <>]+)>");
    private static final Pattern CUSTOM_TAG = Pattern.compile("<F-([A-Z0-9_\\-]+)>");
    private static final String MSG = "\u0000msg\u0000";
    /** Python's str.isspace() characters, for rstrip(). */
    private static final String PY_SPACE = "\t\n\u000b\f\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680"
            + "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

    private final String format;
    private final PrintWriter out;
    private final Filter filter;

    RegexOutput(String format, PrintWriter out, Filter filter) {
        this.format = format;
        this.out = out;
        this.filter = filter;
    }

    void print(List<Filter.Match> ret) {
        switch (format) {
            case "id":
            case "fid":
                for (Filter.Match m : ret) {
                    out.println(String.valueOf(m.id()));
                }
                return;
            case "ip":
                for (Filter.Match m : ret) {
                    Object ip = m.data().get("ip");
                    out.println(ip != null ? ip.toString() : String.valueOf(m.id()));
                }
                return;
            case "msg":
                for (Filter.Match m : ret) {
                    for (String l : m.lines()) {
                        out.println(l);
                    }
                }
                return;
            case "row":
                for (Filter.Match m : ret) {
                    Map<String, Object> d = new LinkedHashMap<>(m.data());
                    d.remove("matches");
                    out.println("[" + reprId(m) + ",\t" + (m.time() == null ? "None" : PyRepr.repr(seconds(m.time())))
                            + ",\t" + repr(d) + "],");
                }
                return;
            default:
                break;
        }
        if (format.indexOf('<') < 0) {
            for (Filter.Match m : ret) {
                out.println(str(m.data().get(format)));
            }
            return;
        }
        boolean[] wrap = {false};
        List<Object[]> rows = new ArrayList<>();
        for (Filter.Match m : ret) {
            String v = substitute(m, wrap);
            if (wrap[0]) {
                rows.add(new Object[] {m, v});
                continue;
            }
            out.println(v);
        }
        for (Object[] row : rows) {
            Filter.Match m = (Filter.Match) row[0];
            for (String l : m.lines()) {
                out.println(((String) row[1]).replace(MSG, l));
            }
        }
    }

    /** fail2ban's replaceDynamicTags over the ticket a failure would make, without shell escaping. */
    private String substitute(Filter.Match m, boolean[] wrap) {
        StringBuilder sb = new StringBuilder();
        Matcher t = TAG.matcher(format);
        while (t.find()) {
            String tag = t.group(1);
            String v = tagValue(tag, m, wrap);
            if (v == null) {
                v = t.group();
            } else if (!tag.equals("msg")) {
                v = v.replace("\u0000", "\\x00");
            }
            t.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        t.appendTail(sb);
        String s = sb.toString();
        if (s.indexOf('<') < 0) {
            return s;
        }
        Map<String, Object> data = ticketData(m);
        sb = new StringBuilder();
        Matcher c = CUSTOM_TAG.matcher(s);
        while (c.find()) {
            String key = groupName(c.group(1));
            String v = data.containsKey(key) ? str(data.get(key)).replace("\u0000", "\\x00") : "";
            c.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        c.appendTail(sb);
        return sb.toString();
    }

    private static String groupName(String tag) {
        String t = tag.toLowerCase(Locale.ROOT);
        return t.equals("id") ? "fid" : t.equals("port") ? "fport" : t;
    }

    /** The data of the ticket fail2ban would make: matches, failures, then the captured values that are not None. */
    private static Map<String, Object> ticketData(Filter.Match m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("matches", m.data().getOrDefault("matches", List.of()));
        d.put("failures", 0);
        for (Map.Entry<String, Object> e : m.data().entrySet()) {
            if (e.getValue() != null) {
                d.put(e.getKey(), e.getValue());
            }
        }
        return d;
    }

    private String tagValue(String tag, Filter.Match m, boolean[] wrap) {
        Object ipObj = m.data().get("ip");
        IpAddr ip = ipObj instanceof IpAddr ? (IpAddr) ipObj : m.id();
        switch (tag) {
            case "ip":
                return String.valueOf(ip);
            case "family":
                return ip == null || ip.family().tag() == null ? "None" : ip.family().tag();
            case "ip-rev":
                return ip == null ? "" : ip.ptr("");
            case "ip-host":
                return ip == null || !ip.isValid() ? "None" : String.valueOf(hostName(ip));
            case "fid":
                return String.valueOf(m.id());
            case "failures":
                return str(ticketData(m).get("failures"));
            case "time":
                // a ticket without a time is stamped now
                return PyRepr.repr(seconds(m.time() != null ? m.time() : Instant.now()));
            case "bancount":
            case "restored":
                return "0";
            case "matches":
                return String.join("\n", m.lines());
            case "raw-ticket":
                return "BanTicket: ip=" + m.id() + " time=" + PyRepr.repr(seconds(m.time() != null ? m.time() : Instant.now()))
                        + " bantime=None bancount=0 #attempts="
                        + ticketData(m).get("failures") + " matches=" + PyRepr.repr(m.data().getOrDefault("matches", List.of()));
            case "msg":
                if (!wrap[0] && m.lines().size() <= 1) {
                    return String.join("\n", m.lines());
                }
                wrap[0] = true;
                return MSG;
            case "br":
                return "\n";
            case "sp":
                return " ";
            case "fq-hostname":
                return localName(true);
            case "sh-hostname":
                return localName(false);
            default:
                return null;
        }
    }

    private String hostName(IpAddr ip) {
        try (org.jfail2ban.filter.HostResolver r = new org.jfail2ban.filter.HostResolver(java.time.Clock.systemUTC(),
                java.time.Duration.ofSeconds(5))) {
            return r.name(ip);
        }
    }

    private static String localName(boolean fq) {
        try {
            InetAddress a = InetAddress.getLocalHost();
            return fq ? a.getCanonicalHostName() : a.getHostName().split("\\.")[0];
        } catch (UnknownHostException e) {
            return "";
        }
    }

    static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    /** repr() of a failure id: a quoted address or name, or a tuple as it is (a TUPLE_ id). */
    private static String reprId(Filter.Match m) {
        IpAddr id = m.id();
        if (id == null) {
            return "None";
        }
        Object fid = m.data().get("fid");
        if (!id.isValid() && fid instanceof PyRepr.Tuple && PyRepr.repr(fid).equals(id.raw())) {
            return id.raw();
        }
        return PyRepr.repr(id.toString());
    }

    /** Python str() of a captured value. */
    static String str(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof String) {
            return (String) v;
        }
        if (v instanceof IpAddr) {
            return v.toString();
        }
        return repr(v);
    }

    /** Python repr() of a captured value (sets and addresses included). */
    static String repr(Object v) {
        if (v instanceof Set) {
            return Filter.setRepr((Set<?>) v);
        }
        if (v instanceof IpAddr) {
            return PyRepr.repr(v.toString());
        }
        if (v instanceof Map) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (v instanceof List) {
            StringBuilder sb = new StringBuilder("[");
            for (Object o : (List<?>) v) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(repr(o));
            }
            return sb.append(']').toString();
        }
        return PyRepr.repr(v);
    }

    /** Python's str.rstrip(). */
    static String rstrip(String s) {
        int e = s.length();
        while (e > 0 && PY_SPACE.indexOf(s.charAt(e - 1)) >= 0) {
            e--;
        }
        return s.substring(0, e);
    }

    /** A debuggex.com link testing {@code regex} (tags resolved) on {@code sample}. */
    static String debuggexUrl(String sample, String regex, boolean multiline, String useDns) {
        String re = org.jfail2ban.filter.Filter.resolveTags(regex, useDns == null ? "yes" : useDns);
        StringBuilder q = new StringBuilder("https://www.debuggex.com/?");
        q.append("re=").append(quote(re)).append("&str=").append(quote(sample)).append("&flavor=python");
        if (multiline) {
            q.append("&flags=m");
        }
        return q.toString();
    }

    private static String quote(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }
}
