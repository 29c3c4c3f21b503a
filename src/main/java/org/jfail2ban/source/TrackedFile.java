package org.jfail2ban.source;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One followed log file: where it was read to, which file (inode) that was, and the files that
 * were rotated away from its path but may still hold unread lines.
 *
 * <p>Rotation is told apart by what happens at the path:
 * <ul>
 *   <li>another inode (rename and create, delete and create): the old file stays open, is read to
 *       its end, and is kept a while for lines its writer still appends before reopening;</li>
 *   <li>the same inode, shorter than the offset read, or with another first line (copytruncate):
 *       lines written between the last read and the truncation are in the copy, which is found
 *       next to the file by its first line and read from the old offset;</li>
 *   <li>no file: the open one is drained and kept as above; a file that appears later is read
 *       from its start.</li>
 * </ul>
 * Only the source's thread touches an instance once it is handed over.
 */
final class TrackedFile {

    private static final System.Logger LOG = System.getLogger("org.jfail2ban.source");
    /** Bytes read from one file before the others get their turn and the position is told. */
    static final long BATCH = 1 << 20;

    /** What the file's source gives it: lines go out, positions are told, time is asked. */
    interface Reading {
        LineReader reader();

        Consumer<String> lines(TrackedFile file);

        void position(FilePosition position);

        Instant now();

        /** How long a rotated-away file is still read after the rotation. */
        java.time.Duration retireGrace();

        /** Where reading a file from its head should start instead of offset {@code from}. */
        long seekStart(FileChannel ch, long from, long size) throws IOException;
    }

    /** A file that left the path but is still read for late lines. */
    private static final class Retired {
        final FileChannel channel;
        long pos;
        final Instant until;

        Retired(FileChannel channel, long pos, Instant until) {
            this.channel = channel;
            this.pos = pos;
            this.until = until;
        }
    }

    final Path path;
    final Path abs;
    private final String origin;
    private FileChannel channel;
    private Object fileKey;
    private long pos;
    private FirstLine first = FirstLine.INCOMPLETE;
    private long lastSize = -1;
    private FileTime lastModified = FileTime.fromMillis(0);
    private boolean seekPending;
    private boolean missingLogged;
    private final List<Retired> retired = new ArrayList<>();
    /** Directories whose notices concern this file (its own, and its symlink target's). */
    final List<Path> watchDirs = new ArrayList<>();
    boolean watched;
    /** The last poll stopped at a batch limit: there is more to read without waiting for a notice. */
    boolean behind;

    private TrackedFile(Path path) {
        this.path = path;
        this.abs = path.toAbsolutePath().normalize();
        this.origin = path.toString();
    }

