package org.jfail2ban.ban;

import java.util.List;
import java.util.Map;
import org.jfail2ban.filter.IpAddr;

/**
 * One ban held by one jail in the {@link BanLedger}. Its length may change while it runs (a
 * later ticket for the same id prolongs it; {@code set JAIL bantime} changes the bans that follow
 * the jail's bantime), so the ledger alone changes it, under its lock.
 */
public final class Ban {

    private final String jail;
    private final Ticket ticket;
    private long banTime;
    private boolean followsJail;
    private final int banCount;

    Ban(String jail, Ticket ticket, long jailBanTime) {
        this.jail = jail;
        this.ticket = ticket;
        this.followsJail = ticket.banTime() == Ticket.JAIL_BANTIME;
        this.banTime = followsJail ? jailBanTime : ticket.banTime();
        this.banCount = ticket.banCount() + 1;
    }

    public String jail() {
        return jail;
    }

    public String id() {
        return ticket.id();
    }

    public IpAddr ip() {
        return ticket.ip();
    }

    /** When the ban started: the time of the failure that led to it (epoch ms). */
    public long start() {
        return ticket.time();
    }

    /** Seconds it lasts; -1 for ever. */
    public synchronized long banTime() {
        return banTime;
    }

    /** When it ends (epoch ms); {@link Long#MAX_VALUE} for a permanent ban. */
    public synchronized long end() {
        return banTime < 0 ? Long.MAX_VALUE : ticket.time() + banTime * 1000;
    }

    synchronized void setBanTime(long seconds, boolean followsJail) {
        this.banTime = seconds;
        this.followsJail = followsJail;
    }

    synchronized boolean followsJail() {
        return followsJail;
    }

    /** How many times this id has been banned, this ban included. */
    public int banCount() {
        return banCount;
    }

    public int failures() {
        return ticket.failures();
    }

    public List<String> matches() {
        return ticket.matches();
    }

    public Map<String, String> tags() {
        return ticket.tags();
    }

    public boolean restored() {
        return ticket.restored();
    }

    public Ticket ticket() {
        return ticket;
    }

    @Override
    public String toString() {
        return "Ban[" + jail + " " + id() + " " + start() + "+" + banTime() + "]";
    }
}
