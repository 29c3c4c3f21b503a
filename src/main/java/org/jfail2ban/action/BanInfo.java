package org.jfail2ban.action;

import java.time.Clock;
import org.jfail2ban.filter.IpAddr;

/**
 * What an action is told about one ban. The fixed facts are methods; everything else an action
 * may substitute ({@code <failures>}, {@code <time>}, {@code <matches>}, {@code <F-USER>},
 * {@code <bantime>} ...) is looked up by tag name, lazily, because most actions use few of them
 * and some (the ip's host name) cost a lookup.
 */
public interface BanInfo {

    /** The ban id: the normalised address or the failure id. */
    String id();

    /** The id as an address, or null when it is not one. */
    IpAddr ip();

    /** Whether this ban is restored from the store at start rather than new. */
    boolean restored();

    /** The value of a dynamic tag without its angle brackets, or null when there is none. */
    String tag(String name);

    /**
     * When the ban ends, in epoch seconds, or {@link SharedTargets#FOREVER}. By default read
     * from the {@code time} and {@code bantime} tags; a jail's ban knows it without writing the
     * numbers as text and reading them back (100,000 times at a restore).
     */
    default long until(Clock clock) {
        return Bans.untilFromTags(this, clock);
    }
}
