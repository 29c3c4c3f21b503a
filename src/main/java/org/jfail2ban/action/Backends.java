package org.jfail2ban.action;

/** The native backends by the name the property {@code native} gives. */
final class Backends {

    private Backends() {
    }

    static Backend create(String kind, BackendContext ctx) throws ActionException {
        return switch (kind) {
            case "nftables" -> new NftablesBackend(ctx);
            case "iptables" -> new IptablesBackend(ctx);
            case "ipset" -> new IpsetBackend(ctx);
            case "hostsdeny" -> new HostsDenyBackend(ctx);
            case "route" -> new RouteBackend(ctx);
            case "smtp" -> new SmtpBackend(ctx);
            case "abuseipdb" -> new AbuseIpdbBackend(ctx);
            default -> throw new ActionException(ctx.what() + ": unknown native backend '" + kind
                    + "' (known: nftables, iptables, ipset, hostsdeny, route, smtp, abuseipdb)");
        };
    }
}
