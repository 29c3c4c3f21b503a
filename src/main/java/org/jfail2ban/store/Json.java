package org.jfail2ban.store;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of fail2ban's {@code data} columns: a ticket's data dictionary, written as UTF-8 bytes
 * (fail2ban binds them as a BLOB) and read back from text or blob alike. Whole numbers come back
 * as {@code Long} so that {@code "failures": 3} is written again as 3, never as 3.0.
 */
final class Json {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    private Json() {
    }

    static byte[] write(Map<String, Object> data) {
        return GSON.toJson(data).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a data column. Like fail2ban, a value that is no JSON object becomes an empty
     * dictionary rather than an error: one damaged row must not stop a restore.
     */
    static Map<String, Object> read(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Map.of();
        }
        try {
            JsonElement e = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                return Map.of();
            }
            return object(e.getAsJsonObject());
        } catch (JsonParseException | IllegalStateException e) {
            return Map.of();
        }
    }

    private static Map<String, Object> object(JsonObject o) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            m.put(e.getKey(), value(e.getValue()));
        }
        return Collections.unmodifiableMap(m);
    }

    private static Object value(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            return object(e.getAsJsonObject());
        }
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            List<Object> l = new ArrayList<>(a.size());
            for (JsonElement x : a) {
                l.add(value(x));
            }
            return Collections.unmodifiableList(l);
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isString()) {
            return p.getAsString();
        }
        String n = p.getAsNumber().toString();
        if (n.indexOf('.') < 0 && n.indexOf('e') < 0 && n.indexOf('E') < 0) {
            BigInteger b = new BigInteger(n);
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        return new BigDecimal(n).doubleValue();
    }

    /** A copy of a data map holding only JSON values (sets become lists, as fail2ban writes them). */
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
}
