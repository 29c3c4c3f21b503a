package org.jfail2ban.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A steady stream of failure lines while the log is rotated, by rename-and-create and by
 * copytruncate: every failure is counted once, none lost, none twice.
 */
class RotationTest {

    private static final int LINES = 600;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"rename,auto", "rename,polling", "copytruncate,auto", "copytruncate,polling"})
    void everyFailureIsCountedOnceAcrossRotations(String kind, String backend) throws Exception {
        Path log = Files.createFile(tmp.resolve("auth.log"));
        try (Daemon d = Daemon.start(tmp)) {
            d.ok("add", "sshd", backend);
            d.ok("set", "sshd", "addlogpath", log.toString());
            d.ok("set", "sshd", "addfailregex", "Failed password for \\S+ from <HOST>");
            d.ok("set", "sshd", "maxretry", 1_000_000L);
            d.ok("start", "sshd");
            OutputStream out = new FileOutputStream(log.toFile(), true);
            for (int i = 0; i < LINES; i++) {
                if (i == LINES / 3 || i == 2 * LINES / 3) {
                    Path old = tmp.resolve("auth.log." + i);
                    if (kind.equals("rename")) {
                        Files.move(log, old);
                        // a few lines still reach the old file before the writer reopens, as with syslog
                        for (int k = 0; k < 5; k++, i++) {
                            out.write(line(i).getBytes(StandardCharsets.UTF_8));
                        }
                        out.close();
                        out = new FileOutputStream(log.toFile(), true);
                    } else {
                        out.flush();
                        Files.copy(log, old, StandardCopyOption.REPLACE_EXISTING);
                        try (FileOutputStream trunc = new FileOutputStream(log.toFile(), false)) {
                            trunc.getChannel().truncate(0);
                        }
                    }
                }
                out.write(line(i).getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(2);
            }
            out.close();
            d.await("all " + LINES + " failures", () -> total(d) >= LINES);
            Thread.sleep(1500);
            assertEquals(LINES, total(d));
        }
    }

    private static String line(int i) {
        return LocalDateTime.now().format(STAMP) + " host sshd[1]: Failed password for root from 198.51.100."
                + (i % 250) + " port 22 ssh2\n";
    }

    private static long total(Daemon d) {
        try {
            List<?> status = (List<?>) d.ok("status", "sshd");
            List<?> filter = (List<?>) ((List<?>) status.get(0)).get(1);
            return ((Number) ((List<?>) filter.get(1)).get(1)).longValue();
        } catch (IOException e) {
            return -1;
        }
    }
}
