package org.jfail2ban.action;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Tells, for given offsets of a POSIX shell script, in which quoting the shell reads the text
 * there: bare, inside single quotes, inside double quotes or inside a here-document. This is
 * what lets {@link DynamicTags} hand a foreign value to the shell as a quoted parameter
 * expansion that fits the spot, so the value is neither code nor split into words.
 *
 * <p>The lexer knows quotes, backslashes, {@code $( )}, {@code ${ }}, backquotes, comments and
 * here-documents; that is all a command of action.d uses. It never executes anything and errs
 * on the side of "bare", where a quoted expansion is always safe.
 */
final class ShellContext {

    enum Kind {
        /** Unquoted (also inside {@code $( )}, backquotes, {@code ${ }}): wants {@code "${v}"}. */
        BARE,
        /** Inside single quotes: wants {@code '"${v}"'}. */
        SINGLE,
        /** Inside double quotes: wants {@code ${v}}. */
        DOUBLE,
        /** Inside an expanding here-document: wants {@code ${v}}. */
        HEREDOC,
        /** Inside a here-document with a quoted delimiter: nothing expands there. */
        HEREDOC_LITERAL
    }

    private enum Frame { TOP, DQ, CMDSUB, BACKTICK, PARAM }

    private ShellContext() {
    }

    /** The kind of quoting at each of the given offsets (ascending) of {@code script}. */
    static Kind[] at(String script, int[] offsets) {
        Kind[] out = new Kind[offsets.length];
        int next = 0;
        Deque<Frame> stack = new ArrayDeque<>();
        Deque<Integer> parens = new ArrayDeque<>();
        stack.push(Frame.TOP);
        parens.push(0);
        boolean single = false;
        boolean comment = false;
        List<String[]> pendingHeredocs = new ArrayList<>(); // {delimiter, literal?, strip tabs?}
        String heredocDelim = null;
        boolean heredocLiteral = false;
        boolean heredocStrip = false;
        boolean lineStart = true;
        int n = script.length();
        for (int i = 0; i <= n && next < offsets.length; i++) {
            // heredoc body: decided line by line
            if (heredocDelim != null && lineStart) {
                int eol = script.indexOf('\n', i);
                int end = eol < 0 ? n : eol;
                String line = script.substring(i, end);
                String cmp = heredocStrip ? line.replaceFirst("^\t+", "") : line;
                Kind k = heredocLiteral ? Kind.HEREDOC_LITERAL : Kind.HEREDOC;
                boolean closes = cmp.equals(heredocDelim);
                while (next < offsets.length && offsets[next] <= end) {
                    out[next++] = closes ? Kind.BARE : k;
                }
                if (closes) {
                    if (!pendingHeredocs.isEmpty()) {
                        String[] h = pendingHeredocs.remove(0);
                        heredocDelim = h[0];
                        heredocLiteral = h[1] != null;
                        heredocStrip = h[2] != null;
                    } else {
                        heredocDelim = null;
                    }
                }
                i = end; // the loop's i++ steps over the newline
                lineStart = true;
                continue;
            }
            while (next < offsets.length && offsets[next] == i) {
                out[next++] = single ? Kind.SINGLE : stack.peek() == Frame.DQ ? Kind.DOUBLE : Kind.BARE;
            }
            if (i == n) {
                break;
            }
            char c = script.charAt(i);
            lineStart = false;
            if (single) {
                if (c == '\'') {
                    single = false;
                }
                continue;
            }
            if (comment) {
                if (c == '\n') {
                    comment = false;
                    lineStart = true;
                    if (!pendingHeredocs.isEmpty()) {
                        String[] h = pendingHeredocs.remove(0);
                        heredocDelim = h[0];
                        heredocLiteral = h[1] != null;
                        heredocStrip = h[2] != null;
                    }
                }
                continue;
            }
            Frame f = stack.peek();
            if (c == '\\') {
                i++; // the next character is taken literally (a newline after it joins lines)
                continue;
            }
            if (f == Frame.DQ) {
                if (c == '"') {
                    stack.pop();
                    parens.pop();
                } else if (c == '$' && i + 1 < n && script.charAt(i + 1) == '(') {
                    stack.push(Frame.CMDSUB);
                    parens.push(0);
                    i++;
                } else if (c == '$' && i + 1 < n && script.charAt(i + 1) == '{') {
                    stack.push(Frame.PARAM);
                    parens.push(0);
                    i++;
                } else if (c == '`') {
                    stack.push(Frame.BACKTICK);
                    parens.push(0);
                }
                continue;
            }
            // bare-like frames: TOP, CMDSUB, BACKTICK, PARAM
            switch (c) {
                case '\'' -> single = true;
                case '"' -> {
                    stack.push(Frame.DQ);
                    parens.push(0);
                }
                case '`' -> {
                    if (f == Frame.BACKTICK) {
                        stack.pop();
                        parens.pop();
                    } else {
                        stack.push(Frame.BACKTICK);
                        parens.push(0);
                    }
                }
                case '$' -> {
                    if (i + 1 < n && script.charAt(i + 1) == '(') {
                        stack.push(Frame.CMDSUB);
                        parens.push(0);
                        i++;
                    } else if (i + 1 < n && script.charAt(i + 1) == '{') {
                        stack.push(Frame.PARAM);
                        parens.push(0);
                        i++;
                    }
                }
                case '(' -> parens.push(parens.pop() + 1);
                case ')' -> {
                    int depth = parens.peek();
                    if (depth > 0) {
                        parens.push(parens.pop() - 1);
                    } else if (f == Frame.CMDSUB) {
                        stack.pop();
                        parens.pop();
                    }
                }
                case '}' -> {
                    if (f == Frame.PARAM) {
                        stack.pop();
                        parens.pop();
                    }
                }
                case '#' -> {
                    if (f != Frame.PARAM && (i == 0 || " \t\n;&|()".indexOf(script.charAt(i - 1)) >= 0)) {
                        comment = true;
                    }
                }
                case '<' -> {
                    if (i + 1 < n && script.charAt(i + 1) == '<' && !(i + 2 < n && script.charAt(i + 2) == '<')) {
                        i = readHeredocWord(script, i + 2, pendingHeredocs) - 1;
                    }
                }
                case '\n' -> {
                    lineStart = true;
                    if (f == Frame.TOP && !pendingHeredocs.isEmpty()) {
                        String[] h = pendingHeredocs.remove(0);
                        heredocDelim = h[0];
                        heredocLiteral = h[1] != null;
                        heredocStrip = h[2] != null;
                    }
                }
                default -> {
                }
            }
        }
        while (next < offsets.length) {
            out[next++] = Kind.BARE;
        }
        return out;
    }

    /** Reads the delimiter word after {@code <<}; returns the offset after it. */
    private static int readHeredocWord(String s, int i, List<String[]> pending) {
        int n = s.length();
        boolean strip = false;
        if (i < n && s.charAt(i) == '-') {
            strip = true;
            i++;
        }
        while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                quoted = true;
                int close = s.indexOf(c, i + 1);
                if (close < 0) {
                    close = n;
                }
                word.append(s, i + 1, close);
                i = Math.min(n, close + 1);
                continue;
            }
            if (c == '\\' && i + 1 < n) {
                quoted = true;
                word.append(s.charAt(i + 1));
                i += 2;
                continue;
            }
            if (" \t\n;&|()<>".indexOf(c) >= 0) {
                break;
            }
            word.append(c);
            i++;
        }
        if (word.length() > 0) {
            pending.add(new String[] {word.toString(), quoted ? "q" : null, strip ? "s" : null});
        }
        return i;
    }
}
