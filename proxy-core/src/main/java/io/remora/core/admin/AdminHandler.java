package io.remora.core.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.remora.core.metrics.JsonWriter;
import io.remora.core.metrics.MetricsRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * Serves the admin endpoints, one aggregated request at a time, on the admin event loop. Every response is
 * rendered in full here (the documents are small) and sent with a {@code Content-Length}; keep-alive is honoured.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final System.Logger LOG = System.getLogger(AdminHandler.class.getName());

    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";

    /** One endpoint: method, path, what it is for (the 404 list and the index page). */
    record Endpoint(HttpMethod method, String path, String description) {
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint(HttpMethod.GET, "/", "this index"),
            new Endpoint(HttpMethod.GET, "/ready", "200 while serving; 503 while starting or draining"),
            new Endpoint(HttpMethod.GET, "/healthz", "200 while the process runs (liveness)"),
            new Endpoint(HttpMethod.GET, "/stats", "metrics as JSON, with latency percentiles"),
            new Endpoint(HttpMethod.GET, "/stats/prometheus", "metrics in the Prometheus text format"),
            new Endpoint(HttpMethod.GET, "/clusters",
                    "every host: health checks, ejection, requests in flight, latency, success rate"),
            new Endpoint(HttpMethod.GET, "/config", "the running config with defaults filled in, its hash and"
                    + " load time, the last reload error"),
            new Endpoint(HttpMethod.GET, "/listeners", "listeners and the ports they are bound to"),
            new Endpoint(HttpMethod.GET, "/certs", "loaded TLS certificates: subject, SANs, serial, expiry"),
            new Endpoint(HttpMethod.POST, "/drain", "stop accepting, fail /ready, let requests in flight finish"));

    private final AdminBackend backend;
    private final Clock clock;

    AdminHandler(AdminBackend backend, Clock clock) {
        this.backend = backend;
        this.clock = clock;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        FullHttpResponse resp;
        try {
            resp = req.decoderResult().isFailure()
                    ? text(HttpResponseStatus.BAD_REQUEST, "malformed request\n")
                    : handle(req, ctx);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "admin " + req.method() + " " + req.uri() + " failed", e);
            resp = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e + "\n");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req) && !req.decoderResult().isFailure();
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (keepAlive) {
            if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        } else {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture f = ctx.writeAndFlush(resp);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse handle(FullHttpRequest req, ChannelHandlerContext ctx) {
        String path = new QueryStringDecoder(req.uri()).path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Endpoint endpoint = null;
        for (Endpoint e : ENDPOINTS) {
            if (e.path().equals(path)) {
                endpoint = e;
                break;
            }
        }
        if (endpoint == null) {
            return notFound(path);
        }
        HttpMethod m = req.method();
        boolean allowed = m.equals(endpoint.method()) || endpoint.method().equals(HttpMethod.GET)
                && m.equals(HttpMethod.HEAD);
        if (!allowed) {
            String allow = endpoint.method().equals(HttpMethod.GET) ? "GET, HEAD" : endpoint.method().name();
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, endpoint.path() + " takes " + allow
                    + ", not " + m.name() + "\n");
            r.headers().set(HttpHeaderNames.ALLOW, allow);
            return r;
        }
        return switch (endpoint.path()) {
            case "/" -> response(HttpResponseStatus.OK, HTML, index());
            case "/ready" -> ready();
            case "/healthz" -> text(HttpResponseStatus.OK, "ok\n");
            case "/stats" -> json(backend.metrics().json());
            case "/stats/prometheus" -> response(HttpResponseStatus.OK, MetricsRegistry.PROMETHEUS_CONTENT_TYPE,
                    backend.metrics().prometheus());
            case "/clusters" -> {
                JsonWriter w = JsonWriter.pretty();
                ClustersJson.write(w, backend.clusters(), clock.millis());
                yield json(w.toString());
            }
            case "/config" -> json(config());
            case "/listeners" -> json(listeners((InetSocketAddress) ctx.channel().localAddress()));
            case "/certs" -> json(CertsJson.render(backend.tlsContexts(), clock.instant()));
            case "/drain" -> drain();
            default -> notFound(path);
        };
    }

    private FullHttpResponse ready() {
        Readiness r = backend.readiness();
        return switch (r) {
            case READY -> text(HttpResponseStatus.OK, "ready\n");
            case STARTING -> text(HttpResponseStatus.SERVICE_UNAVAILABLE, "starting\n");
            case DRAINING -> text(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining\n");
        };
    }

    private FullHttpResponse drain() {
        boolean started = backend.drainAsync();
        JsonWriter w = JsonWriter.pretty();
        w.beginObject().field("draining", true).field("already_draining", !started).endObject();
        return response(HttpResponseStatus.ACCEPTED, JSON, w.toString() + "\n");
    }

    private String config() {
        ConfigStatus s = backend.configStatus();
        JsonWriter w = JsonWriter.pretty();
        w.beginObject();
        w.field("hash", s.hash());
        w.field("loaded_at", s.loadedAt().toString());
        w.field("last_reload_error", s.lastReloadError());
        w.field("last_reload_error_at", s.lastReloadErrorAt() == null ? null : s.lastReloadErrorAt().toString());
        w.name("config");
        ConfigJson.write(w, s.config());
        w.endObject();
        return w.toString();
    }

    private String listeners(InetSocketAddress admin) {
        JsonWriter w = JsonWriter.pretty();
        w.beginObject();
        // the address really bound, which differs from admin.address when a test or the demo asked for port 0
        w.field("admin_address", AdminServer.hostPort(admin));
        w.name("listeners").beginArray();
        for (ListenerInfo l : backend.listeners()) {
            w.beginObject()
                    .field("name", l.name())
                    .field("address", l.address())
                    .field("protocol", l.protocol())
                    .field("bound_port", l.boundPort())
                    .field("access_log", l.accessLog())
                    .endObject();
        }
        w.endArray().endObject();
        return w.toString();
    }

    private static FullHttpResponse notFound(String path) {
        StringBuilder sb = new StringBuilder("no admin endpoint ").append(path).append("; the endpoints are:\n");
        for (Endpoint e : ENDPOINTS) {
            sb.append(String.format("  %-4s %-18s %s%n", e.method().name(), e.path(), e.description()));
        }
        return text(HttpResponseStatus.NOT_FOUND, sb.toString());
    }

    private static String index() {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Remora admin</title></head>\n")
                .append("<body><h1>Remora admin</h1>\n<ul>\n");
        for (Endpoint e : ENDPOINTS) {
            if (e.path().equals("/")) {
                continue;
            }
            if (e.method().equals(HttpMethod.GET)) {
                sb.append("<li><a href=\"").append(e.path()).append("\"><code>GET ").append(e.path())
                        .append("</code></a> — ").append(e.description()).append("</li>\n");
            } else {
                sb.append("<li><code>").append(e.method().name()).append(' ').append(e.path()).append("</code> — ")
                        .append(e.description()).append(" (<code>curl -X ").append(e.method().name())
                        .append(" …").append(e.path()).append("</code>)</li>\n");
            }
        }
        sb.append("</ul>\n</body></html>\n");
        return sb.toString();
    }

    private static FullHttpResponse json(String body) {
        return response(HttpResponseStatus.OK, JSON, body.endsWith("\n") ? body : body + "\n");
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, TEXT, body);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "admin connection failed: " + cause);
        ctx.close();
    }
}
