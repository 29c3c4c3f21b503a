package org.jfail2ban.store;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jfail2ban.source.FilePosition;

/**
 * The process {@link CrashTest} kills: commits one {@link Changes} per step (a failure record,
 * every seventh step a ban, and the log position = the step) and prints each step once its
 * commit returned. It resumes from the position it finds.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        try (Database db = Database.open(file, Clock.systemUTC())) {
            long k = db.logPosition("sshd", "/var/log/auth.log").map(FilePosition::offset).orElse(0L);
            System.out.println("start " + k);
            System.out.flush();
            while (true) {
                k++;
                Instant t = Instant.ofEpochSecond(1_700_000_000L + k);
                Changes c = new Changes()
                        .putFailure("sshd", new FailureRecord("192.0.2." + (k % 50), t, t, (int) k, BanData.of((int) k, List.of("step " + k))))
                        .updateLog("sshd", new FilePosition("/var/log/auth.log", "hash", k));
                if (k % 7 == 0) {
                    c.addBan(new BanRecord("sshd", "198.51.100." + k, t, -1, 1, BanData.of(1, List.of("ban " + k))));
                }
                if (k % 2 == 0) {
                    db.commit(c);
                } else {
                    db.commitAsync(c).join();
                }
                System.out.println(k);
                System.out.flush();
            }
        }
    }
}
