package org.jfail2ban.action;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jfail2ban.testing.Proc;

/** A small SMTP server on loopback for tests: records every command and message it gets. */
final class TinySmtp implements AutoCloseable {

    final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    private final ServerSocket server;
    private final SSLContext tls;
    private final Thread thread;

    /** @param tls a context to offer STARTTLS with, or null for none */
    TinySmtp(SSLContext tls) throws IOException {
        this.tls = tls;
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::serve, "tiny-smtp");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** A keystore and its certificate (PEM) for 127.0.0.1 and localhost, made with keytool. */
    static SSLContext selfSigned(Path dir) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path ks = dir.resolve("smtp.p12");
        Proc.run(List.of(keytool, "-genkeypair", "-alias", "smtp", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"))
                .assertOk();
        Proc.run(List.of(keytool, "-exportcert", "-rfc", "-alias", "smtp", "-keystore", ks.toString(), "-storepass",
                "changeit", "-file", dir.resolve("ca.pem").toString())).assertOk();
        KeyStore k = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(ks)) {
            k.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(k, "changeit".toCharArray());
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), null, null);
        return c;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10000);
                session(s);
            } catch (IOException e) {
                // the next connection, or closed
            }
        }
    }

    private void session(Socket s) throws IOException {
        Socket sock = s;
        BufferedReader in = reader(sock);
        OutputStream out = sock.getOutputStream();
        boolean secure = false;
        reply(out, "220 tiny ESMTP");
        String line;
        while ((line = in.readLine()) != null) {
            commands.add(line);
            String up = line.toUpperCase();
            if (up.startsWith("EHLO")) {
                List<String> ext = new ArrayList<>(List.of("250-tiny", "250-8BITMIME"));
                if (tls != null && !secure) {
                    ext.add("250-STARTTLS");
                }
                ext.add("250 AUTH PLAIN LOGIN");
                reply(out, String.join("\r\n", ext));
            } else if (up.equals("STARTTLS") && tls != null) {
                reply(out, "220 go ahead");
                SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(sock, null, sock.getPort(), true);
                t.setUseClientMode(false);
                t.startHandshake();
                sock = t;
                in = reader(sock);
                out = sock.getOutputStream();
                secure = true;
            } else if (up.startsWith("AUTH PLAIN")) {
                reply(out, "235 ok");
            } else if (up.startsWith("MAIL FROM") || up.startsWith("RCPT TO")) {
                reply(out, "250 ok");
            } else if (up.equals("DATA")) {
                reply(out, "354 end with .");
                ByteArrayOutputStream msg = new ByteArrayOutputStream();
                String l;
                while ((l = in.readLine()) != null && !l.equals(".")) {
                    msg.writeBytes((l.startsWith(".") ? l.substring(1) : l).getBytes(StandardCharsets.UTF_8));
                    msg.writeBytes("\n".getBytes(StandardCharsets.UTF_8));
                }
                messages.add(msg.toString(StandardCharsets.UTF_8));
                reply(out, "250 queued");
            } else if (up.equals("QUIT")) {
                reply(out, "221 bye");
                sock.close();
                return;
            } else {
                reply(out, "500 what");
            }
        }
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void reply(OutputStream out, String r) throws IOException {
        out.write((r + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Decodes the quoted-printable body of a recorded message. */
    static String body(String message) {
        String qp = message.substring(message.indexOf("\n\n") + 2);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String joined = qp.replace("=\n", "");
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            if (c == '=' && i + 2 < joined.length()) {
                b.write(Integer.parseInt(joined.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
