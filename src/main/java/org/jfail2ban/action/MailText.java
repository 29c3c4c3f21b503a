package org.jfail2ban.action;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Turning text that partly comes from log lines into parts of a mail that cannot be anything
 * but text: header values without line breaks (no header injection), bodies in
 * quoted-printable (no over-long lines, no bare CR, nothing a mail program could read as a
 * command), addresses that are just addresses.
 */
final class MailText {

    /** A mail address: no blanks, brackets, quotes or line breaks. */
    static final Pattern ADDRESS = Pattern.compile("[^\\s<>\"'(),;:\\\\\\[\\]]+(@[A-Za-z0-9.\\-\\[\\]:]+)?");

    private MailText() {
    }

    /** Control characters (line breaks included) become spaces; the rest stays. */
    static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        return sb.toString().strip();
    }

    /** Control characters but tab and line feed become '?'; CR LF and CR become line feeds. */
    static String printable(String s) {
        String t = s.replace("\r\n", "\n").replace('\r', '\n');
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            sb.append(c != '\n' && c != '\t' && Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }

    /** A header value: one line, RFC 2047 encoded when it is not plain ASCII. */
    static String header(String s) {
        String v = oneLine(s);
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) > 126) {
                return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)) + "?=";
            }
        }
        return v;
    }

    /** Quoted-printable (RFC 2045) of UTF-8 text with CRLF line ends, lines at most 76 long. */
    static String quotedPrintable(String text) {
        StringBuilder out = new StringBuilder(text.length() + text.length() / 8);
        String[] lines = printable(text).split("\n", -1);
        for (int li = 0; li < lines.length; li++) {
            byte[] b = lines[li].getBytes(StandardCharsets.UTF_8);
            int col = 0;
            for (int i = 0; i < b.length; i++) {
                int c = b[i] & 0xff;
                boolean last = i == b.length - 1;
                String enc;
                if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
                    enc = String.valueOf((char) c);
                } else {
                    enc = String.format("=%02X", c);
                }
                if (col + enc.length() > 75) {
                    out.append("=\r\n");
                    col = 0;
                }
                // a dot that would begin a line is encoded: no line can end the SMTP data
                if (col == 0 && c == '.') {
                    enc = "=2E";
                }
                out.append(enc);
                col += enc.length();
            }
            if (li < lines.length - 1) {
                out.append("\r\n");
            }
        }
        return out.toString();
    }

    /** The address, or an error naming the property. */
    static String address(String value, String key, BackendContext ctx) throws ActionException {
        String v = value.strip();
        if (!ADDRESS.matcher(v).matches()) {
            throw new ActionException(ctx.what() + ": invalid mail address in '" + key + "': '" + v + "'");
        }
        return v;
    }
}
