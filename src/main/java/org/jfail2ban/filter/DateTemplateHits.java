package org.jfail2ban.filter;

/**
 * How many lines one date template dated, as fail2ban-regex lists them under "Date template
 * hits:" ({@code [hits] name}).
 */
public record DateTemplateHits(String name, long hits) {
}
