package org.jfail2ban.store;

import java.util.List;

/**
 * All bans of an id kept in the history, merged as fail2ban merges them for the action tags
 * {@code <ipfailures>}, {@code <ipjailfailures>}, {@code <ipmatches>} and {@code <ipjailmatches>}.
 *
 * @param id       the id
 * @param failures the failures of all its bans, summed
 * @param matches  the matched lines of its bans, oldest first, at most {@code dbmaxmatches}
 */
public record MergedBans(String id, int failures, List<String> matches) {
    public MergedBans {
        matches = List.copyOf(matches);
    }
}
