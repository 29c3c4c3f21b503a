package org.jfail2ban.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A configuration directory being read: finds the files of a name in fail2ban's order
 * ({@code name.conf}, {@code name.d/*.conf}, {@code name.local}, {@code name.d/*.local}), adds
 * their {@code [INCLUDES] before/after} files (each with its own {@code .local}), and merges
 * them. Each file is parsed once per reading and shared by every reader that includes it (the
 * filter.d/common.conf that fifty filters include is read once).
 *
 * <p>Paths are kept as strings joined the way fail2ban joins them, because they show up in the
 * command stream (the path of a Python action, {@code %(fail2ban_confpath)s}).
 */
final class ConfigTree {

    private static final String INCLUDES = "INCLUDES";

    final String base;
    private final Map<String, Optional<IniFile>> parsed = new HashMap<>();
    private final Map<String, List<String>> includeLists = new HashMap<>();
    private final Map<String, Optional<IniSet>> sets = new HashMap<>();
    private final Map<String, List<String>> filesRead = new HashMap<>();

    ConfigTree(String base) {
        String b = base;
        while (b.length() > 1 && b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        this.base = b;
    }

    static String join(String dir, String name) {
        if (name.startsWith("/") || dir.isEmpty()) {
            return name;
        }
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    static String dirname(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return "";
        }
        String head = path.substring(0, slash + 1);
        int e = head.length();
        while (e > 0 && head.charAt(e - 1) == '/') {
            e--;
        }
        return e == 0 ? head : head.substring(0, e);
    }

    /** The merged files of a name like "jail" or "filter.d/sshd"; empty when none exists. */
    Optional<IniSet> set(String name) throws ConfigException {
        Optional<IniSet> s = sets.get(name);
        if (s == null) {
            s = Optional.ofNullable(readSet(name));
            sets.put(name, s);
        }
        return s;
    }

    /**
     * One file named by its path, with its {@code .local} and its includes, merged: fail2ban's
     * {@code readexplicit} (fail2ban-regex given a filter file outside a configuration
     * directory). Empty when the file cannot be read.
     */
    Optional<IniSet> explicit(String path) throws ConfigException {
        String key = "\u0000explicit:" + path;
        Optional<IniSet> s = sets.get(key);
        if (s == null) {
            IniSet set = new IniSet();
            List<String> read = new ArrayList<>();
            for (String f : includes(List.of(path), List.of())) {
                IniFile file = file(f);
                if (file != null) {
                    set.merge(file);
                    read.add(f);
                }
            }
            s = read.isEmpty() ? Optional.empty() : Optional.of(set);
            sets.put(key, s);
            filesRead.put(path, read);
        }
        return s;
    }

    /** The files that made up a name's set, in reading order (for messages). */
    List<String> filesOf(String name) {
        return filesRead.getOrDefault(name, List.of());
    }

    /** Where a name's files would be, for messages. */
    String candidates(String name) {
        String b = join(base, name);
        return b + ".conf, " + b + ".local or " + b + ".d/*.conf|*.local";
    }

    private IniSet readSet(String name) throws ConfigException {
        String b = join(base, name);
        List<String> files = new ArrayList<>();
        files.add(b + ".conf");
        files.addAll(listDir(b + ".d", ".conf"));
        files.add(b + ".local");
        files.addAll(listDir(b + ".d", ".local"));
        for (int i = files.size() - 1; i >= 0; i--) {
            if (!exists(files.get(i))) {
                files.remove(i);
            }
        }
        if (files.isEmpty()) {
            return null;
        }
        IniSet set = new IniSet();
        List<String> read = new ArrayList<>();
        for (String f : includes(files, List.of())) {
            IniFile file = file(f);
            if (file != null) {
                set.merge(file);
                read.add(f);
            }
        }
        if (read.isEmpty()) {
            return null;
        }
        filesRead.put(name, read);
        return set;
    }

    /** A file parsed alone, or null when there is no such regular file. */
    IniFile file(String path) throws ConfigException {
        Optional<IniFile> f = parsed.get(path);
        if (f == null) {
            f = Optional.ofNullable(load(path));
            parsed.put(path, f);
        }
        return f.orElse(null);
    }

    /** The path, or null when the text cannot name one (a NUL byte). */
    static Path pathOf(String path) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    static boolean exists(String path) {
        Path p = pathOf(path);
        return p != null && Files.exists(p);
    }

    private static IniFile load(String path) throws ConfigException {
        Path p = pathOf(path);
        if (p == null || !Files.isRegularFile(p)) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            throw new ConfigException(path + ": cannot read the file (permission denied)");
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read the file (" + e + ")");
        }
        return IniFile.parse(path, bytes);
    }

    /**
     * The files to read for the given ones, includes in place: each file's {@code before} list,
     * the file, its {@code after} list, recursively, a file never including one it is included
     * from. A {@code .local} next to a named file comes right after it.
     */
    private List<String> includes(List<String> names, List<String> seen) throws ConfigException {
        List<String> expanded = new ArrayList<>();
        for (String f : names) {
            expanded.add(f);
            String local = PyText.dropExtension(f) + ".local";
            if (!names.contains(local) && isFile(local)) {
                expanded.add(local);
            }
        }
        String key = String.join("\u0001", expanded);
        List<String> cached = includeLists.get(key);
        if (cached != null) {
            return cached;
        }
        List<String> out = new ArrayList<>();
        for (String f : expanded) {
            out.addAll(includesOf(f, seen));
        }
        includeLists.put(key, out);
        return out;
    }

    private List<String> includesOf(String resource, List<String> seen) throws ConfigException {
        IniFile f = file(resource);
        if (f == null) {
            return List.of();
        }
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        if (f.sections.containsKey(INCLUDES)) {
            IniSet one = IniSet.single(f);
            String dir = dirname(resource);
            for (String which : new String[] {"before", "after"}) {
                if (!one.hasOption(INCLUDES, which)) {
                    continue;
                }
                List<String> target = which.equals("before") ? before : after;
                for (String inc : PyText.lines(one.get(INCLUDES, which))) {
                    String r = join(dir, inc);
                    if (seen.contains(r)) {
                        continue;
                    }
                    List<String> chain = new ArrayList<>(seen);
                    chain.add(resource);
                    target.addAll(includes(List.of(r), chain));
                }
            }
        }
        List<String> out = new ArrayList<>(before);
        out.add(resource);
        out.addAll(after);
        return out;
    }

    /** Sorted paths of the directory's entries ending in the suffix (no hidden names). */
    private static List<String> listDir(String dir, String suffix) {
        List<String> out = new ArrayList<>();
        Path p = pathOf(dir);
        if (p == null || !Files.isDirectory(p)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            for (Path e : ds) {
                String n = e.getFileName().toString();
                if (!n.startsWith(".") && n.endsWith(suffix)) {
                    out.add(join(dir, n));
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    private static boolean isFile(String path) {
        Path p = pathOf(path);
        return p != null && Files.isRegularFile(p);
    }
}
