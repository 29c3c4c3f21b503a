package org.jfail2ban.server;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jfail2ban.ban.Evidence;
import org.jfail2ban.store.BanData;

/**
 * The evidence of a ban restored from the store, read from the database when an action first
 * asks for it (its failures, lines or captured values) and kept from then on. A restore of
 * 100,000 bans holds their addresses and times, not their lines.
 */
final class StoredEvidence implements Evidence {

    private final Supplier<BanData> load;
    private volatile Known known;

    StoredEvidence(Supplier<BanData> load) {
        this.load = load;
    }

    private Known known() {
        Known k = known;
        if (k == null) {
            BanData d = load.get();
            // as fail2ban restores a ticket: its retry count is the failures its data records
            k = new Known(d.failures(), d.failures(), d.matches(), BanJournal.tags(d));
            known = k;
        }
        return k;
    }

    @Override
    public int attempts() {
        return known().attempts();
    }

    @Override
    public int failures() {
        return known().failures();
    }

    @Override
    public List<String> matches() {
        return known().matches();
    }

    @Override
    public Map<String, String> tags() {
        return known().tags();
    }

    @Override
    public String toString() {
        Known k = known;
        return k == null ? "StoredEvidence[not read]" : k.toString();
    }
}
