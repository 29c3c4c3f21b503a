package org.jfail2ban.filter;

/**
 * One date template of a detector with how many lines it dated, as fail2ban-regex lists them
 * under "Date template hits:" ({@code [hits] name}); with {@code --VD} also its weights, its
 * pattern and its expression.
 *
 * @param name           the template's name ({@code {^LN-BEG}ExYear(?P<_sep>[-/.])Month...})
 * @param hits           lines it dated
 * @param weight         its weight in the detector's ordering: hits times the template's weight,
 *                       divided by how far into the line its last date was
 * @param templateWeight the template's own weight (100 for the line-start copies of the library)
 * @param pattern        the datepattern it was made from, or "" (Unix time, TAI64N)
 * @param regex          its expression, in Python's dialect, as fail2ban shows it
 */
public record DateTemplateHits(String name, long hits, double weight, double templateWeight, String pattern, String regex) {
}
