package org.jfail2ban.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfail2ban.config.ConfigException;
import org.jfail2ban.config.FilterFile;
import org.jfail2ban.filter.Filter;

/** A filter of a configuration directory read by the configuration reader and set on a {@link Filter}, as a jail sets it. */
public final class FilterSetup {

    private FilterSetup() {
    }

    /**
     * Reads filter.d/{@code name} of {@code configDir} and gives its regexes, maxlines and
     * datepattern to {@code filter}, as fail2ban's samples test does (no logtype from a backend).
     *
     * @return the datepattern set, or null
     */
    public static String apply(Filter filter, Path configDir, String name, Map<String, String> options) {
        FilterFile f;
        try {
            f = FilterFile.read(configDir, name, options, null)
                    .orElseThrow(() -> new AssertionError("no filter " + name + " in " + configDir));
        } catch (ConfigException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
        String datePattern = null;
        for (List<Object> cmd : f.commands()) {
            List<?> values = cmd.get(0).equals("multi-set") ? (List<?>) cmd.get(3) : cmd.subList(3, cmd.size());
            for (Object o : values) {
                String v = String.valueOf(o);
                switch ((String) cmd.get(2)) {
                    case "prefregex" -> filter.setPrefRegex(v);
                    case "addfailregex" -> filter.addFailRegex(v);
                    case "addignoreregex" -> filter.addIgnoreRegex(v);
                    case "maxlines" -> filter.setMaxLines(Integer.parseInt(v));
                    case "datepattern" -> {
                        filter.setDatePattern(v);
                        datePattern = v;
                    }
                    default -> {
                        // journal matches are the source's
                    }
                }
            }
        }
        return datePattern;
    }
}
