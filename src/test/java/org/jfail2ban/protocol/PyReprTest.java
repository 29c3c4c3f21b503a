package org.jfail2ban.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PyReprTest {

    @Test
    void stringsQuoteAsPythonDoes() {
        assertEquals("'abc'", PyRepr.repr("abc"));
        assertEquals("\"it's\"", PyRepr.repr("it's"));
        assertEquals("'both \\' and \"'", PyRepr.repr("both ' and \""));
        assertEquals("'a\\\\b\\nc\\td\\x01'", PyRepr.repr("a\\b\nc\td\u0001"));
        assertEquals("'é€\\x85\\u200b'", PyRepr.repr("é€\u0085\u200b"));
    }

    @Test
    void numbersAndConstants() {
        assertEquals("5", PyRepr.repr(5));
        assertEquals("600.0", PyRepr.repr(600.0));
        assertEquals("0.5", PyRepr.repr(0.5));
        assertEquals("1e-05", PyRepr.repr(0.00001));
        assertEquals("0.0001", PyRepr.repr(0.0001));
        assertEquals("1e+16", PyRepr.repr(1e16));
        assertEquals("True", PyRepr.repr(true));
        assertEquals("None", PyRepr.repr(null));
    }

    @Test
    void containers() {
        assertEquals("['set', 'sshd', 'maxretry', 5]", PyRepr.repr(List.of("set", "sshd", "maxretry", 5)));
        assertEquals("[['a', 1], []]", PyRepr.repr(List.of(List.of("a", 1), List.of())));
        assertEquals("('x',)", PyRepr.repr(PyRepr.Tuple.of("x")));
        assertEquals("{'k': None}", PyRepr.repr(java.util.Collections.singletonMap("k", null)));
        assertEquals("[None, 'x']", PyRepr.repr(Arrays.asList(null, "x")));
        assertEquals("{'a': [1]}", PyRepr.repr(Map.of("a", List.of(1))));
    }
}
