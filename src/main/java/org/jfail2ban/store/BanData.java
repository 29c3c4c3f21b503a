package org.jfail2ban.store;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfail2ban.protocol.Json;

/**
 * A ticket's data dictionary as fail2ban keeps it with each ban: {@code failures} (the number of
 * failures that led to the ban), {@code matches} (the log lines, oldest first) and any further
 * captured values ({@code user}, ...). Values are JSON values: String, Long, Double, Boolean,
 * List, Map.
 *
 * <p>Data read from the store is parsed on first use only: a restore of many bans needs the
 * addresses and times at once and the log lines seldom.
 */
public final class BanData {

    /** No failures, no matches. */
    public static final BanData EMPTY = new BanData(Map.of());

    private volatile Map<String, Object> map;
    private final byte[] raw;
    /** How many matches to keep when parsing {@link #raw}; negative keeps all. */
    private final int maxMatches;

    private BanData(Map<String, Object> map) {
        this.map = map;
        this.raw = null;
        this.maxMatches = -1;
    }

    private BanData(byte[] raw, int maxMatches) {
        this.raw = raw;
        this.maxMatches = maxMatches;
    }

    /** Data from a map of JSON values; null values are left out, sets become lists. */
    public static BanData of(Map<String, ?> data) {
        return new BanData(normalize(data));
    }

    /** The usual data of a ban: the failure count and the matched lines. */
    public static BanData of(int failures, List<String> matches) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("matches", List.copyOf(matches));
        m.put("failures", (long) failures);
        return new BanData(Collections.unmodifiableMap(m));
    }

    static BanData parsedLater(byte[] raw, int maxMatches) {
        return raw == null ? EMPTY : new BanData(raw, maxMatches);
    }

    /** The whole dictionary (unmodifiable). */
    public Map<String, Object> map() {
        Map<String, Object> m = map;
        if (m == null) {
            m = trimMatches(parse(raw), maxMatches);
            map = m;
        }
        return m;
    }

    /** The {@code failures} value, 0 when absent (as fail2ban's tickets start). */
    public int failures() {
        Object f = map().get("failures");
        return f instanceof Number ? ((Number) f).intValue() : 0;
    }

    /**
     * The matched log lines, oldest first. A multi-line match stored as a list of parts is joined
     * into one string, as fail2ban joins it.
     */
    public List<String> matches() {
        Object m = map().get("matches");
        if (!(m instanceof List<?>)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object line : (List<?>) m) {
            if (line instanceof List<?>) {
                StringBuilder sb = new StringBuilder();
                for (Object part : (List<?>) line) {
                    sb.append(part);
                }
                out.add(sb.toString());
            } else if (line != null) {
                out.add(line.toString());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** This data with the given value set (or removed when null). */
    public BanData with(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(map());
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return of(m);
    }

    /** This data keeping only the last {@code max} matches; {@code max <= 0} drops them all. */
    public BanData withMaxMatches(int max) {
        Map<String, Object> m = map();
        Map<String, Object> t = trimMatches(m, max);
        return t == m ? this : new BanData(t);
    }

    static Map<String, Object> trimMatches(Map<String, Object> m, int max) {
        if (max < 0) {
            return m;
        }
        Object matches = m.get("matches");
        if (!(matches instanceof List<?>)) {
            return m;
        }
        List<?> l = (List<?>) matches;
        if (max > 0 && l.size() <= max) {
            return m;
        }
        Map<String, Object> c = new LinkedHashMap<>(m);
        if (max == 0) {
            c.remove("matches");
        } else {
            c.put("matches", List.copyOf(l.subList(l.size() - max, l.size())));
        }
        return Collections.unmodifiableMap(c);
    }

    byte[] json() {
        Map<String, Object> m = map;
        if (m == null && maxMatches < 0) {
            return raw.clone();
        }
        return Json.write(map(), Json.Style.PYTHON).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a data column, UTF-8 text or blob alike, as Python's json.loads. Like fail2ban, a
     * value that is no JSON object becomes an empty dictionary rather than an error: one damaged
     * row must not stop a restore.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return Map.of();
        }
        try {
            Object v = Json.parsePython(new String(raw, StandardCharsets.UTF_8));
            return v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
    }

    /**
     * A copy of a data map holding only JSON values of one kind each (Long for whole numbers,
     * Double for the others, lists for sets as fail2ban writes them), so that data read back
     * equals the data written.
     */
    static Map<String, Object> normalize(Map<String, ?> data) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : data.entrySet()) {
            if (e.getValue() != null) {
                m.put(e.getKey(), normalizeValue(e.getValue()));
            }
        }
        return Collections.unmodifiableMap(m);
    }

    private static Object normalizeValue(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double
                || v instanceof BigInteger) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float || v instanceof BigDecimal) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Collection<?>) {
            List<Object> l = new ArrayList<>();
            for (Object x : (Collection<?>) v) {
                l.add(normalizeValue(x));
            }
            return Collections.unmodifiableList(l);
        }
        if (v instanceof Map<?, ?>) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                m.put(String.valueOf(e.getKey()), normalizeValue(e.getValue()));
            }
            return Collections.unmodifiableMap(m);
        }
        // anything else is kept by its text, as fail2ban's JSON adapter does
        return v.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BanData)) {
            return false;
        }
        BanData other = (BanData) o;
        if (map == null && other.map == null && maxMatches < 0 && other.maxMatches < 0) {
            return Arrays.equals(raw, other.raw) || map().equals(other.map());
        }
        return map().equals(other.map());
    }

    @Override
    public int hashCode() {
        return map().hashCode();
    }

    @Override
    public String toString() {
        return map().toString();
    }
}
