package org.jfail2ban.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
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

    @Test
    void floatsPrintAsPythonPrintsThem() {
        // Java 17's Double.toString gives 1.9999999999999998E23 for 2e23 and 4.9E-324 for 5e-324
        assertEquals("2e+23", PyRepr.repr(2e23));
        assertEquals("5e-324", PyRepr.repr(Double.MIN_VALUE));
        assertEquals("-0.0", PyRepr.repr(-0.0));
        List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1e23, 8.41e21, 0.1 + 0.2, 12345678.9, 1e15, 1e16,
                123456789012345678.0, 1e-4, 1e-5, 4.35, 100.0 / 3, Double.MAX_VALUE, Double.MIN_NORMAL,
                Double.MIN_VALUE, 1700000000.123456, 5400.0));
        Random r = new Random(20261123);
        for (int i = 0; i < 3000; i++) {
            values.add(Double.longBitsToDouble(r.nextLong()));
            values.add((r.nextInt() - 1000) / Math.pow(10, r.nextInt(12)));
            values.add(Math.scalb(1.0, r.nextInt(2098) - 1074));
            values.add(Double.longBitsToDouble(r.nextLong() & 0x000f_ffff_ffff_ffffL));
        }
        values.removeIf(d -> d.isNaN() || d.isInfinite());
        StringBuilder in = new StringBuilder();
        StringBuilder ours = new StringBuilder();
        for (double d : values) {
            in.append(Double.toHexString(d)).append('\n');
            ours.append(PyRepr.repr(d)).append('\n');
        }
        Proc.Result py = Proc.run(List.of(Oracle.python(), "-c",
                "import sys\nfor h in sys.stdin: print(repr(float.fromhex(h.strip())))"), null, Map.of(), in.toString(), 60)
                .assertOk();
        String[] theirs = py.out().split("\n");
        String[] mine = ours.toString().split("\n");
        assertEquals(theirs.length, mine.length);
        for (int i = 0; i < mine.length; i++) {
            assertEquals(theirs[i], mine[i], Double.toHexString(values.get(i)));
        }
    }
}
