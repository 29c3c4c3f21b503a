package org.jfail2ban.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;

class JsonTest {

    // ---- the socket's dialect

    @Test
    void integersAndFloatsKeepTheirKind() {
        assertEquals(List.of(600L, 5400.0, -1L, 1.5e-7), Json.parse("[600, 5400.0, -1, 1.5e-7]"));
        assertEquals("[600,5400.0,-1]", Json.write(List.of(600, 5400.0, -1L)));
        assertEquals(1e300, Json.parse(Json.write(1e300)));
        assertEquals(123456789012345678L, Json.parse("123456789012345678"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
        assertEquals("[9223372036854775808]", Json.write(List.of(new BigInteger("9223372036854775808"))));
    }

    @Test
    void commandsWithAnyTextRoundTrip() {
        List<Object> cmd = new ArrayList<>(List.of("set", "sshd", "addfailregex",
                "^\\s*Failed \"quoted\" \u00e9\u4e2d\ud83d\ude00 for .* from <HOST>\n\t\u0001\u2028end"));
        cmd.add(null);
        cmd.add(true);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", List.of(1L, "x"));
        cmd.add(m);
        String wire = Json.write(cmd);
        assertEquals(-1, wire.indexOf('\n'), "a message must stay on one line");
        assertEquals(-1, wire.indexOf('\u2028'), "nor hold a character some readers take for a line end");
        assertTrue(wire.contains("\u00e9\u4e2d\ud83d\ude00"), wire);
        assertEquals(cmd, Json.parse(wire));
    }

    @Test
    void wireValuesCanBeTakenApart() {
        @SuppressWarnings("unchecked")
        List<Object> cmd = (List<Object>) Json.parse("[\"set\",\"sshd\",{\"a\":1}]");
        cmd.remove(0);
        assertEquals(List.of("sshd", Map.of("a", 1L)), cmd);
    }

    @Test
    void notANumberDoesNotTravel() {
        assertEquals("[null,null,null,0.5]",
                Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5)));
        for (String word : List.of("NaN", "Infinity", "[-Infinity]")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(word));
            assertTrue(e.getMessage().startsWith("bad JSON at offset "), e.getMessage());
        }
    }

    @Test
    void escapesAreDecoded() {
        assertEquals("a\"b\\c/d\ne\u00e9", Json.parse("\"a\\\"b\\\\c\\/d\\ne\\u00e9\""));
        assertEquals("\ud83d\ude00", Json.parse("\"\\ud83d\\uDE00\""));
        assertEquals(Arrays.asList(List.of(), Map.of()), Json.parse(" [ [ ] , { } ] "));
    }

    @Test
    void badInputIsRejectedWithThePosition() {
        for (String bad : List.of("", "[", "[1,]", "{\"a\"}", "\"abc", "tru", "[1] x", "01x", "\"\\q\"")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertEquals(true, e.getMessage().startsWith("bad JSON at offset "), e.getMessage());
        }
        StringBuilder deep = new StringBuilder();
        deep.append("[".repeat(100)).append("]".repeat(100));
        assertThrows(IllegalArgumentException.class, () -> Json.parse(deep.toString()));
        // a damaged data row must not exhaust the server's small thread stacks either
        assertThrows(IllegalArgumentException.class, () -> Json.parsePython(deep.toString()));
        assertEquals(64, depth(Json.parsePython("[".repeat(64) + "]".repeat(64))));
    }

    private static int depth(Object v) {
        return v instanceof List<?> l ? 1 + (l.isEmpty() ? 0 : depth(l.get(0))) : 0;
    }

    @Test
    void repliesTravelAsLists() {
        Reply ok = Reply.ok(List.of("a", 1L));
        assertEquals(ok, Reply.fromWire(Json.parse(Json.write(ok.toWire()))));
        Reply err = Reply.error(Reply.Kind.UNKNOWN_JAIL, "sshd");
        assertEquals("[1,\"UnknownJail\",\"sshd\"]", Json.write(err.toWire()));
        assertEquals(err, Reply.fromWire(Json.parse(Json.write(err.toWire()))));
        assertEquals(Reply.Kind.ERROR, Reply.fromWire(Json.parse("[7]")).kind());
    }

    // ---- Python's dialect

    @Test
    void wholeNumbersAndFloatsStayApartAsInPython() {
        assertEquals(600L, Json.parsePython("600"));
        assertEquals(600.0, Json.parsePython("600.0"));
        assertEquals(600.0, Json.parsePython("6e2"));
        assertEquals("{\"a\": 600, \"b\": 600.0, \"c\": [1, 2.5]}",
                Json.write(Json.parsePython("{\"a\":600,\"b\":6E2,\"c\":[1,2.5]}"), Json.Style.PYTHON));
        assertEquals("[1e+16, 1e-05, 2e+23, -0.0, 12345678.9]",
                Json.write(List.of(1e16, 1e-5, 2e23, -0.0, 12345678.9), Json.Style.PYTHON));
    }

    @Test
    void notANumberRoundTripsAsPythonWritesIt() {
        String text = "[NaN, Infinity, -Infinity, -1.5]";
        Object v = Json.parsePython(text);
        assertEquals(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1.5), v);
        assertEquals(text, Json.write(v, Json.Style.PYTHON));
        assertEquals(Double.NEGATIVE_INFINITY, Json.parsePython(" -Infinity "));
    }

    @Test
    void nonAsciiTextIsWrittenAsPythonWritesIt() {
        String s = "j\u00fcrgen \u4e2d \ud83d\ude00 \u2028 \u007f \u0001";
        assertEquals("\"j\u00fcrgen \u4e2d \ud83d\ude00 \u2028 \u007f \\u0001\"", Json.write(s, Json.Style.PYTHON));
        assertEquals("\"j\\u00fcrgen \\u4e2d \\ud83d\\ude00 \\u2028 \\u007f \\u0001\"",
                Json.write(s, Json.Style.PYTHON_ASCII));
        assertEquals(s, Json.parsePython(Json.write(s, Json.Style.PYTHON_ASCII)));
        assertEquals(s, Json.parsePython(Json.write(s, Json.Style.PYTHON)));
    }

    @Test
    void pythonValuesAreKeptAsRead() {
        Object v = Json.parsePython("{\"matches\": [\"a\"]}");
        assertThrows(UnsupportedOperationException.class, () -> cast(v).put("x", 1));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) cast(v).get("matches")).clear());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object v) {
        return (Map<String, Object>) v;
    }

    /**
     * A ticket's data written by us is, byte for byte, what fail2ban's own database adapter writes
     * for the value Python reads from it, and Python reads the very values we meant.
     */
    @Test
    void aTicketsDataIsWrittenByteForByteAsFail2banWritesIt() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("matches", List.of(
                "Nov 14 22:13:15 host sshd[1234]: Failed password for invalid user j\u00fcrgen from 192.0.2.1 port 4242 ssh2",
                "quote \" backslash \\ slash / tab \t nl \n cr \r bell \u0007 del \u007f ls \u2028 \u4e2d\u6587 \ud83d\ude00",
                List.of("multi", "line")));
        data.put("failures", 3L);
        data.put("user", new LinkedHashSet<>(List.of("root", "admin")));
        data.put("bantime", 600L);
        data.put("ratio", 600.0);
        data.put("time", 1700000000.123456);
        data.put("far", 2e23);
        data.put("tiny", Double.MIN_VALUE);
        data.put("minus zero", -0.0);
        data.put("nan", Double.NaN);
        data.put("inf", Double.POSITIVE_INFINITY);
        data.put("-inf", Double.NEGATIVE_INFINITY);
        data.put("huge", new BigInteger("123456789012345678901234567890"));
        data.put("ok", true);
        data.put("none", null);
        data.put("nested", Map.of("empty", List.of()));
        byte[] ours = Json.write(data, Json.Style.PYTHON).getBytes(StandardCharsets.UTF_8);
        String script = String.join("\n",
                "import sys, json",
                "from fail2ban.server.database import _json_dumps_safe",
                "raw = bytes.fromhex(sys.stdin.read().strip())",
                "d = json.loads(raw.decode('utf-8'))",
                "print(_json_dumps_safe(d).hex())",
                "print(json.dumps(d).encode('ascii').hex())",
                "print(repr(d).encode('utf-8').hex())");
        Proc.Result py = Proc.run(List.of(Oracle.python(), "-c", script), null,
                Map.of("PYTHONPATH", Oracle.root().resolve("usr/lib/python3/dist-packages").toString(),
                        "LC_ALL", "C.UTF-8"),
                HexFormat.of().formatHex(ours), 60).assertOk();
        String[] lines = py.out().strip().split("\n");
        Function<String, String> text = hex -> new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
        assertEquals(text.apply(lines[0]), new String(ours, StandardCharsets.UTF_8));
        assertEquals(lines[0], HexFormat.of().formatHex(ours));
        assertEquals(text.apply(lines[1]), Json.write(data, Json.Style.PYTHON_ASCII));
        Map<String, Object> asPython = new LinkedHashMap<>(data);
        asPython.put("user", List.of("root", "admin"));
        assertEquals(text.apply(lines[2]), PyRepr.repr(asPython));
    }

    /** Where each dialect says a fault is, the offset Python's json.loads names. */
    @Test
    void faultsNameTheOffsetPythonNames() {
        List<String> bad = List.of("", " ", "[", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{1:2}", "{\"a\":1,}",
                "\"abc", "tru", "nul", "[1] x", "01", "-", "-x", "1.", "1.e5", "1e", "1e+", ".5", "\"\\q\"",
                "\"\\u12g4\"", "\"\\u12\u0663\"", "\"abc\\", "[\"a\" \"b\"]", "{\"a\":1 \"b\":2}", "[NaN, Nan]", "-Inf", "[1,,2]", "}");
        StringBuilder in = new StringBuilder();
        for (String b : bad) {
            in.append(HexFormat.of().formatHex(b.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        String script = String.join("\n",
                "import sys, json",
                "for line in sys.stdin.read().split('\\n')[:-1]:",
                "    try:",
                "        json.loads(bytes.fromhex(line).decode('utf-8'))",
                "        print('ok')",
                "    except json.JSONDecodeError as e:",
                "        print(e.pos)");
        String[] theirs = Proc.run(List.of(Oracle.python(), "-c", script), null, Map.of(), in.toString(), 60)
                .assertOk().out().split("\n");
        assertEquals(bad.size(), theirs.length);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < bad.size(); i++) {
            String b = bad.get(i);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parsePython(b), b);
            if (!e.getMessage().startsWith("bad JSON at offset " + theirs[i] + ":")) {
                wrong.add(b + " -> " + e.getMessage() + " (Python: " + theirs[i] + ")");
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void anyCutOfADocumentIsAFaultAndNothingWorse() {
        String doc = "{\"matches\": [\"a\\\"b\\u00e9\", [\"c\"]], \"failures\": 3, \"t\": -1.5e-3, \"n\": NaN, "
                + "\"i\": -Infinity, \"ok\": true, \"no\": false, \"z\": null, \"big\": 123456789012345678901234567890}";
        assertEquals(9, ((Map<?, ?>) Json.parsePython(doc)).size());
        for (int end = 0; end < doc.length(); end++) {
            String cut = doc.substring(0, end);
            // a cut may still be a number ("1" of "12"): else it must be our fault, not an exception of Java
            for (Function<String, Object> parser : List.<Function<String, Object>>of(Json::parse, Json::parsePython)) {
                try {
                    parser.apply(cut);
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage().startsWith("bad JSON at offset "), e.getMessage());
                }
            }
        }
    }
}
