package org.jfail2ban.action;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reports banned addresses to an abuse database over HTTPS, AbuseIPDB style: a form POST of
 * {@code ip}, {@code categories} and {@code comment} to {@code url} with the API key in the
 * {@code Key} header, by the JDK's HTTP client (no curl, no shell).
 *
 * <p>The comment is made from the ban's log lines, but what an attacker wrote in them is not
 * passed on as they wrote it: control characters go, the user name the filter captured
 * becomes {@code [user]}, this host's own names become {@code [host]}, and the whole is cut to
 * {@code comment_max} characters (1000 by default; the API takes 1024).
 *
 * <p>Properties: {@code url}, {@code abuseipdb_apikey}, {@code abuseipdb_category} (comma
 * separated category numbers), {@code comment_max}. Restored bans are not reported again.
 */
final class AbuseIpdbBackend implements Backend {

    private static final Pattern CATEGORIES = Pattern.compile("\\d{1,3}(,\\d{1,3})*");

    private final BackendContext ctx;
    private final URI url;
    private final String key;
    private final String categories;
    private final int max;
    private final HttpClient http;

    AbuseIpdbBackend(BackendContext ctx) throws ActionException {
        this.ctx = ctx;
        String u = ctx.get("url", "https://api.abuseipdb.com/api/v2/report");
        try {
            this.url = URI.create(u);
        } catch (IllegalArgumentException e) {
            throw new ActionException(ctx.what() + ": invalid value for 'url': '" + u + "'");
        }
        if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
            throw new ActionException(ctx.what() + ": 'url' must be http or https: '" + u + "'");
        }
        this.key = ctx.get("abuseipdb_apikey", "");
        if (key.isEmpty() || !key.matches("[\\x21-\\x7e]+")) {
            throw new ActionException(ctx.what() + ": 'abuseipdb_apikey' is missing or not a key");
        }
        this.categories = ctx.checked("abuseipdb_category", "", "18,22", CATEGORIES);
        this.max = Integer.parseInt(ctx.checked("comment_max", "", "1000", Pattern.compile("\\d{1,4}")));
        this.http = HttpClient.newBuilder().connectTimeout(ctx.timeout()).build();
    }

    @Override
    public void stop() {
    }

    @Override
    public void unbanAll(List<BanInfo> bans) {
        // a report is not taken back
    }

    @Override
    public void banAll(List<BanInfo> bans) throws ActionException {
        Bans.each(bans, ban -> {
            if (!ban.restored()) {
                report(ban);
            }
        });
    }

    private void report(BanInfo ban) throws ActionException {
        String ip = Bans.address(ban) == null ? ban.id() : Bans.address(ban).toString();
        String form = "ip=" + enc(ip) + "&categories=" + enc(categories) + "&comment=" + enc(comment(ban));
        HttpRequest req = HttpRequest.newBuilder(url).timeout(ctx.timeout())
                .header("Key", key)
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                String b = MailText.oneLine(r.body());
                throw new ActionException(ctx.what() + ": report of " + ip + " refused: HTTP " + r.statusCode()
                        + (r.statusCode() == 429 ? " (rate limit)" : "") + ": "
                        + (b.length() > 300 ? b.substring(0, 300) : b));
            }
        } catch (IOException e) {
            throw new ActionException(ctx.what() + ": report of " + ip + " to " + url.getHost() + " failed: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionException(ctx.what() + ": interrupted", e);
        }
    }

    /** The ban's log lines with what attackers control made harmless and short. */
    String comment(BanInfo ban) {
        String matches = ban.tag("matches");
        String jail = ctx.get("name", ctx.jail());
        String text = matches == null || matches.isBlank()
                ? "Banned by Fail2Ban (" + jail + ") after " + (ban.tag("failures") == null ? "several"
                        : ban.tag("failures")) + " failures"
                : matches;
        for (String user : new String[] {ban.tag("F-USER"), ban.tag("F-user")}) {
            if (user != null && !user.isBlank()) {
                text = text.replace(user, "[user]");
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("[\r\n]+")) {
            String l = MailText.oneLine(line);
            if (!l.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : "\n").append(l);
            }
        }
        String out = sb.toString();
        for (String h : new String[] {ctx.props().value("fq-hostname", ""), hostName(true), hostName(false)}) {
            if (h != null && h.length() > 1 && !h.equals("localhost")) {
                out = out.replace(h, "[host]");
            }
        }
        if (out.length() > max) {
            out = out.substring(0, Math.max(0, max - 3)) + "...";
        }
        return out;
    }

    private static String hostName(boolean fq) {
        try {
            var h = java.net.InetAddress.getLocalHost();
            String n = fq ? h.getCanonicalHostName() : h.getHostName();
            int dot = n.indexOf('.');
            return fq || dot < 0 ? n : n.substring(0, dot);
        } catch (IOException e) {
            return null;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
