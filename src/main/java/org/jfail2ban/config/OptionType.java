package org.jfail2ban.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** How a reader turns an option's text into the value it sends: as text, a number, a boolean. */
enum OptionType {
    STRING, INT, BOOL;

    /**
     * The value for the command stream. fail2ban turns an unreadable number into None with a
     * warning and any unknown word into false; we stop with an error instead, because such a
     * typo otherwise silently changes what the jail does.
     */
    Object convert(String text, String where) throws ConfigException {
        switch (this) {
            case INT: {
                Integer v = PyText.parseInt(text);
                if (v == null) {
                    throw new ConfigException(where + "'" + text + "' is not a whole number");
                }
                return v;
            }
            case BOOL:
                if (!PyText.isBoolWord(text)) {
                    throw new ConfigException(where + "'" + text + "' is not a boolean (true/false, yes/no, on/off, 1/0;"
                            + " only ';' after a blank starts a comment inside a line)");
                }
                return PyText.asBool(text);
            default:
                return text;
        }
    }

    /** A template of options, in the order a reader asks for them. */
    static Map<String, OptionType> template(Object... nameTypePairs) {
        Map<String, OptionType> m = new LinkedHashMap<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            m.put((String) nameTypePairs[i], (OptionType) nameTypePairs[i + 1]);
        }
        return m;
    }
}
