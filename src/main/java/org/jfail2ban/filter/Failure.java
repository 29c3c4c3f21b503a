package org.jfail2ban.filter;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One failure a filter found: who failed ({@code id}), when, the log lines that show it, and the
 * named values its regex captured ({@code user}, {@code fid}, any {@code F-NAME} in lower case).
 *
 * @param id    the ban id: the normalised address, or the failure id of a filter without host
 * @param ip    the id as an address, or null when the id is a host name or a free-form failure id
 * @param time  the time of the log line (from its date, or the time it was read)
 * @param lines the log lines of this failure, oldest first, without their dates removed
 * @param tags  named captures; never null
 */
public record Failure(String id, IpAddr ip, Instant time, List<String> lines, Map<String, String> tags) {
    public Failure {
        lines = List.copyOf(lines);
        tags = Map.copyOf(tags);
    }
}
