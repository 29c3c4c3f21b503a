package org.jfail2ban.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shell-style wildcards in log paths ({@code /var/log/apache2/*error.log},
 * {@code /home/*}{@code /logs/L[0-9]*.log}) as Python's glob module expands them: {@code *},
 * {@code ?} and {@code [...]} within one path element, names starting with a dot only when the
 * pattern does. Unlike Python, matches come sorted, so the order of log files never depends on
 * the file system.
 */
final class Glob {

    private Glob() {
    }

    /** The paths the pattern names (dangling links included; the caller tells them apart). */
    static List<String> expand(String pattern) {
        return expand(pattern, false);
    }

    private static List<String> expand(String pattern, boolean dirsOnly) {
        List<String> out = new ArrayList<>();
        int slash = pattern.lastIndexOf('/');
        String dir = slash < 0 ? "" : trimSlashes(pattern.substring(0, slash + 1));
        String base = pattern.substring(slash + 1);
        if (!hasMagic(pattern)) {
            if (!base.isEmpty() ? lexists(pattern) : isDir(dir)) {
                out.add(pattern);
            }
            return out;
        }
        if (dir.isEmpty()) {
            for (String name : matchIn(".", base, dirsOnly)) {
                out.add(name);
            }
            return out;
        }
        List<String> dirs = hasMagic(dir) && !dir.equals(pattern) ? expand(dir, true) : List.of(dir);
        for (String d : dirs) {
            if (hasMagic(base)) {
                for (String name : matchIn(d, base, dirsOnly)) {
                    out.add(join(d, name));
                }
            } else if (!base.isEmpty() ? lexists(join(d, base)) : isDir(d)) {
                out.add(join(d, base));
            }
        }
        return out;
    }

    /** os.path.split's head: the trailing slashes go unless the head is nothing but slashes. */
    private static String trimSlashes(String head) {
        int e = head.length();
        while (e > 0 && head.charAt(e - 1) == '/') {
            e--;
        }
        return e == 0 ? head : head.substring(0, e);
    }

    private static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    static boolean hasMagic(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static List<String> matchIn(String dir, String pattern, boolean dirsOnly) {
        List<String> names = new ArrayList<>();
        boolean hidden = pattern.startsWith(".");
        Path d = ConfigTree.pathOf(dir);
        if (d == null) {
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if ((!hidden && name.startsWith(".")) || (dirsOnly && !Files.isDirectory(p))) {
                    continue;
                }
                if (matches(name, 0, pattern, 0)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            return names;
        }
        names.sort(null);
        return names;
    }

    private static boolean lexists(String path) {
        Path p = ConfigTree.pathOf(path);
        return p != null && Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isDir(String path) {
        Path p = ConfigTree.pathOf(path.isEmpty() ? "." : path);
        return p != null && Files.isDirectory(p);
    }

    /** fnmatch on one name: '*' any run, '?' one character, '[...]' / '[!...]' a class. */
    static boolean matches(String name, int ni, String pat, int pi) {
        int n = name.length();
        int m = pat.length();
        while (pi < m) {
            char c = pat.charAt(pi);
            if (c == '*') {
                while (pi < m && pat.charAt(pi) == '*') {
                    pi++;
                }
                if (pi == m) {
                    return true;
                }
                for (int k = ni; k <= n; k++) {
                    if (matches(name, k, pat, pi)) {
                        return true;
                    }
                }
                return false;
            }
            if (ni >= n) {
                return false;
            }
            if (c == '?') {
                ni++;
                pi++;
            } else if (c == '[') {
                int end = classEnd(pat, pi);
                if (end < 0) {
                    if (name.charAt(ni) != '[') {
                        return false;
                    }
                    ni++;
                    pi++;
                } else {
                    if (!inClass(name.charAt(ni), pat, pi + 1, end)) {
                        return false;
                    }
                    ni++;
                    pi = end + 1;
                }
            } else {
                if (name.charAt(ni) != c) {
                    return false;
                }
                ni++;
                pi++;
            }
        }
        return ni == n;
    }

    /** Index of the ']' closing the class opened at {@code open}, or -1 (then '[' is literal). */
    private static int classEnd(String pat, int open) {
        int j = open + 1;
        if (j < pat.length() && pat.charAt(j) == '!') {
            j++;
        }
        if (j < pat.length() && pat.charAt(j) == ']') {
            j++;
        }
        return pat.indexOf(']', j);
    }

    private static boolean inClass(char c, String pat, int from, int end) {
        boolean negate = from < end && pat.charAt(from) == '!';
        int i = negate ? from + 1 : from;
        boolean hit = false;
        while (i < end) {
            char lo = pat.charAt(i);
            if (i + 2 < end && pat.charAt(i + 1) == '-') {
                char hi = pat.charAt(i + 2);
                if (lo <= c && c <= hi) {
                    hit = true;
                }
                i += 3;
            } else {
                if (c == lo) {
                    hit = true;
                }
                i++;
            }
        }
        return hit != negate;
    }
}
