package org.jfail2ban.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.action.ActionException;
import org.jfail2ban.action.BanInfo;
import org.jfail2ban.action.CommandAction;
import org.jfail2ban.filter.IpAddr;

/**
 * The jfail2ban half of bench/actions-nftables: bans, then unbans, the addresses of a file with
 * the native nftables backend through the Action API (banAll, unbanAll), and prints the times.
 * Arguments: the nft program (e.g. "ip netns exec NS nft") and the address file.
 */
public final class ActionNftablesBatch {

    private record Ban(String id, IpAddr ip) implements BanInfo {
        @Override
        public boolean restored() {
            return false;
        }

        @Override
        public String tag(String name) {
            return switch (name) {
                case "ip" -> id;
                case "family" -> ip.family().tag();
                case "bantime" -> "86400";
                default -> null;
            };
        }
    }

    private ActionNftablesBatch() {
    }

    public static void main(String[] args) throws IOException, ActionException, InterruptedException {
        String nft = args[0];
        List<BanInfo> bans = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of(args[1]))) {
            if (!l.isBlank()) {
                IpAddr ip = IpAddr.parse(l.strip());
                bans.add(new Ban(ip.toString(), ip));
            }
        }
        CommandAction a = new CommandAction("bench", "nftables");
        for (var kv : Map.of("native", "nftables", "nftables", nft, "name", "bench", "port", "ssh",
                "protocol", "tcp", "type", "multiport").entrySet()) {
            a.setProperty(kv.getKey(), kv.getValue());
        }
        a.start();
        long t0 = System.nanoTime();
        a.banAll(bans);
        long t1 = System.nanoTime();
        int in = count(nft);
        long t2 = System.nanoTime();
        a.unbanAll(bans);
        long t3 = System.nanoTime();
        int left = count(nft);
        a.stop();
        if (in != bans.size() || left != 0) {
            throw new IllegalStateException("sets held " + in + " after the bans and " + left + " after the unbans");
        }
        System.out.printf("ours %d addresses: ban %.3f s, unban %.3f s, total %.3f s%n", bans.size(),
                (t1 - t0) / 1e9, (t3 - t2) / 1e9, ((t1 - t0) + (t3 - t2)) / 1e9);
        System.out.printf("OURS_SECONDS=%.6f%n", ((t1 - t0) + (t3 - t2)) / 1e9);
    }

    /** Elements in the jail's two sets, as nft lists them. */
    private static int count(String nft) throws IOException, InterruptedException {
        int n = 0;
        for (String set : List.of("addr-set-bench", "addr6-set-bench")) {
            List<String> cmd = new ArrayList<>(List.of(nft.split("\\s+")));
            cmd.addAll(List.of("-j", "list", "set", "inet", "f2b-table", set));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            for (var item : com.google.gson.JsonParser.parseString(out).getAsJsonObject().getAsJsonArray("nftables")) {
                var s = item.getAsJsonObject().getAsJsonObject("set");
                if (s != null && s.has("elem")) {
                    n += s.getAsJsonArray("elem").size();
                }
            }
        }
        return n;
    }
}
