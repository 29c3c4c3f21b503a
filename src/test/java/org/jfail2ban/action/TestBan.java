package org.jfail2ban.action;

import java.util.HashMap;
import java.util.Map;
import org.jfail2ban.filter.IpAddr;

/** A ban as the server would describe it: id, address, restored flag and tag values. */
record TestBan(String id, IpAddr ip, boolean restored, Map<String, String> tags) implements BanInfo {

    static TestBan of(String address) {
        return of(address, Map.of());
    }

    static TestBan of(String address, Map<String, String> tags) {
        IpAddr ip = IpAddr.parseOrNull(address);
        Map<String, String> t = new HashMap<>(tags);
        t.putIfAbsent("ip", ip == null ? address : ip.toString());
        if (ip != null) {
            t.putIfAbsent("family", ip.family().tag());
        }
        return new TestBan(ip == null ? address : ip.toString(), ip, false, t);
    }

    TestBan restoredBan() {
        return new TestBan(id, ip, true, tags);
    }

    TestBan with(String tag, String value) {
        Map<String, String> t = new HashMap<>(tags);
        t.put(tag, value);
        return new TestBan(id, ip, restored, t);
    }

    @Override
    public String tag(String name) {
        return tags.get(name);
    }
}
