package org.jfail2ban.bench;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.jfail2ban.store.BanRecord;
import org.jfail2ban.store.Database;

/**
 * Writes a ban database for {@code bench/restore.sh}: N current bans of jail {@code sshd}
 * (addresses 10.x.y.z, a day long, started in the last hour), in transactions of 5,000.
 *
 * <p>{@code java -cp ... org.jfail2ban.bench.RestoreDatabase FILE N}
 */
public final class RestoreDatabase {

    private RestoreDatabase() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Clock clock = Clock.systemUTC();
        List<BanRecord> bans = StoreBench.bans(n, clock.instant());
        try (Database db = Database.open(file, clock)) {
            for (int i = 0; i < n; i += 5000) {
                db.addBans(bans.subList(i, Math.min(n, i + 5000)));
            }
        }
    }
}
