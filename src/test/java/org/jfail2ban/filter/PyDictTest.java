package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A failure's values keep Python's dict order, which fail2ban-regex -o row shows. */
class PyDictTest {

    @Test
    void ordersAsAPythonDict() {
        PyDict d = new PyDict(2);
        d.put("mlfid", "c1");
        d.put("user", null);
        d.put(new String("ip4"), "192.0.2.1");
        d.put("user", "bob");
        assertEquals(List.of("mlfid", "user", "ip4"), new ArrayList<>(d.keySet()), "a replaced value keeps its place");
        assertEquals("192.0.2.1", d.get("ip4"));
        assertTrue(d.containsKey("user"));
        d.remove("mlfid");
        d.put("mlfid", "c2");
        assertEquals(List.of("user", "ip4", "mlfid"), new ArrayList<>(d.keySet()), "removed and added again goes last");
        for (int i = 0; i < 20; i++) {
            d.put("k" + i, i);
        }
        assertEquals(23, d.size());
        PyDict copy = new PyDict(d);
        copy.put("user", "eve");
        assertEquals("bob", d.get("user"), "a copy is a copy");
        for (Iterator<Map.Entry<String, Object>> it = d.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getKey().startsWith("k")) {
                it.remove();
            }
        }
        assertEquals(Map.of("user", "bob", "ip4", "192.0.2.1", "mlfid", "c2"), Map.copyOf(d));
        assertNull(d.get("nope"));
        d.put("none", null);
        assertTrue(d.containsKey("none"));
        assertNull(d.get("none"));
    }
}
