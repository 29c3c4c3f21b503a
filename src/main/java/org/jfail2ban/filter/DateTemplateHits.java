package org.jfail2ban.filter;

/** A date template and how many lines it dated: a row of fail2ban-regex's "Date template hits". */
public record DateTemplateHits(String name, long hits) {
}
