package org.jfail2ban.action;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.jfail2ban.filter.IpAddr;

/**
 * Bans in TCP wrappers' {@code /etc/hosts.deny}: one line {@code DAEMONS: ADDRESS} per banned
 * address ({@code [ADDRESS]} for IPv6), the format fail2ban writes, so either can remove the
 * other's lines.
 *
 * <p>Edits are safe: under a lock (in this process, and an advisory lock on the file against
 * other processes that lock), the file is read, changed in memory and replaced atomically by a
 * renamed temporary copy with the same owner and mode, so a reader never sees half a file and
 * every other line stays as it was. A batch of bans is one rewrite.
 *
 * <p>hosts.deny knows nothing of jails: an address banned by two jails keeps its line until the
 * last of their bans ends ({@link SharedTargets}).
 */
final class HostsDenyBackend implements Backend {

    private static final Pattern DAEMONS = Pattern.compile("[A-Za-z0-9_.,@ \\-]+");

    private final BackendContext ctx;
    private final Path file;
    private final String daemons;
    private final String target;
    private final ReentrantLock lock;

    HostsDenyBackend(BackendContext ctx) throws ActionException {
        this.ctx = ctx;
        this.file = Path.of(ctx.get("file", "/etc/hosts.deny")).toAbsolutePath().normalize();
        this.daemons = ctx.checked("daemon_list", "", "ALL", DAEMONS);
        this.target = "hostsdeny:" + file + ":" + daemons;
        this.lock = ctx.shared().lock("file:" + file);
    }

    private String line(IpAddr ip) {
        return daemons + ": " + (ip.isIPv6() ? "[" + ip + "]" : ip.toString());
    }

    @Override
    public void stop() {
        ctx.shared().releaseAll(target, ctx.holder());
    }

    @Override
    public void banAll(List<BanInfo> bans) throws ActionException {
        Set<String> add = new LinkedHashSet<>();
        List<String> bad = Bans.addresses(bans, false, (ip, ban) -> {
            ctx.shared().hold(target, ip.toString(), ctx.holder(), ban.until(ctx.clock()));
            add.add(line(ip));
        });
        edit(add, Set.of());
        Bans.reject(ctx, "ban", bad, "not an address");
    }

    @Override
    public void unbanAll(List<BanInfo> bans) throws ActionException {
        Set<String> remove = new LinkedHashSet<>();
        Bans.addresses(bans, false, (ip, ban) -> {
            if (ctx.shared().release(target, ip.toString(), ctx.holder())) {
                remove.add(line(ip));
            }
        });
        edit(Set.of(), remove);
    }

    @Override
    public boolean flush() throws ActionException {
        Set<String> remove = new LinkedHashSet<>();
        for (String a : ctx.shared().releaseAll(target, ctx.holder())) {
            remove.add(line(IpAddr.parse(a)));
        }
        edit(Set.of(), remove);
        return true;
    }

    /** Appends the lines not yet there and drops the lines to remove, in one atomic rewrite. */
    private void edit(Set<String> add, Set<String> remove) throws ActionException {
        if (add.isEmpty() && remove.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            for (int attempt = 0; ; attempt++) {
                Object before = inode();
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
                     FileLock fl = ch.lock()) {
                    if (!Objects.equals(before, inode()) && attempt < 5) {
                        continue; // replaced while we waited for the lock: lock the new one
                    }
                    rewrite(add, remove);
                    return;
                }
            }
        } catch (IOException e) {
            throw new ActionException(ctx.what() + ": cannot update " + file + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private Object inode() throws IOException {
        try {
            return Files.readAttributes(file, "unix:ino").get("ino");
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (UnsupportedOperationException e) {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        }
    }

    private void rewrite(Set<String> add, Set<String> remove) throws IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        boolean changed = lines.removeIf(l -> remove.contains(l.strip()));
        Set<String> have = new LinkedHashSet<>();
        lines.forEach(l -> have.add(l.strip()));
        for (String l : add) {
            if (have.add(l)) {
                lines.add(l);
                changed = true;
            }
        }
        if (!changed) {
            return;
        }
        StringBuilder out = new StringBuilder(text.length() + add.size() * 24);
        lines.forEach(l -> out.append(l).append('\n'));
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, out, StandardCharsets.UTF_8);
            copyOwnerAndMode(tmp);
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void copyOwnerAndMode(Path tmp) throws IOException {
        if (!Files.exists(file)) {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            return;
        }
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributeView v = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        v.setPermissions(a.permissions());
        try {
            v.setOwner(a.owner());
            v.setGroup(a.group());
        } catch (IOException e) {
            // not root: the file stays ours, which is what we could write anyway
        }
    }
}
