package org.jfail2ban.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands as the package installs them: /usr/bin/fail2ban-* (packaging/fail2ban-launcher)
 * running the repository's launchers from /usr/share/jfail2ban/bin, down to the java command
 * line, shown by a stand-in for java that prints its arguments.
 */
final class LauncherTest {

    @TempDir
    Path root;

    @BeforeEach
    void installLikeThePackage() throws IOException {
        for (String tool : Packaging.TOOLS) {
            Packaging.installExecutable(Packaging.file("fail2ban-launcher"), root.resolve("usr/bin/" + tool));
        }
        try (var bin = Files.list(Path.of("bin"))) {
            for (Path p : bin.toList()) {
                Packaging.installExecutable(p, root.resolve("usr/share/jfail2ban/bin").resolve(p.getFileName()));
            }
        }
        // the stand-in also says where the launchers keep their class-data-sharing archives
        Packaging.write(root.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"
                + "echo \"JFAIL2BAN_CDS_DIR=$JFAIL2BAN_CDS_DIR\"\n");
        Packaging.installExecutable(root.resolve("java"), root.resolve("java"));
    }

    /** What java would be given; JFAIL2BAN_CONF set to conf unless null. */
    private List<String> javaArgs(String conf, String tool, String... args) {
        Proc.Result r = run(conf, root.resolve("usr/bin/" + tool), args).assertOk();
        return List.of(r.out().split("\n"));
    }

    private Proc.Result run(String conf, Path command, String... args) {
        // env -u: the outcome must not depend on the environment the tests run in; JFAIL2BAN_CDS=0:
        // no training run, which would make the archive directory (/var/cache/jfail2ban) here
        List<String> cmd = new ArrayList<>(List.of("env", "-u", "JFAIL2BAN_CONF", "-u", "JFAIL2BAN_JAR",
                "-u", "JAVA_HOME", "-u", "JFAIL2BAN_JAVA_OPTS", "-u", "JFAIL2BAN_CDS_DIR", "JFAIL2BAN_CDS=0",
                "JAVA=" + root.resolve("java")));
        if (conf != null) {
            cmd.add("JFAIL2BAN_CONF=" + conf);
        }
        cmd.add(command.toString());
        cmd.addAll(List.of(args));
        return Proc.run(cmd, null, Map.of(), null, 30);
    }

    /** The arguments after the main class, and the main class and jar checked. */
    private static List<String> mainArgs(List<String> javaArgs, String mainClass) {
        int main = javaArgs.indexOf(mainClass);
        assertTrue(main > 1, "no " + mainClass + " in " + javaArgs);
        assertEquals(List.of("-cp", "/usr/share/jfail2ban/jfail2ban.jar"), javaArgs.subList(main - 2, main), javaArgs.toString());
        // the stand-in's last line is the environment, not an argument
        assertTrue(javaArgs.get(javaArgs.size() - 1).startsWith("JFAIL2BAN_CDS_DIR="), javaArgs.toString());
        return javaArgs.subList(main + 1, javaArgs.size() - 1);
    }

    @Test
    void eachCommandRunsItsMainClassFromTheInstalledJar() {
        assertEquals(List.of("-c", "/etc/x", "status"),
                mainArgs(javaArgs("/etc/x", "fail2ban-client", "status"), "org.jfail2ban.cli.ClientMain"));
        assertEquals(List.of("-c", "/etc/x", "-xf", "start"),
                mainArgs(javaArgs("/etc/x", "fail2ban-server", "-xf", "start"), "org.jfail2ban.cli.ServerMain"));
        assertEquals(List.of("-c", "/etc/x", "/var/log/auth.log", "sshd"),
                mainArgs(javaArgs("/etc/x", "fail2ban-regex", "/var/log/auth.log", "sshd"), "org.jfail2ban.cli.RegexMain"));
    }

    @Test
    void withoutSettingsThePackageConfigurationIsUsed() {
        // /etc/default/jfail2ban would win; the package is never installed where tests run
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/etc/default/jfail2ban")));
        assertEquals(List.of("-c", "/etc/jfail2ban", "-d"),
                mainArgs(javaArgs(null, "fail2ban-client", "-d"), "org.jfail2ban.cli.ClientMain"));
    }