    /**
     * Opens {@code path} where a jail starts reading it: at the saved position when the file
     * still begins with the saved first line, at its end for {@code tail}, else at its head.
     * A file that does not exist yet is read from its head once it appears.
     */
    static TrackedFile start(Path path, boolean tail, FilePosition resume, LineReader reader) {
        TrackedFile f = new TrackedFile(path);
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                long size = ch.size();
                f.first = FirstLine.of(ch);
                if (resume != null && resume.firstLineHash() != null && resume.firstLineHash().equals(f.first.hash())
                        && resume.offset() <= size && resume.offset() >= 0) {
                    f.pos = resume.offset();
                    f.seekPending = !tail;
                } else if (tail) {
                    f.pos = reader.lastLineEnd(ch, size);
                } else {
                    f.seekPending = true;
                }
                f.channel = ch;
                f.fileKey = a.fileKey();
                f.lastModified = a.lastModifiedTime();
                ch = null;
            } finally {
                if (ch != null) {
                    ch.close();
                }
            }
        } catch (IOException e) {
            // absent for now (or unreadable): it is looked for again at every notice or poll
            f.logMissing(e);
        }
        return f;
    }

    String origin() {
        return origin;
    }

    FilePosition position() {
        return new FilePosition(origin, first.hash(), pos);
    }

    boolean hasRetired() {
        return !retired.isEmpty();
    }

    /** When the oldest rotated-away file is let go, or null. */
    Instant retiredUntil() {
        Instant min = null;
        for (Retired r : retired) {
            if (min == null || r.until.isBefore(min)) {
                min = r.until;
            }
        }
        return min;
    }

    /**
     * Reads what is new. {@code cheap} allows skipping the work when size, time and inode are
     * unchanged (a poll); a change notice always looks.
     *
     * @return true when there is more to read right away (a batch limit was reached)
     */
    boolean poll(Reading ctx, boolean cheap) {
        behind = read(ctx, cheap);
        return behind;
    }

    private boolean read(Reading ctx, boolean cheap) {
        try {
            drainRetired(ctx);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
                vanished(ctx, e);
                return false;
            }
            if (!a.isRegularFile()) {
                vanished(ctx, new IOException("not a regular file"));
                return false;
            }
            if (channel == null) {
                open(a, "appeared");
            } else if (!Objects.equals(a.fileKey(), fileKey)) {
                LOG.log(Level.INFO, "Log rotation detected for {0} (new file)", origin);
                retire(ctx);
                open(a, null);
            } else if (cheap && !behind && a.size() == lastSize && a.lastModifiedTime().equals(lastModified)
                    && retired.isEmpty()) {
                return false;
            }
            long size = channel.size();
            if (size < pos || !first.stillFirstOf(channel)) {
                LOG.log(Level.INFO, "Log rotation detected for {0} (truncated)", origin);
                recoverFromCopy(ctx);
                pos = 0;
                first = FirstLine.INCOMPLETE;
            }
            lastSize = size;
            lastModified = a.lastModifiedTime();
            if (!first.complete()) {
                first = FirstLine.of(channel);
            }
            if (seekPending) {
                seekPending = false;
                pos = ctx.seekStart(channel, pos, size);
            }
            if (size <= pos) {
                return false;
            }
            long from = pos;
            long to = ctx.reader().read(channel, from, BATCH, false, ctx.lines(this));
            if (to != from) {
                pos = to;
                ctx.position(position());
            }
            // a partial last line also leaves bytes unread: only a full batch asks for another round
            return to - from >= BATCH;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Unable to read {0}: {1}", origin, e.toString());
            return false;
        }
    }

    private void open(BasicFileAttributes a, String why) throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.READ);
        fileKey = a.fileKey();
        pos = 0;
        first = FirstLine.INCOMPLETE;
        lastSize = -1;
        if (why != null && missingLogged) {
            LOG.log(Level.INFO, "Log presence detected for file {0}", origin);
        }
        missingLogged = false;
    }

    private void vanished(Reading ctx, IOException why) throws IOException {
        if (channel != null) {
            LOG.log(Level.INFO, "Log absence detected (possibly rotation) for {0}", origin);
            retire(ctx);
        }
        logMissing(why);
    }

    private void logMissing(IOException e) {
        if (!missingLogged) {
            missingLogged = true;
            LOG.log(Level.DEBUG, "{0} is not there yet: {1}", origin, e.toString());
        }
    }

    /** Reads the file that left the path to its end and keeps it open a while for late lines. */
    private void retire(Reading ctx) throws IOException {
        FileChannel old = channel;
        channel = null;
        fileKey = null;
        long p = ctx.reader().read(old, pos, Long.MAX_VALUE, false, ctx.lines(this));
        retired.add(new Retired(old, p, ctx.now().plus(ctx.retireGrace())));
        pos = 0;
        first = FirstLine.INCOMPLETE;
        seekPending = false;
    }

    private void drainRetired(Reading ctx) {
        Instant now = ctx.now();
        for (Iterator<Retired> it = retired.iterator(); it.hasNext(); ) {
            Retired r = it.next();
            boolean last = !now.isBefore(r.until);
            try {
                // a last line left without its newline will never be finished: deliver it
                r.pos = ctx.reader().read(r.channel, r.pos, Long.MAX_VALUE, last, ctx.lines(this));
            } catch (IOException e) {
                last = true;
            }
            if (last) {
                closeQuietly(r.channel);
                it.remove();
            }
        }
    }

    /**
     * After a copytruncate: the lines between the last read offset and the truncation are only in
     * the copy. It lies next to the file, is named after it ({@code auth.log.1},
     * {@code auth.log-20240101}), starts with the same first line and was written no earlier
     * than the last change seen here.
     */
    private void recoverFromCopy(Reading ctx) {
        if (!first.complete() || pos == 0) {
            return;
        }
        Path dir = abs.getParent();
        String base = abs.getFileName().toString();
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.length() > base.length() + 1 && name.startsWith(base)
                        && ".-_".indexOf(name.charAt(base.length())) >= 0 && !compressed(name)) {
                    candidates.add(p);
                }
            }
        } catch (IOException e) {
            return;
        }
        candidates.sort(Comparator.comparingLong(TrackedFile::modified).reversed());
        for (Path p : candidates.subList(0, Math.min(candidates.size(), 8))) {
            if (modified(p) + 1000 < lastModified.toMillis()) {
                break;
            }
            try (FileChannel copy = FileChannel.open(p, StandardOpenOption.READ)) {
                if (copy.size() >= pos && first.stillFirstOf(copy)) {
                    if (copy.size() > pos) {
                        LOG.log(Level.INFO, "Reading the end of {0} from its copy {1}", origin, p);
                        ctx.reader().read(copy, pos, Long.MAX_VALUE, false, ctx.lines(this));
                    }
                    return;
                }
            } catch (IOException e) {
                // not readable: try the next one
            }
        }
    }

    private static boolean compressed(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".gz") || n.endsWith(".bz2") || n.endsWith(".xz") || n.endsWith(".zst")
                || n.endsWith(".lz4") || n.endsWith(".z") || n.endsWith(".zip");
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Releases every open file. */
    void close() {
        if (channel != null) {
            closeQuietly(channel);
            channel = null;
        }
        for (Retired r : retired) {
            closeQuietly(r.channel);
        }
        retired.clear();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
