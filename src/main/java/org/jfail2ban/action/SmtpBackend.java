package org.jfail2ban.action;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sends ban mails itself over SMTP, no mail program needed: plain SMTP, STARTTLS (required
 * when {@code starttls = yes}, taken when offered with {@code auto}) or TLS from the first byte
 * ({@code ssl = yes}), with AUTH PLAIN or LOGIN. Server certificates are checked, against the
 * system's CAs or the one in {@code tls_cafile}; a password is never sent over an unencrypted
 * connection unless {@code auth_without_tls = yes}.
 *
 * <p>Nothing of a log line or a whois answer can act on the mail system here: there is no shell
 * and no mail program with escapes; header values lose their line breaks; the body is
 * quoted-printable, so no line of it can end the SMTP data or look like a header.
 *
 * <p>Properties: {@code host}, {@code port}, {@code user}, {@code password}, {@code sender},
 * {@code sendername}, {@code dest} (several, comma separated), {@code subject} (tags allowed),
 * {@code starttls}, {@code ssl}, {@code tls_cafile}, {@code matches} (yes: the log lines go in
 * the mail), {@code startstop} (yes: also a mail when the jail starts and stops).
 */
final class SmtpBackend implements Backend {

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]]+");

    private final BackendContext ctx;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String sender;
    private final String senderName;
    private final List<String> dest = new ArrayList<>();
    private final String subject;
    private final String starttls;
    private final boolean ssl;
    private final String caFile;
    private final boolean authWithoutTls;
    private final boolean withMatches;
    private final boolean startStop;
    private final String helo;

    SmtpBackend(BackendContext ctx) throws ActionException {
        this.ctx = ctx;
        this.host = ctx.checked("host", "", "localhost", HOST);
        this.ssl = yes(ctx.get("ssl", "no"));
        this.port = Integer.parseInt(ctx.checked("port", "", ssl ? "465" : "25", Pattern.compile("\\d{1,5}")));
        this.user = ctx.get("user", "");
        this.password = ctx.get("password", "");
        this.sender = MailText.address(ctx.get("sender", "fail2ban"), "sender", ctx);
        this.senderName = MailText.oneLine(ctx.get("sendername", "Fail2Ban"));
        for (String d : ctx.get("dest", "root").split(",")) {
            if (!d.isBlank()) {
                dest.add(MailText.address(d, "dest", ctx));
            }
        }
        this.subject = ctx.get("subject", "[Fail2Ban] <name>: banned <ip> from <fq-hostname>");
        this.starttls = ctx.checked("starttls", "", "auto", Pattern.compile("auto|yes|no"));
        this.caFile = ctx.get("tls_cafile", "");
        this.authWithoutTls = yes(ctx.get("auth_without_tls", "no"));
        this.withMatches = yes(ctx.get("matches", "yes"));
        this.startStop = yes(ctx.get("startstop", "no"));
        this.helo = localName();
    }

    private static boolean yes(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "1", "on" -> true;
            default -> false;
        };
    }

    private static String localName() {
        try {
            String h = InetAddress.getLocalHost().getCanonicalHostName();
            return HOST.matcher(h).matches() ? h : "localhost";
        } catch (IOException e) {
            return "localhost";
        }
    }

    private String tag(String name) {
        return ctx.props().value(name, "");
    }

    @Override
    public void start() throws ActionException {
        if (startStop) {
            send("[Fail2Ban] " + ctx.jail() + ": started on " + helo,
                    "Hi,\n\nThe jail " + ctx.jail() + " has been started.\n\nRegards,\nFail2Ban\n");
        }
    }

    @Override
    public void stop() throws ActionException {
        if (startStop) {
            send("[Fail2Ban] " + ctx.jail() + ": stopped on " + helo,
                    "Hi,\n\nThe jail " + ctx.jail() + " has been stopped.\n\nRegards,\nFail2Ban\n");
        }
    }

    @Override
    public void banAll(List<BanInfo> bans) throws ActionException {
        Bans.each(bans, this::banOne);
    }

    private void banOne(BanInfo ban) throws ActionException {
        String name = nonNull(tag("name"), ctx.jail());
        java.util.function.Function<String, String> values = t -> switch (t) {
            case "ip" -> Bans.address(ban) == null ? ban.id() : Bans.address(ban).toString();
            case "name" -> name;
            case "fq-hostname", "sh-hostname" -> helo;
            default -> ban.tag(t);
        };
        String subj = DynamicTags.plain(subject, values, null);
        StringBuilder body = new StringBuilder();
        body.append("Hi,\n\nThe IP ").append(values.apply("ip")).append(" has just been banned by Fail2Ban after ")
                .append(nonNull(ban.tag("failures"), "several")).append(" attempts against ").append(name)
                .append(".\n");
        String matches = ban.tag("matches");
        if (withMatches && matches != null && !matches.isBlank()) {
            body.append("\nLines containing failures of ").append(values.apply("ip")).append(":\n\n")
                    .append(matches).append('\n');
        }
        body.append("\nRegards,\nFail2Ban\n");
        send(subj, body.toString());
    }

    private static String nonNull(String v, String def) {
        return v == null || v.isBlank() ? def : v;
    }

    @Override
    public void unbanAll(List<BanInfo> bans) {
        // a mail is sent for bans only
    }

    // ---- the SMTP conversation ----

    private void send(String subj, String body) throws ActionException {
        String message = message(subj, body);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, ctx.timeout().toMillis());
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(host, port), timeoutMs);
            raw.setSoTimeout(timeoutMs);
            Socket s = ssl ? tls(raw) : raw;
            Session c = new Session(s);
            c.expect(220, null);
            List<String> ext = c.expect(250, "EHLO " + helo);
            boolean secure = ssl;
            if (!secure && !starttls.equals("no") && offers(ext, "STARTTLS")) {
                c.expect(220, "STARTTLS");
                s = tls(s);
                c = new Session(s);
                ext = c.expect(250, "EHLO " + helo);
                secure = true;
            } else if (!secure && starttls.equals("yes")) {
                throw new ActionException(ctx.what() + ": " + host + ":" + port + " does not offer STARTTLS");
            }
            if (!user.isEmpty()) {
                if (!secure && !authWithoutTls) {
                    throw new ActionException(ctx.what() + ": refusing to send the password to " + host + ":" + port
                            + " without TLS (auth_without_tls = yes allows it)");
                }
                authenticate(c, ext);
            }
            c.expect(250, "MAIL FROM:<" + sender + ">");
            for (String d : dest) {
                c.expect(250, "RCPT TO:<" + d + ">");
            }
            c.expect(354, "DATA");
            c.expect(250, message + "\r\n.");
            try {
                c.expect(221, "QUIT");
            } catch (IOException | ActionException e) {
                // the mail is accepted; a rude goodbye changes nothing
            }
        } catch (IOException e) {
            throw new ActionException(ctx.what() + ": mail to " + dest + " via " + host + ":" + port + " failed: "
                    + e.getMessage(), e);
        }
    }

    private void authenticate(Session c, List<String> ext) throws IOException, ActionException {
        String mechs = "";
        for (String e : ext) {
            if (e.toUpperCase(Locale.ROOT).startsWith("AUTH")) {
                mechs = e.toUpperCase(Locale.ROOT);
            }
        }
        Base64.Encoder b64 = Base64.getEncoder();
        if (mechs.contains("PLAIN")) {
            String token = b64.encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            c.expectQuiet(235, "AUTH PLAIN " + token);
        } else if (mechs.contains("LOGIN")) {
            c.expect(334, "AUTH LOGIN");
            c.expectQuiet(334, b64.encodeToString(user.getBytes(StandardCharsets.UTF_8)));
            c.expectQuiet(235, b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)));
        } else {
            throw new ActionException(ctx.what() + ": " + host + " offers no AUTH PLAIN or LOGIN");
        }
    }

    private static boolean offers(List<String> ext, String what) {
        for (String e : ext) {
            if (e.toUpperCase(Locale.ROOT).startsWith(what)) {
                return true;
            }
        }
        return false;
    }

    private String message(String subj, String body) {
        StringBuilder m = new StringBuilder();
        m.append("Date: ").append(DATE.format(ZonedDateTime.now(ctx.clock()))).append("\r\n");
        m.append("From: ").append(MailText.header(senderName)).append(" <").append(sender).append(">\r\n");
        m.append("To: ").append(String.join(", ", dest)).append("\r\n");
        m.append("Subject: ").append(MailText.header(subj)).append("\r\n");
        m.append("Message-ID: <").append(UUID.randomUUID()).append('@').append(helo).append(">\r\n");
        m.append("MIME-Version: 1.0\r\n");
        m.append("Content-Type: text/plain; charset=UTF-8\r\n");
        m.append("Content-Transfer-Encoding: quoted-printable\r\n");
        m.append("Auto-Submitted: auto-generated\r\n");
        m.append("\r\n");
        m.append(MailText.quotedPrintable(body));
        return m.toString();
    }

    private Socket tls(Socket plain) throws IOException, ActionException {
        try {
            SSLContext sc;
            if (caFile.isEmpty()) {
                sc = SSLContext.getDefault();
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                    Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                            .generateCertificates(in);
                    int i = 0;
                    for (Certificate c : certs) {
                        ks.setCertificateEntry("ca" + i++, c);
                    }
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                sc = SSLContext.getInstance("TLS");
                sc.init(null, tmf.getTrustManagers(), null);
            }
            SSLSocket s = (SSLSocket) sc.getSocketFactory().createSocket(plain, host, port, true);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            s.setSSLParameters(p);
            s.startHandshake();
            return s;
        } catch (GeneralSecurityException e) {
            throw new ActionException(ctx.what() + ": TLS setup failed: " + e.getMessage(), e);
        }
    }

    /** Commands and replies on one connection. */
    private final class Session {
        private final BufferedReader in;
        private final OutputStream out;

        Session(Socket s) throws IOException {
            this.in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            this.out = s.getOutputStream();
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Sends a command (unless null) and reads the reply; its lines after the code. */
        List<String> expect(int code, String command) throws IOException, ActionException {
            return exchange(code, command, command);
        }

        /** The same, with the command kept out of error messages (credentials). */
        List<String> expectQuiet(int code, String command) throws IOException, ActionException {
            return exchange(code, command, "(credentials)");
        }

        private List<String> exchange(int code, String command, String shown) throws IOException, ActionException {
            if (command != null) {
                send(command);
            }
            List<String> lines = new ArrayList<>();
            while (true) {
                String l = in.readLine();
                if (l == null) {
                    throw new IOException("connection closed by " + host);
                }
                if (l.length() < 3) {
                    throw new IOException("bad reply from " + host + ": " + l);
                }
                lines.add(l.length() > 4 ? l.substring(4) : "");
                if (l.length() == 3 || l.charAt(3) != '-') {
                    int got = Integer.parseInt(l.substring(0, 3));
                    if (got != code) {
                        String what = shown == null ? "greeting" : shown.length() > 60 ? "message" : shown;
                        throw new ActionException(ctx.what() + ": " + host + " answered " + l + " to " + what);
                    }
                    return lines;
                }
            }
        }
    }
}
