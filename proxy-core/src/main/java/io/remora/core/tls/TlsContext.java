package io.remora.core.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.remora.config.model.TlsConfig;
import io.remora.config.watch.FileWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;

/**
 * The TLS context of one listener (server side) or one cluster (client side), kept current as its files rotate.
 * Handshakes take {@link #current()} when they start, so new handshakes use new material within a second of the
 * files changing while established connections keep theirs. A rotation whose files are unreadable, or whose key
 * does not match its certificate, is refused: the error is logged and counted and the old material keeps serving.
 *
 * <p>Only TLS 1.2 and 1.3 with AEAD cipher suites are offered. ALPN offers what the owner speaks: an HTTP
 * listener {@code h2} and {@code http/1.1} (HTTP/2 preferred, chosen per connection), a cluster what its
 * {@code protocol} says ({@link #alpnFor}), anything else {@code http/1.1}.
 */
public final class TlsContext {
    private static final System.Logger LOG = System.getLogger(TlsContext.class.getName());

    /** AEAD suites only: TLS 1.3's three, and TLS 1.2's ECDHE with AES-GCM or ChaCha20-Poly1305. */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final String owner;
    private final TlsConfig config;
    private final boolean server;
    private final LongAdder rotationFailures = new LongAdder();
    private volatile Loaded loaded;
    private final java.util.function.Consumer<io.remora.config.watch.FileSnapshot> onFileChange = s -> reload();

    /** A built context and what it was built from. */
    private record Loaded(SslContext context, TlsMaterial material, Instant loadedAt) {
    }

    /** ALPN offers, most preferred first. */
    public static final List<String> ALPN_HTTP1 = List.of(ApplicationProtocolNames.HTTP_1_1);
    public static final List<String> ALPN_H2 = List.of(ApplicationProtocolNames.HTTP_2);
    public static final List<String> ALPN_H2_AND_HTTP1 = List.of(ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1);

    /** What ALPN offers (a client) or accepts (a server), most preferred first. */
    private final List<String> alpn;

    private TlsContext(String owner, TlsConfig config, boolean server) throws IOException {
        this(owner, config, server, ALPN_HTTP1);
    }

    private TlsContext(String owner, TlsConfig config, boolean server, List<String> alpn) throws IOException {
        this.owner = owner;
        this.config = config;
        this.server = server;
        this.alpn = List.copyOf(alpn);
        this.loaded = build(TlsMaterial.load(config));
    }

    /** Whether this is a listener's (server side) context; else a cluster's. */
    public boolean isServer() {
        return server;
    }

    /** Seconds until the leaf certificate expires (negative once expired), or {@link Long#MAX_VALUE} with none. */
    public long secondsToExpiry() {
        X509Certificate leaf = loaded.material().leaf();
        return leaf == null ? Long.MAX_VALUE
                : java.time.Duration.between(Instant.now(), leaf.getNotAfter().toInstant()).getSeconds();
    }

    /** The server context of listener {@code owner}; throws with a readable message if the files are bad. */
    public static TlsContext forListener(String owner, TlsConfig config) throws IOException {
        return new TlsContext(owner, config, true);
    }

    /** The client context of cluster {@code owner}. */
    public static TlsContext forCluster(String owner, TlsConfig config) throws IOException {
        return new TlsContext(owner, config, false);
    }

    /** A listener's context whose ALPN accepts {@code alpn} (an HTTP listener: {@link #ALPN_H2_AND_HTTP1}). */
    public static TlsContext forListener(String owner, TlsConfig config, List<String> alpn) throws IOException {
        return new TlsContext(owner, config, true, alpn);
    }

    /** A cluster's context whose ALPN offers {@code alpn} (see {@link #alpnFor}). */
    public static TlsContext forCluster(String owner, TlsConfig config, List<String> alpn) throws IOException {
        return new TlsContext(owner, config, false, alpn);
    }

    /** What a cluster's ALPN offers: {@code http1} → http/1.1, {@code http2} → h2, {@code auto} → both. */
    public static List<String> alpnFor(io.remora.config.model.UpstreamProtocol protocol) {
        return switch (protocol) {
            case HTTP1 -> ALPN_HTTP1;
            case HTTP2 -> ALPN_H2;
            case AUTO -> ALPN_H2_AND_HTTP1;
        };
    }

    /** What ALPN offers or accepts, most preferred first. */
    public List<String> alpn() {
        return alpn;
    }

