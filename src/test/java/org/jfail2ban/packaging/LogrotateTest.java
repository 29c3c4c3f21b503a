package org.jfail2ban.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logrotate file rotates a real log with logrotate and then tells the server to reopen its
 * log through fail2ban-client flushlogs (a stand-in that records the call).
 */
@Tag("root") // the new log is made root:adm
final class LogrotateTest {

    @TempDir
    Path dir;

    @Test
    void rotationEndsWithFlushlogs() throws IOException {
        Path log = dir.resolve("fail2ban.log");
        Files.writeString(log, "2025-01-01 00:00:00,000 fail2ban.server [1]: INFO Starting\n");
        // the package's file, pointed at our log; logrotate wants it root's and not group-writable
        Path conf = dir.resolve("jfail2ban");
        Files.writeString(conf, Packaging.read(Packaging.file("jfail2ban.logrotate")).replace("/var/log/fail2ban.log", log.toString()));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        Path calls = dir.resolve("calls");
        Packaging.write(dir.resolve("bin/fail2ban-client"), "#!/bin/sh\necho \"$*\" >> " + calls + "\n");
        Packaging.installExecutable(dir.resolve("bin/fail2ban-client"), dir.resolve("bin/fail2ban-client"));

        Proc.Result r = Proc.run(List.of("logrotate", "--force", "--state", dir.resolve("state").toString(), conf.toString()),
                null, Map.of("PATH", dir.resolve("bin") + ":/usr/sbin:/usr/bin:/sbin:/bin"), null, 60);
        assertEquals(0, r.exit(), r.err());

        assertTrue(Files.readString(dir.resolve("fail2ban.log.1")).contains("Starting"), "the old log moved to .1");
        assertEquals(0, Files.size(log), "a new, empty log");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
        assertEquals("adm", Files.getAttribute(log, "posix:group").toString());
        assertEquals("flushlogs\n", Files.readString(calls));
    }
}
