package io.remora.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1): the fixed set plus every header the {@code Connection}
 * header names. They describe one connection and must not travel past the proxy. {@code Transfer-Encoding}
 * is not removed here: the codec re-frames bodies from it.
 */
final class HopByHop {
    private HopByHop() {
    }

    /**
     * @param keepUpgrade keep {@code Upgrade} and {@code Connection: upgrade} (an upgrade request or a 101)
     */
    static void strip(HttpHeaders headers, boolean keepUpgrade) {
        List<String> connection = headers.contains(HttpHeaderNames.CONNECTION)
                ? headers.getAll(HttpHeaderNames.CONNECTION) : List.of();
        if (!connection.isEmpty()) {
            for (String value : connection) {
                for (String token : value.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !(keepUpgrade && name.equalsIgnoreCase("upgrade"))
                            && !name.equalsIgnoreCase("transfer-encoding")) {
                        headers.remove(name);
                    }
                }
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        headers.remove("keep-alive")
                .remove("proxy-connection")
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        if (keepUpgrade) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
        } else {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
    }
}
