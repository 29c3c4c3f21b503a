package org.jfail2ban.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line into words the way a POSIX shell would (Python's shlex.split): blanks separate,
 * '...' keeps everything, "..." keeps everything but lets \" and \\ through, a backslash
 * outside quotes escapes the next character. Used for journalmatch lines.
 */
public final class ShellWords {

    private ShellWords() {
    }

    /** @throws IllegalArgumentException for an unbalanced quote ("No closing quotation") or a trailing backslash */
    public static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int close = s.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("No closing quotation");
                }
                word.append(s, i + 1, close);
                inWord = true;
                i = close + 1;
            } else if (c == '"') {
                inWord = true;
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = s.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
                        word.append(s.charAt(i + 1));
                        i += 2;
                    } else {
                        word.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("No closing quotation");
                }
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("No escaped character");
                }
                word.append(s.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
