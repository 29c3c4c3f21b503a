package org.jfail2ban.config;

/**
 * Time spans as fail2ban reads them: {@code 600}, {@code 10m}, {@code 1h 30m}, {@code 1d12h},
 * {@code 1w}, {@code 1mo}, {@code 1y}, {@code -1} (forever).
 *
 * <p>STUB of the foundation commit: plain numbers and single units only; the configuration
 * work completes it.
 */
public final class TimeSpan {

    private TimeSpan() {
    }

    /** The span in seconds; fractions are kept. Throws IllegalArgumentException naming the text. */
    public static double seconds(String text) {
        String t = text.trim();
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            // a unit follows
        }
        String[][] units = {{"mo", "2629800"}, {"y", "31557600"}, {"w", "604800"}, {"d", "86400"},
            {"h", "3600"}, {"m", "60"}, {"s", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                try {
                    return Double.parseDouble(t.substring(0, t.length() - u[0].length()).trim())
                            * Double.parseDouble(u[1]);
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("Wrong time span '" + text + "'");
    }
}
