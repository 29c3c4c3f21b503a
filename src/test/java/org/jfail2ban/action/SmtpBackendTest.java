package org.jfail2ban.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native SMTP mail action against a small SMTP server on loopback. */
class SmtpBackendTest {

    @TempDir
    static Path dir;
    private static javax.net.ssl.SSLContext tls;

    /** One certificate for the class: keytool is slow to start. */
    private static synchronized javax.net.ssl.SSLContext tls() throws Exception {
        if (tls == null) {
            tls = TinySmtp.selfSigned(dir);
        }
        return tls;
    }

    private static final String HOSTILE_LINES = "Aug 14 11:58:59 host sshd[1]: Invalid user ~!touch /tmp/x from 192.0.2.9\n"
            + ".\r\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\n"
            + "Subject: injected\u0007\u001b[31m";

    private CommandAction smtp(TinySmtp server, Map<String, String> extra) throws ActionException {
        CommandAction a = new CommandAction("sshd", "smtp");
        a.setProperty("native", "smtp");
        a.setProperty("host", "127.0.0.1");
        a.setProperty("port", String.valueOf(server.port()));
        a.setProperty("sender", "fail2ban@example.org");
        a.setProperty("dest", "root@example.org, admin@example.org");
        a.setProperty("name", "sshd");
        a.setProperty("subject", "[Fail2Ban] <name>: banned <ip> (<F-USER>)");
        extra.forEach(a::setProperty);
        a.start();
        return a;
    }

    private static TestBan ban() {
        return TestBan.of("192.0.2.9", Map.of("failures", "3", "matches", HOSTILE_LINES,
                "F-USER", "x\r\nBcc: victim@example.org"));
    }

    @Test
    void plainSmtpDeliversOneHarmlessMail() throws Exception {
        try (TinySmtp server = new TinySmtp(null)) {
            smtp(server, Map.of()).ban(ban());
            assertEquals(List.of("MAIL FROM:<fail2ban@example.org>", "RCPT TO:<root@example.org>",
                    "RCPT TO:<admin@example.org>", "DATA", "QUIT"), server.commands.subList(1, 6));
            assertEquals(1, server.messages.size());
            String msg = server.messages.get(0);
            String headers = msg.substring(0, msg.indexOf("\n\n"));
            assertTrue(headers.contains("\nSubject: [Fail2Ban] sshd: banned 192.0.2.9 (x  Bcc: victim@example.org)\n"),
                    headers);
            assertFalse(headers.contains("\nBcc:"), "header injected: " + headers);
            String body = TinySmtp.body(msg);
            assertTrue(body.contains("The IP 192.0.2.9 has just been banned by Fail2Ban after 3 attempts against sshd."),
                    body);
            assertTrue(body.contains("Invalid user ~!touch /tmp/x from 192.0.2.9\n.\nMAIL FROM:<evil@example.org>\n"
                    + "RCPT TO:<victim@example.org>\nSubject: injected??[31m"), body);
        }
    }

    @Test
    void starttlsThenAuthentication() throws Exception {
        try (TinySmtp server = new TinySmtp(tls())) {
            smtp(server, Map.of("starttls", "yes", "user", "f2b", "password", "s3cret",
                    "tls_cafile", dir.resolve("ca.pem").toString())).ban(ban());
            List<String> c = server.commands;
            assertEquals("STARTTLS", c.get(1));
            String auth = c.stream().filter(l -> l.startsWith("AUTH PLAIN ")).findFirst().orElseThrow();
            assertEquals("\0f2b\0s3cret", new String(Base64.getDecoder().decode(auth.substring(11)),
                    StandardCharsets.UTF_8));
            assertTrue(c.indexOf(auth) > c.indexOf("STARTTLS"));
            assertEquals(1, server.messages.size());
        }
    }

    @Test
    void noPasswordOverPlainText() throws Exception {
        try (TinySmtp server = new TinySmtp(null)) {
            CommandAction a = smtp(server, Map.of("user", "f2b", "password", "s3cret"));
            ActionException e = assertThrows(ActionException.class, () -> a.ban(ban()));
            assertTrue(e.getMessage().contains("without TLS"), e.getMessage());
            assertTrue(server.commands.stream().noneMatch(l -> l.startsWith("AUTH")));
            assertEquals(0, server.messages.size());
        }
    }

    @Test
    void requiredStarttlsMissingOrUntrustedCertificateSendsNothing() throws Exception {
        try (TinySmtp server = new TinySmtp(null)) {
            CommandAction a = smtp(server, Map.of("starttls", "yes"));
            assertThrows(ActionException.class, () -> a.ban(ban()));
            assertEquals(0, server.messages.size());
        }
        try (TinySmtp server = new TinySmtp(tls())) {
            CommandAction a = smtp(server, Map.of("starttls", "yes")); // the system CAs do not know it
            assertThrows(ActionException.class, () -> a.ban(ban()));
            assertEquals(0, server.messages.size());
        }
    }

    @Test
    void restoredBansMailNothingWhenNorestored() throws Exception {
        try (TinySmtp server = new TinySmtp(null)) {
            CommandAction a = smtp(server, Map.of("norestored", "1"));
            a.ban(ban().restoredBan());
            assertEquals(0, server.messages.size());
        }
    }
}
