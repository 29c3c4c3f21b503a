package org.jfail2ban.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void integersAndFloatsKeepTheirKind() {
        assertEquals(List.of(600L, 5400.0, -1L, 1.5e-7), Json.parse("[600, 5400.0, -1, 1.5e-7]"));
        assertEquals("[600,5400.0,-1]", Json.write(List.of(600, 5400.0, -1L)));
        assertEquals(1e300, Json.parse(Json.write(1e300)));
        assertEquals(123456789012345678L, Json.parse("123456789012345678"));
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
        assertEquals(cmd, Json.parse(wire));
    }

    @Test
    void escapesAreDecoded() {
        assertEquals("a\"b\\c/d\ne\u00e9", Json.parse("\"a\\\"b\\\\c\\/d\\ne\\u00e9\""));
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
}
