package org.jfail2ban.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bash completion, driven the way bash drives it (bash-completion's library loaded, the
 * completion function called with COMP_WORDS), against a fail2ban-client stand-in that answers
 * like a running server, and held against the options and commands fail2ban 1.0.2's -h lists.
 */
final class CompletionTest {

    private static final String BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";

    @TempDir
    Path dir;

    @BeforeEach
    void serverStandIn() {
        // what fail2ban-client prints when a server with two jails runs
        Packaging.write(dir.resolve("bin/fail2ban-client"), """
                #!/bin/sh
                case "$*" in
                  status) printf 'Status\\n|- Number of jail:\\t2\\n`- Jail list:\\tnginx-http-auth, sshd\\n' ;;
                  "get sshd actions") printf 'The jail sshd has the following actions:\\nnftables, sendmail-whois\\n' ;;
                  *) exit 255 ;;
                esac
                """);
        Packaging.installExecutable(dir.resolve("bin/fail2ban-client"), dir.resolve("bin/fail2ban-client"));
        Packaging.write(dir.resolve("conf/filter.d/sshd.conf"), "[Definition]\n");
        Packaging.write(dir.resolve("conf/filter.d/nginx-http-auth.conf"), "[Definition]\n");
        Packaging.write(dir.resolve("conf/filter.d/my-app.local"), "[Definition]\n");
    }

    /** The candidates bash would offer for a command line with the cursor at its end. */
    private Set<String> complete(String line) {
        String script = """
                source %s
                source %s
                COMP_LINE=$1; COMP_POINT=${#1}
                read -ra COMP_WORDS <<<"$1"
                [[ $1 == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMPREPLY=()
                spec=$(complete -p "${COMP_WORDS[0]}")
                fn=${spec#*-F }; fn=${fn%% *}
                "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%%s\\n' "${COMPREPLY[@]}"
                """.formatted(BASH_COMPLETION, Packaging.file("fail2ban.bash-completion"));
        Proc.Result r = Proc.run(List.of("env", "-u", "JFAIL2BAN_CONF", "PATH=" + dir.resolve("bin") + ":/usr/bin:/bin",
                "bash", "-c", script, "complete", line), dir, Map.of(), null, 30).assertOk();
        Set<String> words = new LinkedHashSet<>();
        for (String w : r.out().split("\n")) {
            if (!w.isBlank()) {
                words.add(w.strip());
            }
        }
        return words;
    }

    @Test
    void jailNamesComeFromTheRunningServer() {
        assertEquals(Set.of("nginx-http-auth", "sshd"), complete("fail2ban-client status "));
        assertEquals(Set.of("basic", "short", "cymru"), complete("fail2ban-client status sshd "));
        assertEquals(Set.of("sshd"), complete("fail2ban-client -c /etc/fail2ban stop s"));
        assertTrue(complete("fail2ban-client reload ").containsAll(Set.of("--restart", "--unban", "--all", "sshd")));
    }

    @Test
    void actionNamesComeFromTheJail() {
        assertEquals(Set.of("nftables", "sendmail-whois"), complete("fail2ban-client set sshd action "));
        assertEquals(Set.of("actionstart", "actionstop", "actioncheck", "actionban", "actionunban", "timeout"),
                complete("fail2ban-client set sshd action nftables "));
    }

    @Test
    void valuesOfOptionsAndSettings() {
        assertEquals(Set.of("CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "TRACEDEBUG", "HEAVYDEBUG"),
                complete("fail2ban-client --loglevel "));
        assertEquals(Set.of("on", "off"), complete("fail2ban-client set sshd idle "));
        assertEquals(Set.of("--with-time"), complete("fail2ban-client get sshd banip "));
        assertEquals(Set.of("start"), complete("fail2ban-server -xf "));
        assertEquals(Set.of("yes", "no", "warn", "raw"), complete("fail2ban-regex --usedns "));
    }

    @Test
    void filterNamesComeFromTheConfiguration() {
        assertEquals(Set.of("sshd"), complete("fail2ban-regex -c " + dir.resolve("conf") + " /var/log/auth.log ss"));
        assertTrue(complete("fail2ban-regex --config=" + dir.resolve("conf") + " /var/log/auth.log ")
                .containsAll(Set.of("sshd", "nginx-http-auth", "my-app")));
    }

    @Test
    void everyOptionOfFail2banIsOffered() {
        for (String tool : Packaging.TOOLS) {
            Set<String> offered = complete(tool + " -");
            List<String> missing = new ArrayList<>(Packaging.oracleHelp(tool).options());
            missing.removeAll(offered);
            assertEquals(List.of(), missing, tool + " offers " + offered);
        }
    }

    @Test
    void everyCommandOfFail2banIsOffered() {
        Set<String> firstWords = new LinkedHashSet<>();
        Set<String> serverKeys = new LinkedHashSet<>();
        Set<String> setJailKeys = new LinkedHashSet<>();
        Set<String> getJailKeys = new LinkedHashSet<>();
        for (List<String> c : Packaging.oracleHelp("fail2ban-client").commands()) {
            firstWords.add(c.get(0));
            if (c.size() > 1 && (c.get(0).equals("set") || c.get(0).equals("get"))) {
                if (!c.get(1).equals("<JAIL>")) {
                    serverKeys.add(c.get(1));
                } else if (c.size() > 2) {
                    (c.get(0).equals("set") ? setJailKeys : getJailKeys).add(c.get(2));
                }
            }
        }
        assertMissingNone(firstWords, complete("fail2ban-client "), "commands");
        assertMissingNone(serverKeys, complete("fail2ban-client set "), "server settings");
        assertMissingNone(setJailKeys, complete("fail2ban-client set sshd "), "set <JAIL>");
        assertMissingNone(getJailKeys, complete("fail2ban-client get sshd "), "get <JAIL>");
    }

    private static void assertMissingNone(Set<String> wanted, Set<String> offered, String what) {
        List<String> missing = new ArrayList<>(wanted);
        missing.removeAll(offered);
        assertTrue(wanted.size() > 2, what + ": the oracle's -h was not understood");
        assertEquals(List.of(), missing, what + ": offered " + offered);
    }
}
