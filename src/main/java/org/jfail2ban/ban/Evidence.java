package org.jfail2ban.ban;

import java.util.List;
import java.util.Map;

/**
 * What the failures behind a ticket left: how many there were, their log lines and the values
 * the filter captured. An interface so that a ban restored from the store can keep its data
 * unparsed until an action asks for it: a start with 100,000 bans needs their addresses and
 * times at once, their lines seldom.
 */
public interface Evidence {

    /** The failures counted inside findtime (fail2ban's retry count). */
    int attempts();

    /** The failures seen in total. */
    int failures();

    /** The log lines of those failures, oldest first, at most maxmatches. */
    List<String> matches();

    /** Named values the filter captured (user, F-... in lower case). */
    Map<String, String> tags();

    /** Evidence known in full now. */
    static Evidence of(int attempts, int failures, List<String> matches, Map<String, String> tags) {
        return new Known(attempts, failures, matches, tags);
    }

    /** Evidence known in full (new failures, or a ban by hand). */
    record Known(int attempts, int failures, List<String> matches, Map<String, String> tags) implements Evidence {
        public Known {
            matches = List.copyOf(matches);
            tags = Map.copyOf(tags);
        }
    }
}