    @Test
    void aConfigurationNamedOnTheCommandLineWins() {
        for (List<String> args : List.of(List.of("-c", "/srv/f2b", "status"), List.of("--conf", "/srv/f2b", "status"),
                List.of("--conf=/srv/f2b", "status"), List.of("-c/srv/f2b", "status"), List.of("-xfc", "/srv/f2b", "start"),
                List.of("-v", "-s", "/run/x.sock", "-c", "/srv/f2b", "ping"))) {
            assertEquals(args, mainArgs(javaArgs("/etc/x", "fail2ban-client", args.toArray(String[]::new)),
                    "org.jfail2ban.cli.ClientMain"), args.toString());
        }
        // fail2ban-regex takes its options anywhere
        List<String> regex = List.of("/var/log/auth.log", "sshd", "--config=/srv/f2b");
        assertEquals(regex, mainArgs(javaArgs("/etc/x", "fail2ban-regex", regex.toArray(String[]::new)),
                "org.jfail2ban.cli.RegexMain"));
    }

    @Test
    void aDashCInsideTheCommandIsNotAnOption() {
        // options end where the command starts; "-s VALUE" is skipped as one option
        assertEquals(List.of("-c", "/etc/x", "-s", "/run/x.sock", "set", "sshd", "addignoreregex", "-c"),
                mainArgs(javaArgs("/etc/x", "fail2ban-client", "-s", "/run/x.sock", "set", "sshd", "addignoreregex", "-c"),
                        "org.jfail2ban.cli.ClientMain"));
    }

    @Test
    void javaOptionsOfTheEnvironmentReachTheJvm() {
        Proc.Result r = Proc.run(List.of("env", "-u", "JFAIL2BAN_JAR", "JFAIL2BAN_CDS=0", "JAVA=" + root.resolve("java"), "JFAIL2BAN_CONF=/etc/x",
                "JFAIL2BAN_JAVA_OPTS=-Xmx48m", root.resolve("usr/bin/fail2ban-server").toString(), "-xf", "start")).assertOk();
        List<String> args = List.of(r.out().split("\n"));
        assertTrue(args.indexOf("-Xmx48m") >= 0 && args.indexOf("-Xmx48m") < args.indexOf("-cp"), args.toString());
    }

    @Test
    void classDataSharingArchivesAreACacheOutsideUsr() {
        // /usr/share/jfail2ban is the package's: archives recorded beside the jar would outlive
        // a purge; the service's CacheDirectory=jfail2ban makes this directory writable for it
        List<String> args = javaArgs("/etc/x", "fail2ban-server", "-xf", "start");
        assertEquals("JFAIL2BAN_CDS_DIR=/var/cache/jfail2ban", args.get(args.size() - 1));
        assertEquals(List.of("jfail2ban"), Packaging.unitSettings(Packaging.file("jfail2ban.service")).get("CacheDirectory"));
        // one given by the administrator wins
        Proc.Result r = Proc.run(List.of("env", "-u", "JFAIL2BAN_JAR", "JFAIL2BAN_CDS=0", "JFAIL2BAN_CDS_DIR=/srv/cds",
                "JAVA=" + root.resolve("java"), root.resolve("usr/bin/fail2ban-client").toString(), "ping")).assertOk();
        assertTrue(r.out().endsWith("JFAIL2BAN_CDS_DIR=/srv/cds\n"), r.out());
    }

    @Test
    void worksThroughASymlink() throws IOException {
        // /bin/fail2ban-client on a merged /usr, or a link an administrator made
        Path link = root.resolve("sbin/fail2ban-client");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of("../usr/bin/fail2ban-client"));
        assertEquals(List.of("-c", "/etc/x", "ping"), mainArgs(List.of(run("/etc/x", link, "ping").assertOk().out().split("\n")),
                "org.jfail2ban.cli.ClientMain"));
    }

    @Test
    void anotherNameIsRefused() {
        Packaging.installExecutable(Packaging.file("fail2ban-launcher"), root.resolve("usr/bin/fail2ban-other"));
        Proc.Result r = run("/etc/x", root.resolve("usr/bin/fail2ban-other"), "status");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("fail2ban-other"), r.err());
    }
}