    /** Which TLS implementation the contexts use; logged at start. */
    public static String provider() {
        return OpenSsl.isAvailable() ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    public String owner() {
        return owner;
    }

    /**
     * The listener's or cluster's own name: {@link #owner()} without its {@code "listener "}/{@code "cluster "}
     * prefix. Fix: the expiry gauge used the owner as its label value, so it read
     * {@code listener="listener inbound"} where every other metric has {@code listener="inbound"}.
     */
    public String name() {
        String prefix = server ? "listener " : "cluster ";
        return owner.startsWith(prefix) ? owner.substring(prefix.length()) : owner;
    }

    public TlsConfig config() {
        return config;
    }

    public SslContext current() {
        return loaded.context();
    }

    /**
     * A client-side handler for one upstream connection, with the material of this moment, whose handshake must
     * complete within {@code handshakeTimeout} (the cluster's {@code connect_timeout}). Fix: the handshake had
     * Netty's default 10 s, so an upstream that accepted the connection but never completed the handshake held
     * the request until the circuit breaker's pending_timeout answered 503 UO (not UF, and not counted as a TLS
     * failure), and the connection stayed open for the full 10 s.
     */
    public io.netty.handler.ssl.SslHandler newClientHandler(io.netty.buffer.ByteBufAllocator alloc, String sniHost,
            int port, java.time.Duration handshakeTimeout) {
        io.netty.handler.ssl.SslHandler h = current().newHandler(alloc, sniHost, port);
        h.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeout.toMillis()));
        return h;
    }

    public TlsMaterial material() {
        return loaded.material();
    }

    public Instant loadedAt() {
        return loaded.loadedAt();
    }

    public long rotationFailures() {
        return rotationFailures.sum();
    }

    /** The files this context is built from, for the watcher. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (String f : new String[] {config.certFile(), config.keyFile(), config.caFile()}) {
            if (f != null) {
                out.add(Path.of(f));
            }
        }
        return out;
    }

    /** Watches this context's files with {@code watcher}: any change reloads the whole set. */
    public void watch(FileWatcher watcher) {
        for (Path f : files()) {
            watcher.watch(f, FileWatcher.read(f).hash(), onFileChange);
        }
    }

    /** Stops watching (the context was replaced by a reload). */
    public void unwatch(FileWatcher watcher) {
        for (Path f : files()) {
            watcher.unwatch(f, onFileChange);
        }
    }

    /** Loads the files again; on failure keeps the current material and returns false. */
    public boolean reload() {
        try {
            Loaded next = build(TlsMaterial.load(config));
            X509Certificate before = loaded.material().leaf();
            X509Certificate after = next.material().leaf();
            loaded = next;
            LOG.log(System.Logger.Level.INFO, owner + ": TLS material reloaded"
                    + (after == null ? "" : ", certificate serial " + after.getSerialNumber().toString(16)
                    + (before != null && before.getSerialNumber().equals(after.getSerialNumber()) ? " (unchanged)"
                    : "")));
            return true;
        } catch (IOException | RuntimeException e) {
            rotationFailures.increment();
            LOG.log(System.Logger.Level.WARNING, owner + ": new TLS files refused, the loaded ones keep serving: "
                    + e.getMessage());
            return false;
        }
    }

    private Loaded build(TlsMaterial m) throws SSLException {
        List<String> protocols = config.minVersion().equals("1.3") ? List.of("TLSv1.3") : List.of("TLSv1.3", "TLSv1.2");
        SslContextBuilder b;
        if (server) {
            b = SslContextBuilder.forServer(m.key(), m.chain());
            if (config.requiresClientCertificate()) {
                b.trustManager(IdentityTrustManager.forClients(m.trust(), config.allowedIdentities()))
                        .clientAuth(ClientAuth.REQUIRE);
            }
        } else {
            b = SslContextBuilder.forClient()
                    .trustManager(IdentityTrustManager.forServers(m.trust(), config.serverIdentity(), config.sni()))
                    .endpointIdentificationAlgorithm(null); // identity is checked by IdentityTrustManager
            if (m.key() != null) {
                b.keyManager(m.key(), m.chain());
            }
        }
        b.sslProvider(SslProvider.JDK) // custom trust managers and rotation are simplest on the JDK engine
                .protocols(protocols)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        alpn));
        return new Loaded(b.build(), m, Instant.now());
    }
}
