package io.remora.core.discovery;

import io.remora.config.model.DnsFamily;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a host name to addresses. An interface so tests can inject one that returns several addresses (or
 * fails) on cue; the default asks the system resolver. Called only from the discovery thread, never from an
 * event loop, because the system resolver blocks.
 */
@FunctionalInterface
public interface Resolver {

    /** Every address of {@code family} for {@code host}, in the resolver's order; never empty. */
    List<InetAddress> resolve(String host, DnsFamily family) throws UnknownHostException;

    /** The system resolver ({@link InetAddress#getAllByName}), filtered by family. */
    static Resolver system() {
        return (host, family) -> {
            List<InetAddress> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (family == DnsFamily.AUTO
                        || (family == DnsFamily.V4 && a instanceof Inet4Address)
                        || (family == DnsFamily.V6 && a instanceof Inet6Address)) {
                    out.add(a);
                }
            }
            if (out.isEmpty()) {
                throw new UnknownHostException(host + ": no " + family.configName() + " address");
            }
            return out;
        };
    }
}
