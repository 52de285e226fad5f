package io.remora.core.h2;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Http2Config;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.UpstreamProtocol;

/** Config records for the HTTP/2 tests: a cluster's {@code protocol}, a listener's {@code http2} limits. */
final class H2Configs {
    private H2Configs() {
    }

    static ClusterConfig withProtocol(ClusterConfig c, UpstreamProtocol p) {
        return new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(),
                c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection(), c.panicThreshold(), c.hashOn(),
                c.healthCheck(), c.outlierDetection(), c.circuitBreakers(), c.retryBudget(), c.tls(), c.slowStart(),
                p);
    }

    static ListenerConfig withHttp2(ListenerConfig l, Http2Config h) {
        return new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), l.maxRequestHeadersKb(), l.accessLog(), l.tls(),
                l.maxHeadersCount(), l.headersWithUnderscores(), l.maxConnections(), l.normalizePath(),
                l.mergeSlashes(), l.rateLimit(), h);
    }
}
