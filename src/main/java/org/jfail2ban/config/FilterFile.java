package org.jfail2ban.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One filter read on its own, the way {@code fail2ban-regex} reads it: the same reader as a
 * jail's filter (its {@code .conf}, {@code .d/}, {@code .local} and includes, {@code [Init]}, the
 * options given as {@code name[key=value]}, {@code %(known/...)s}, {@code <tag>} substitution),
 * without a jail around it.
 *
 * @param commands    the filter's commands as the client would send them for the jail
 *                    {@value #JAIL}: {@code ["set", jail, "prefregex", value]},
 *                    {@code ["multi-set", jail, "addfailregex", [regex, ...]]},
 *                    {@code ["set", jail, "addjournalmatch", word, ...]}, ...
 * @param realOptions the final values of {@code logtype}, {@code datepattern}, each option
 *                    given and each [Init] option (what {@code fail2ban-regex -vv} shows as
 *                    "Real filter options")
 */
public record FilterFile(List<List<Object>> commands, Map<String, Object> realOptions) {

    /** The jail name fail2ban-regex reads filters for. */
    public static final String JAIL = "fail2ban-regex-jail";

    private static final String DEFINITION = "Definition";

    public FilterFile {
        commands = List.copyOf(commands);
        realOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(realOptions));
    }

    /**
     * Reads filter.d/{@code name} of a configuration directory.
     *
     * @param backend the jail's backend: {@code logtype} becomes {@code journal} for
     *                {@code systemd...}, else {@code file}, unless the options or the filter say;
     *                null leaves logtype to them
     * @return empty when the directory has no such filter
     * @throws ConfigException for a file that cannot be read or a value that cannot be resolved
     */
    public static Optional<FilterFile> read(Path configDir, String name, Map<String, String> options, String backend)
            throws ConfigException {
        if (!java.nio.file.Files.isDirectory(configDir)) {
            throw new ConfigException("Base configuration directory " + configDir + " does not exist");
        }
        FilterReader r = new FilterReader(new ConfigTree(configDir.toString()), name, JAIL, initOptions(options), JAIL);
        return r.def.read() ? Optional.of(convert(r, backend)) : Optional.empty();
    }

    /**
     * Reads a filter file named by its path, with its {@code .local} and its includes (relative
     * to its directory).
     *
     * @return empty when the file cannot be read
     */
    public static Optional<FilterFile> readFile(Path file, Map<String, String> options, String backend) throws ConfigException {
        String path = file.toAbsolutePath().toString();
        FilterReader r = new FilterReader(new ConfigTree(ConfigTree.dirname(path)), path, JAIL, initOptions(options), JAIL);
        return r.def.readExplicit() ? Optional.of(convert(r, backend)) : Optional.empty();
    }

    private static Map<String, Object> initOptions(Map<String, String> options) {
        return new LinkedHashMap<>(options);
    }

    private static FilterFile convert(FilterReader r, String backend) throws ConfigException {
        if (backend != null) {
            r.applyBackend(backend);
        }
        if (!r.def.config().hasSection(DEFINITION)) {
            // fail2ban logs the missing section and goes on with the options given (a file such
            // as common.conf with failregex=... in brackets is a filter)
            r.def.config().mergeSection(DEFINITION, Map.of(), "", Origin.BUILT_IN);
        }
        r.def.readOptions(null, false);
        Map<String, Object> combined = r.def.combined(Set.of());
        List<List<Object>> commands = new java.util.ArrayList<>();
        FilterReader.fill(commands, combined, JAIL);
        Map<String, Object> real = new LinkedHashMap<>();
        // fail2ban-regex lists the options it gave the reader, which the reader itself filled
        // with logtype and the [Init] options (and their known/ copies)
        List<String> keys = new java.util.ArrayList<>(List.of("logtype", "datepattern"));
        keys.addAll(r.def.initOpts.keySet());
        for (String k : keys) {
            Object v = combined.containsKey(k) ? combined.get(k) : definition(r, k);
            if (v != null || combined.containsKey(k)) {
                real.put(k, v);
            }
        }
        return new FilterFile(commands, real);
    }

    private static String definition(FilterReader r, String key) throws ConfigException {
        return r.def.config().get(DEFINITION, key);
    }
}
