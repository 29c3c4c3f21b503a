package org.jfail2ban.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jfail2ban.source.JournalSource;

/**
 * Entries per second through the journal source, on a real journal (run by bench/source-journal).
 *
 * <pre>
 *   generate DIR COUNT        write COUNT entries (half sshd, half cron) with systemd-journal-remote
 *   read DIR COUNT [MATCH..]  read them back through JournalSource, print the rate
 * </pre>
 */
public final class SourceJournalThroughput {

    /** The entries' times: one millisecond apart from here. */
    static final long T0_MICROS = 1_700_000_000_000_000L;

    private SourceJournalThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("generate")) {
            generate(Path.of(args[1]), Integer.parseInt(args[2]));
        } else if (args.length >= 3 && args[0].equals("read")) {
            read(Path.of(args[1]), Long.parseLong(args[2]), Arrays.asList(args).subList(3, args.length));
        } else {
            System.err.println("usage: generate DIR COUNT | read DIR COUNT [MATCH...]");
            System.exit(2);
        }
    }

    static void generate(Path dir, int count) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/lib/systemd/systemd-journal-remote", "--output=" + dir.resolve("bench.journal"), "-")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 20)) {
            StringBuilder sb = new StringBuilder(512);
            for (int i = 0; i < count; i++) {
                boolean ssh = i % 2 == 0;
                sb.setLength(0);
                sb.append("__REALTIME_TIMESTAMP=").append(T0_MICROS + i * 1000L).append('\n')
                        .append("__MONOTONIC_TIMESTAMP=").append(1_000_000L + i * 1000L).append('\n')
                        .append("_BOOT_ID=0123456789abcdef0123456789abcdef\n")
                        .append("_HOSTNAME=srv\n")
                        .append("_SYSTEMD_UNIT=").append(ssh ? "ssh.service" : "cron.service").append('\n')
                        .append("_COMM=").append(ssh ? "sshd" : "cron").append('\n')
                        .append("SYSLOG_IDENTIFIER=").append(ssh ? "sshd" : "CRON").append('\n')
                        .append("_PID=").append(1000 + i % 30000).append('\n')
                        .append("_UID=0\n_GID=0\nPRIORITY=6\nSYSLOG_FACILITY=4\n_TRANSPORT=syslog\n")
                        .append("MESSAGE=");
                if (ssh) {
                    sb.append("Failed password for invalid user u").append(i).append(" from 192.0.")
                            .append((i >> 8) & 255).append('.').append(i & 255).append(" port ").append(1024 + i % 60000)
                            .append(" ssh2");
                } else {
                    sb.append("(root) CMD (run-parts /etc/cron.hourly) ").append(i);
                }
                sb.append("\n\n");
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException("systemd-journal-remote failed");
        }
    }

    static void read(Path dir, long expect, List<String> match) throws Exception {
        // the clock stands just after the last entry, findtime covers them all
        Clock clock = Clock.fixed(Instant.ofEpochSecond(T0_MICROS / 1_000_000 + 86_400), ZoneOffset.UTC);
        AtomicLong n = new AtomicLong();
        AtomicLong chars = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        try (JournalSource s = new JournalSource(clock, "journalctl")) {
            s.setPath(dir);
            s.setFindTime(Duration.ofDays(30));
            if (!match.isEmpty()) {
                s.addMatch(match);
            }
            s.start(l -> {
                chars.addAndGet(l.text().length());
                if (n.incrementAndGet() == expect) {
                    done.countDown();
                }
            });
            if (!done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("only " + n.get() + " of " + expect + " entries");
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("entries %d  seconds %.2f  entries/s %.0f%n", n.get(), secs, n.get() / secs);
    }
}
