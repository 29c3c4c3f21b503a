package org.jfail2ban.filter;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The small ordered map a failure's captured values live in, with the semantics of a Python
 * dict (fail2ban's data is one): a new key goes to the end, replacing a value keeps the key in
 * its place, a removed and re-added key goes to the end; None (null) values are kept. A failure
 * has a dozen keys at most, so two arrays and a linear search beat hashing, and copying one is
 * two array copies.
 */
final class PyDict extends AbstractMap<String, Object> {

    private String[] keys;
    private Object[] values;
    private int size;

    PyDict(int capacity) {
        keys = new String[Math.max(4, capacity)];
        values = new Object[keys.length];
    }

    PyDict(Map<String, Object> m) {
        this(m, 4);
    }

    /** A copy of {@code m} with room for {@code more} keys before it grows. */
    PyDict(Map<String, Object> m, int more) {
        this(m.size() + more);
        if (m instanceof PyDict d) {
            System.arraycopy(d.keys, 0, keys, 0, d.size);
            System.arraycopy(d.values, 0, values, 0, d.size);
            size = d.size;
        } else {
            for (Map.Entry<String, Object> e : m.entrySet()) {
                put(e.getKey(), e.getValue());
            }
        }
    }

    private int index(Object key) {
        for (int i = 0; i < size; i++) {
            if (keys[i] == key) {
                return i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean containsKey(Object key) {
        return index(key) >= 0;
    }

    @Override
    public Object get(Object key) {
        int i = index(key);
        return i < 0 ? null : values[i];
    }

    @Override
    public Object put(String key, Object value) {
        int i = index(key);
        if (i >= 0) {
            Object old = values[i];
            values[i] = value;
            return old;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size++] = value;
        return null;
    }

    @Override
    public Object remove(Object key) {
        int i = index(key);
        if (i < 0) {
            return null;
        }
        Object old = values[i];
        removeAt(i);
        return old;
    }

    private void removeAt(int i) {
        System.arraycopy(keys, i + 1, keys, i, size - i - 1);
        System.arraycopy(values, i + 1, values, i, size - i - 1);
        size--;
        keys[size] = null;
        values[size] = null;
    }

    @Override
    public void clear() {
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;
                    private int last = -1;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        last = next++;
                        int at = last;
                        return new AbstractMap.SimpleEntry<>(keys[at], values[at]) {
                            private static final long serialVersionUID = 1L;

                            @Override
                            public Object setValue(Object v) {
                                values[at] = v;
                                return super.setValue(v);
                            }
                        };
                    }

                    @Override
                    public void remove() {
                        if (last < 0) {
                            throw new IllegalStateException();
                        }
                        removeAt(last);
                        next = last;
                        last = -1;
                    }
                };
            }
        };
    }
}
