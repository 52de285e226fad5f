package io.remora.core.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small HTTP/1.1 client for the admin API in tests. */
final class Admin {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    Admin(InetSocketAddress address) {
        this.base = "http://127.0.0.1:" + address.getPort();
    }

    HttpResponse<String> send(String method, String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send("GET", path);
    }

    Map<String, Object> json(String path) {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        if (!r.headers().firstValue("content-type").orElse("").startsWith("application/json")) {
            throw new AssertionError("GET " + path + ": content-type " + r.headers().firstValue("content-type"));
        }
        return JsonReader.parseObject(r.body());
    }

    /** The value at {@code path} (member names and list indices) in a parsed JSON document. */
    @SuppressWarnings("unchecked")
    static Object at(Object root, Object... path) {
        Object o = root;
        for (Object p : path) {
            o = p instanceof Integer i ? ((java.util.List<Object>) o).get(i) : ((Map<String, Object>) o).get(p);
        }
        return o;
    }

    /** The object at {@code path}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object root, Object... path) {
        return (Map<String, Object>) at(root, path);
    }
}
