package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The AbuseIPDB-style reporting action against a small HTTP server on loopback. */
class AbuseIpdbBackendTest {

    HttpServer server;
    final List<Map<String, String>> forms = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
    volatile int status = 200;

    @BeforeEach
    void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v2/report", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> form = new LinkedHashMap<>();
            for (String kv : body.split("&")) {
                int eq = kv.indexOf('=');
                form.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
            forms.add(form);
            keys.add(ex.getRequestHeaders().getFirst("Key") + "|" + ex.getRequestMethod());
            byte[] answer = "{\"data\":{\"abuseConfidenceScore\":100}}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private CommandAction action() throws ActionException {
        CommandAction a = new CommandAction("sshd", "abuseipdb");
        a.setProperty("native", "abuseipdb");
        a.setProperty("norestored", "1");
        a.setProperty("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/report");
        a.setProperty("abuseipdb_apikey", "k3y");
        a.setProperty("abuseipdb_category", "18,22");
        a.start();
        return a;
    }

    @Test
    void reportsWithSanitisedComment() throws Exception {
        String matches = "Aug 14 11:58:59 host sshd[1]: Invalid user alice\u001b[2J from 192.0.2.9 port 22\r\n"
                + "Aug 14 11:59:01 host sshd[1]: Invalid user alice\u001b[2J from 192.0.2.9 port 23";
        action().ban(TestBan.of("192.0.2.9", Map.of("matches", matches, "F-USER", "alice\u001b[2J")));
        assertEquals(1, forms.size());
        Map<String, String> f = forms.get(0);
        assertEquals("192.0.2.9", f.get("ip"));
        assertEquals("18,22", f.get("categories"));
        assertEquals("k3y|POST", keys.get(0));
        String c = f.get("comment");
        assertEquals("Aug 14 11:58:59 host sshd[1]: Invalid user [user] from 192.0.2.9 port 22\n"
                + "Aug 14 11:59:01 host sshd[1]: Invalid user [user] from 192.0.2.9 port 23", c);
        assertFalse(c.contains("alice"), "the user name went out: " + c);
        assertFalse(c.chars().anyMatch(ch -> ch < 32 && ch != '\n'), "control characters went out: " + c);
    }

    @Test
    void longCommentsAreCut() throws Exception {
        action().ban(TestBan.of("2001:db8::9", Map.of("matches", "x".repeat(5000))));
        assertEquals(1000, forms.get(0).get("comment").length());
        assertEquals("2001:db8::9", forms.get(0).get("ip"));
    }

    @Test
    void restoredBansAreNotReportedAgainAndRefusalsAreErrors() throws Exception {
        CommandAction a = action();
        a.ban(TestBan.of("192.0.2.9").restoredBan());
        assertEquals(0, forms.size());
        status = 429;
        ActionException e = assertThrows(ActionException.class, () -> a.ban(TestBan.of("192.0.2.10")));
        assertTrue(e.getMessage().contains("429"), e.getMessage());
    }
}
