package org.jfail2ban.source;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Follows a jail's log files and delivers their new lines.
 *
 * <p>STUB of the foundation commit: polls every 50 ms, no rotation, no hashes. The source work
 * replaces the body (inotify, rotation, positions, encodings); the public methods stay.
 */
public final class FileSource implements LogSource {

    /** How changes are noticed: fail2ban's backend names. */
    public enum Backend { AUTO, POLLING, PYINOTIFY }

    private final Backend backend;
    private final Map<Path, long[]> files = new ConcurrentHashMap<>();
    private volatile Charset encoding = StandardCharsets.UTF_8;
    private volatile Consumer<FilePosition> positions = p -> { };
    private volatile boolean closed;
    private Thread thread;

    public FileSource(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /**
     * Adds a file; allowed while running.
     *
     * @param tail   start at its end (fail2ban's {@code logpath = FILE tail}) instead of its start
     * @param resume where a previous run stopped (from the store), or null; used only when the
     *               file's first line still has the same hash
     */
    public void addPath(Path path, boolean tail, FilePosition resume) {
        long pos = 0;
        try {
            if (resume != null) {
                pos = resume.offset();
            } else if (tail && Files.exists(path)) {
                pos = Files.size(path);
            }
        } catch (IOException e) {
            pos = 0;
        }
        files.put(path, new long[] {pos});
    }

    /** Stops following a file; allowed while running. */
    public void removePath(Path path) {
        files.remove(path);
    }

    public List<Path> paths() {
        return new ArrayList<>(files.keySet());
    }

    public void setEncoding(Charset encoding) {
        this.encoding = encoding;
    }

    public Charset encoding() {
        return encoding;
    }

    /** Told the position after each batch of delivered lines, for the store. */
    public void onPosition(Consumer<FilePosition> listener) {
        this.positions = listener;
    }

    @Override
    public void start(LineSink sink) {
        thread = new Thread(() -> run(sink), "source");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(LineSink sink) {
        while (!closed) {
            for (Map.Entry<Path, long[]> e : files.entrySet()) {
                Path p = e.getKey();
                long[] pos = e.getValue();
                try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
                    if (f.length() < pos[0]) {
                        pos[0] = 0;
                    }
                    f.seek(pos[0]);
                    byte[] buf = new byte[(int) Math.min(f.length() - pos[0], 1 << 20)];
                    f.readFully(buf);
                    int start = 0;
                    for (int i = 0; i < buf.length; i++) {
                        if (buf[i] == '\n') {
                            sink.accept(new LogLine(new String(buf, start, i - start, encoding), p.toString(), null));
                            start = i + 1;
                        }
                    }
                    pos[0] += start;
                    if (start > 0) {
                        positions.accept(new FilePosition(p.toString(), "", pos[0]));
                    }
                } catch (IOException ex) {
                    // file missing for now; try again on the next round
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
