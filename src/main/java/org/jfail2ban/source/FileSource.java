package org.jfail2ban.source;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Follows log files and delivers their new lines.
 *
 * <p>STUB of the foundation commit: polls every 50 ms, no rotation, no encodings. The source
 * work replaces the body (inotify, rotation, positions); the public methods stay.
 */
public final class FileSource implements LogSource {

    private final List<Path> paths;
    private final boolean tail;
    private volatile boolean closed;
    private Thread thread;

    /**
     * @param tail start at the end of each file (fail2ban's {@code logpath = FILE tail}) instead of
     *             its beginning
     */
    public FileSource(List<Path> paths, boolean tail) {
        this.paths = List.copyOf(paths);
        this.tail = tail;
    }

    public List<Path> paths() {
        return paths;
    }

    @Override
    public void start(LineSink sink) {
        thread = new Thread(() -> run(sink), "source-" + paths.get(0).getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    private void run(LineSink sink) {
        long[] pos = new long[paths.size()];
        StringBuilder[] partial = new StringBuilder[paths.size()];
        for (int i = 0; i < paths.size(); i++) {
            partial[i] = new StringBuilder();
            try {
                pos[i] = tail && Files.exists(paths.get(i)) ? Files.size(paths.get(i)) : 0;
            } catch (IOException e) {
                pos[i] = 0;
            }
        }
        while (!closed) {
            for (int i = 0; i < paths.size(); i++) {
                Path p = paths.get(i);
                try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
                    if (f.length() < pos[i]) {
                        pos[i] = 0;
                    }
                    f.seek(pos[i]);
                    byte[] buf = new byte[(int) Math.min(f.length() - pos[i], 1 << 20)];
                    f.readFully(buf);
                    pos[i] += buf.length;
                    String s = partial[i].append(new String(buf, StandardCharsets.UTF_8)).toString();
                    int start = 0;
                    for (int nl; (nl = s.indexOf('\n', start)) >= 0; start = nl + 1) {
                        sink.accept(new LogLine(s.substring(start, nl), p.toString(), null));
                    }
                    partial[i].setLength(0);
                    partial[i].append(s, start, s.length());
                } catch (IOException e) {
                    // file missing for now; try again on the next round
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
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
