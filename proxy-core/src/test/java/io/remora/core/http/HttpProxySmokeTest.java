package io.remora.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.remora.config.model.LbPolicy;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class HttpProxySmokeTest {
    @Test
    void proxiesAGet() throws Exception {
        try (FakeUpstream a = new FakeUpstream("a");
                ProxyServer proxy = ProxyServer.start(Configs.config(
                        List.of(Configs.httpListener("in", List.of(Configs.route("/", "c")))),
                        List.of(Configs.cluster("c", LbPolicy.ROUND_ROBIN, a.address()))),
                        ProxyServer.Options.defaults().withWorkerThreads(1))) {
            int port = proxy.listenerAddress("in").getPort();
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/x")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("hello from a", r.body());
            }
            assertEquals(1, a.connections());
        }
    }
}
