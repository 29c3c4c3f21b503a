package org.jfail2ban.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.protocol.PyRepr;
import org.junit.jupiter.api.Test;

/** The filter engine: tags, failure ids, prefregex, ignoreregex, multi-line, time, budget. */
class FilterTest {

    private static final Instant NOW = Instant.parse("2005-08-14T10:00:00Z");

    /** A clock one can move. */
    private static final class TestClock extends Clock {
        Instant now = NOW;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final List<String> lookups = new ArrayList<>();

    private HostResolver resolver() {
        return new HostResolver(clock, Duration.ofSeconds(1), name -> {
            lookups.add(name);
            try {
                return name.equals("known.example.com")
                        ? new InetAddress[] {InetAddress.getByName("192.0.2.50"), InetAddress.getByName("2001:db8::50")}
                        : new InetAddress[0];
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }, ip -> null);
    }

    private Filter filter(String... failregex) {
        Filter f = new Filter(clock, resolver());
        f.setLogTimeZone("UTC");
        for (String r : failregex) {
            f.addFailRegex(r);
        }
        return f;
    }

    private static List<String> ids(List<Failure> found) {
        return found.stream().map(Failure::id).toList();
    }

    @Test
    void hostTagFindsAddressesAndNormalisesThem() {
        Filter f = filter("failed from <HOST>$");
        assertEquals(List.of("192.0.2.1"), ids(f.process("failed from 192.0.2.1", null)));
        assertEquals(List.of("192.0.2.2"), ids(f.process("failed from ::ffff:192.0.2.2", null)));
        assertEquals(List.of("2001:db8::1"), ids(f.process("failed from 2001:DB8:0:0:0::1", null)));
        assertEquals(List.of("2001:db8::2"), ids(f.process("failed from [2001:db8::2]", null)));
        Failure ff = f.process("failed from 192.0.2.3", null).get(0);
        assertEquals(IpAddr.parse("192.0.2.3"), ff.ip());
        assertEquals(List.of("failed from 192.0.2.3"), ff.lines());
    }

    @Test
    void separateAddressTagsAndSubnets() {
        assertEquals(List.of("192.0.2.0/24"), ids(filter("net=<SUBNET>").process("net=192.0.2.1/24", null)));
        assertEquals(List.of("2001:db8:ff:f0::/60"), ids(filter("net=<SUBNET>").process("net=2001:DB8:FF:FF::1/60", null)));
        Filter cidr = filter("ip=\"<ADDR>\", mask=\"<CIDR>?\"");
        assertEquals(List.of("192.0.2.2"), ids(cidr.process("ip=\"192.0.2.2\", mask=\"\"", null)));
        assertEquals(List.of("192.0.2.0/24"), ids(cidr.process("ip=\"192.0.2.2\", mask=\"24\"", null)));
        Filter sep = filter("%%(?:inet(?:=<IP4>|6=<IP6>)?|dns=<DNS>?)");
        sep.setReturnRawHost(true);
        assertEquals(List.of("192.0.2.1"), ids(sep.process("%%inet=192.0.2.1", null)));
        assertEquals(List.of("2001:db8::"), ids(sep.process("%%inet6=2001:DB8::", null)));
        assertEquals(List.of("example.com"), ids(sep.process("%%dns=example.com", null)));
        // a leading-zero quad is not an address: it stays as written
        assertEquals(List.of("192.030.0.6"), ids(filter("from <HOST>").process("from 192.030.0.6", null)));
    }

    @Test
    void failureIdTagsWinOverTheAddress() {
        Filter f = filter("^user:\\(<F-ID>[^)]+</F-ID>\\)$");
        assertEquals(List.of("test login name"), ids(f.process("user:(test login name)", null)));
        Filter port = filter("^<F-ID><ADDR>:<F-PORT/></F-ID> x$");
        Failure p = port.process("[192.0.2.4]:12345 x", null).get(0);
        assertEquals("[192.0.2.4]:12345", p.id());
        assertEquals(IpAddr.parse("192.0.2.4"), p.ip(), "the address of a complex id");
        assertEquals("12345", p.tags().get("fport"));
        Filter any = filter("^anything = <F-ID/>$");
        assertEquals(List.of("x@y"), ids(any.process("anything = x@y", null)));
    }

    @Test
    void customTagsAlternativesAndTuples() {
        Filter f = filter("^(?:user <F-USER>\\S+</F-USER>|ruser <F-ALT_USER>\\S+</F-ALT_USER>) from <ADDR> "
                + "<F-SVC>\\w+</F-SVC>$");
        Failure a = f.process("user bob from 192.0.2.1 ssh", null).get(0);
        assertEquals("bob", a.tags().get("user"));
        assertEquals("ssh", a.tags().get("svc"));
        Failure b = f.process("ruser eve from 192.0.2.1 ftp", null).get(0);
        assertEquals("eve", b.tags().get("user"), "ALT_USER fills an empty user");
        Filter t = filter("^<F-TUPLE_ID_1>\\S+</F-TUPLE_ID_1> <F-ID/> <F-TUPLE_ID_2>\\S+</F-TUPLE_ID_2>");
        assertEquals(List.of("('192.0.2.3', 'left', 'right')"), ids(t.process("left 192.0.2.3 right", null)));
        // a closing tag never opened stays literal text
        Filter lit = filter("^a</F-X> <HOST>$");
        assertEquals(List.of("192.0.2.9"), ids(lit.process("a</F-X> 192.0.2.9", null)));
    }

    @Test
    void aFailregexNeedsAFailureId() {
        RegexException e = assertThrows(RegexException.class, () -> filter("authentication failed"));
        assertEquals("No failure-id group in 'authentication failed'", e.getMessage());
        assertEquals(-1, e.position());
        Filter f = filter();
        f.setPrefRegex("^<F-MLFID>\\S+</F-MLFID> <F-CONTENT>.+</F-CONTENT>$");
        f.addFailRegex("^started$"); // the prefregex gives the id
        RegexException bad = assertThrows(RegexException.class, () -> filter("^Failed (\\S+ for <HOST>"));
        assertTrue(bad.getMessage().startsWith("Unable to compile regular expression '^Failed (\\S+ for "), bad.getMessage());
        assertTrue(bad.getMessage().endsWith("missing ), unterminated subpattern at position 8"), bad.getMessage());
        assertThrows(RegexException.class, () -> filter(" "));
    }

    @Test
    void prefregexNarrowsTheLineAndItsGroupsJoinTheFailure() {
        Filter f = filter();
        f.setPrefRegex("^<F-MLFID>\\S+ sshd\\[\\d+\\]:</F-MLFID> (?:error: )?<F-CONTENT>.+</F-CONTENT>$");
        f.addFailRegex("^Failed \\S+ for <F-USER>\\S+</F-USER> from <HOST>");
        assertTrue(f.prefRegex().contains("(?P<mlfid>"), f.prefRegex());
        Failure x = f.process("host sshd[1]: error: Failed password for root from 192.0.2.1", null).get(0);
        assertEquals("192.0.2.1", x.id());
        assertEquals("root", x.tags().get("user"));
        assertEquals("host sshd[1]:", x.tags().get("mlfid"));
        assertEquals(List.of(), f.process("host cron[1]: Failed password for root from 192.0.2.1", null));
    }

    @Test
    void ignoreregexBeforeAndAfterTheFailregexes() {
        Filter few = filter("Failed .* from <HOST>", "Accepted .* from <HOST>");
        few.addIgnoreRegex("for roehl");
        assertEquals(List.of(), few.process("Failed password for roehl from 192.0.2.1", null));
        assertEquals(List.of("192.0.2.1"), ids(few.process("Failed password for bob from 192.0.2.1", null)));
        // with more failregexes than ignoreregexes + 2, the ignoreregexes are tried first, on the whole line
        Filter many = filter("a <HOST>", "b <HOST>", "c <HOST>", "d <HOST>");
        many.addIgnoreRegex("skip");
        assertEquals(List.of(), many.process("d 192.0.2.1 skip", null));
        Filter.LineReport r = many.processDetailed("c 192.0.2.2 skip", null);
        assertEquals(List.of(0), r.ignoredBy());
    }

    @Test
    void multiLineWindowWithSkippedLines() {
        Filter f = filter();
        f.setMaxLines(100);
        f.addFailRegex("^.*rsyncd\\[(?P<pid>\\d+)\\]: connect from .+ \\(<HOST>\\)$<SKIPLINES>^.+ rsyncd\\[(?P=pid)\\]: rsync error: .*$");
        List<String> found = new ArrayList<>();
        for (String l : List.of(
                "x rsyncd[1]: connect from a (192.0.43.10)",
                "x rsyncd[2]: connect from b (192.0.43.11)",
                "x other[3]: noise",
                "x rsyncd[2]: rsync error: one",
                "x rsyncd[1]: rsync error: two")) {
            for (Failure ff : f.process(l, null)) {
                found.add(ff.id() + " " + ff.lines().size());
            }
        }
        assertEquals(List.of("192.0.43.11 2", "192.0.43.10 2"), found, "the skipped noise line is not part of a failure");
    }

    @Test
    void connectionIdsPutFailuresTogether() {
        Filter f = filter();
        f.setPrefRegex("^svc\\[<F-MLFID>\\d+</F-MLFID>\\] connect <F-CONTENT>.+</F-CONTENT>$");
        f.addFailRegex("^started");
        f.addFailRegex("^<F-NOFAIL><F-MLFFORGET>finished</F-MLFFORGET></F-NOFAIL> <ADDR>");
        f.addFailRegex("^<F-MLFGAINED>authorized</F-MLFGAINED> <ADDR>");
        List<String> found = new ArrayList<>();
        for (String l : List.of("svc[1] connect started 192.0.2.3", "svc[1] connect finished 192.0.2.3",
                "svc[2] connect started 192.0.2.4", "svc[2] connect authorized 192.0.2.4", "svc[2] connect finished 192.0.2.4")) {
            for (Failure ff : f.process(l, null)) {
                found.add(ff.id() + " " + ff.lines());
            }
        }
        assertEquals(List.of("192.0.2.3 [svc[1] connect started 192.0.2.3, svc[1] connect finished 192.0.2.3]"), found,
                "a pending failure completes with the address of a later no-failure line; a gained login clears it");
    }

    @Test
    void usersOfOneConnectionAreCollected() {
        Filter f = filter();
        f.setCheckAllRegex(true);
        f.setIgnorePending(false);
        f.setPrefRegex("^c<F-MLFID>\\d+</F-MLFID>: <F-CONTENT>.+</F-CONTENT>$");
        f.addFailRegex("^fail user <F-USER>\\S+</F-USER> from <ADDR>");
        f.processDetailed("c1: fail user a from 192.0.2.1", null);
        Filter.LineReport r = f.processDetailed("c1: fail user b from 192.0.2.1", null);
        assertEquals("{'a', 'b'}", Filter.setRepr((java.util.Set<?>) r.matches().get(0).data().get("users")));
        assertEquals(1, r.matches().get(0).lines().size(), "lines already reported are not repeated");
    }

    @Test
    void hostNamesFollowUsedns() {
        Filter yes = filter("from <HOST>$");
        yes.setUseDns("yes");
        assertEquals(List.of("192.0.2.50", "2001:db8::50"), ids(yes.process("from known.example.com", null)));
        assertEquals(List.of(), yes.process("from unknown.example.com", null));
        int asked = lookups.size();
        yes.process("from known.example.com", null);
        assertEquals(asked, lookups.size(), "answers are cached");

        Filter no = filter();
        no.setUseDns("no");
        no.addFailRegex("from <HOST>$");
        assertEquals(List.of(), no.process("from known.example.com", null), "with usedns=no <HOST> takes addresses only");
        assertEquals(List.of("192.0.2.1"), ids(no.process("from 192.0.2.1", null)));

        Filter raw = filter();
        raw.setUseDns("raw");
        raw.addFailRegex("from <HOST>$");
        assertEquals(List.of("known.example.com"), ids(raw.process("from known.example.com", null)));
        assertNull(raw.process("from known.example.com", null).get(0).ip());

        Filter bad = filter();
        bad.setUseDns("maybe");
        assertEquals("no", bad.useDns());
    }

    @Test
    void linesWithoutDateTakeTheLastDateOrNow() {
        Filter f = filter("from <HOST>$");
        f.setCheckFindTime(false);
        Instant dated = f.process("2005-08-14 09:59:50 from 192.0.2.1", null).get(0).time();
        assertEquals(Instant.parse("2005-08-14T09:59:50Z"), dated);
        assertEquals(dated, f.process("from 192.0.2.2", null).get(0).time(), "the last date, seen within a minute");
        clock.now = NOW.plusSeconds(120);
        f.setCheckFindTime(true);
        assertEquals(clock.now, f.process("from 192.0.2.3", null).get(0).time(), "else now");
        Instant known = Instant.parse("2005-08-14T10:01:30Z");
        assertEquals(known, f.process("from 192.0.2.4", known).get(0).time(), "a time the source knows");
    }

    @Test
    void oddTimesInOperationAndOldLinesWhileCatchingUp() {
        Filter f = filter("from <HOST>$");
        assertEquals(NOW, f.process("2001-01-01 00:00:00 from 192.0.2.1", null).get(0).time(),
                "in operation, a date far from now is taken as now");
        f.setInOperation(false);
        f.setFindTime(600);
        assertEquals(List.of(), f.process("2005-08-14 09:00:00 from 192.0.2.2", null), "older than findtime");
        assertEquals(Instant.parse("2005-08-14T09:55:00Z"), f.process("2005-08-14 09:55:00 from 192.0.2.3", null).get(0).time());
    }

    @Test
    void aRunawayLineIsAbandonedAndTheNextOneMatches() {
        // a greedy catch-all repeated: polynomial backtracking that java.util.regex does not cut short
        Filter f = filter("^(.*a){15}x <HOST>", "from <HOST>$");
        f.setMatchBudget(Duration.ofMillis(50));
        assertEquals(List.of(), f.process("a".repeat(50) + "!", null));
        assertEquals(1, f.abandonedLines());
        assertEquals(List.of("192.0.2.1"), ids(f.process("from 192.0.2.1", null)));
        assertEquals(1, f.abandonedLines());
    }

    @Test
    void hugeLinesNulsAndReplacementCharsAreJustLines() {
        Filter f = filter();
        f.setPrefRegex("^<F-MLFID>\\S+ sshd\\[\\d+\\]:</F-MLFID> <F-CONTENT>.+</F-CONTENT>$");
        f.addFailRegex("^Failed \\S+ for (?P<cond_inv>invalid user )?<F-USER>(?P<cond_user>\\S+)|(?(cond_inv)(?:(?! from ).)*?|[^:]+)</F-USER>"
                + " from <HOST>(?: port \\d+)?(?: ssh\\d*)?(?(cond_user): |(?:(?:(?! from ).)*)$)");
        String big = "h sshd[1]: Failed password for invalid user " + "a b ".repeat(1 << 18) + " from 192.0.2.1 port 22 ssh2";
        assertEquals(List.of("192.0.2.1"), ids(f.process(big, null)));
        assertEquals(List.of("192.0.2.2"), ids(f.process("h sshd[2]: Failed password for invalid user \u0000\ufffd from 192.0.2.2 port 2 ssh2", null)));
        assertEquals(List.of(), f.process("\u0000".repeat(1 << 20), null));
        assertEquals(List.of("192.0.2.3"), ids(f.process("h sshd[3]: Failed password for root from 192.0.2.3 port 22 ssh2", null)));
    }

    @Test
    void detailedReportForFail2banRegex() {
        Filter f = filter();
        f.setCheckAllRegex(true);
        f.setIgnorePending(false);
        f.setPrefRegex("^<F-MLFID>\\S+</F-MLFID> <F-CONTENT>.+</F-CONTENT>$");
        f.addFailRegex("^a <ADDR>$");
        f.addFailRegex("^<F-NOFAIL>b</F-NOFAIL> <ADDR>$");
        f.addFailRegex("^(?:a|b) <ADDR>$");
        Filter.LineReport r = f.processDetailed("c1 a 192.0.2.1", null);
        assertTrue(r.prefMatched());
        assertEquals("c1", r.prefGroups().get("mlfid"));
        assertEquals(List.of(0, 2), r.matches().stream().map(Filter.Match::failRegex).toList(), "every failregex is tried");
        Filter.LineReport n = f.processDetailed("c2 b 192.0.2.2", null);
        assertEquals("c2 b 192.0.2.2", n.lineWithoutDate());
        // as in fail2ban: the no-failure hit keeps its lines apart; the next hit of the same connection
        // takes them over (the list is shared, so both show the line twice, as fail2ban-regex shows it)
        assertTrue(n.matches().get(0).noFail());
        PyRepr.Tuple line = PyRepr.Tuple.of("", "", "c2 b 192.0.2.2");
        assertEquals(List.of(line, line), n.matches().get(0).data().get("nofail-matches"));
        assertEquals(List.of(line, line), n.matches().get(1).data().get("matches"));
        Filter.LineReport a = f.processDetailed("c2 a 192.0.2.2", null);
        assertEquals(List.of("c2 a 192.0.2.2"), a.matches().get(0).lines());
    }

    @Test
    void settings() {
        Filter f = filter("from <HOST>$");
        assertEquals(List.of("from " + RegexTags.HOST + "$"), f.failRegex(), "regexes are shown with their tags replaced");
        f.delFailRegex(5);
        assertEquals(1, f.failRegex().size());
        f.delFailRegex(0);
        assertEquals(List.of(), f.failRegex());
        assertThrows(IllegalArgumentException.class, () -> f.setMaxLines(0));
        f.setMaxLines(3);
        assertEquals(3, f.maxLines());
        f.addIgnoreRegex("x");
        assertEquals(List.of("x"), f.ignoreRegex());
        f.setPrefRegex("");
        assertNull(f.prefRegex());
        assertEquals("UTC", f.logTimeZone());
        assertEquals(Map.of(), Map.of());
    }

    @Test
    void failureIdsAsFail2banReadsThem() {
        assertEquals("192.0.2.1", IpAddr.of("192.0.2.1", IpAddr.FAM_IPV4).toString());
        assertEquals("192.0.2.1", IpAddr.of("::ffff:192.0.2.1", IpAddr.FAM_IPV6).toString());
        assertTrue(!IpAddr.of("[192.0.2.1]", IpAddr.FAM_IPV4).isValid(), "a family read takes no brackets");
        assertEquals("192.0.2.0/24", IpAddr.of("192.0.2.77", 24).toString());
        assertEquals("2001:db8::/32", IpAddr.of("2001:db8:1::1", 32).toString());
        assertEquals("name.example", IpAddr.of("name.example", IpAddr.CIDR_UNSPEC).toString());
        assertEquals("1.2.3.4", IpAddr.of("1.2.3.4", IpAddr.CIDR_RAW).raw());
        assertTrue(!IpAddr.of("1.2.3.4", IpAddr.CIDR_RAW).isValid());
        assertEquals("a/b/c", IpAddr.of("a/b/c", IpAddr.CIDR_UNSPEC).toString());
    }
}
