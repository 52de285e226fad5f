package io.remora.config.load;

import static io.remora.config.load.Configs.API_CLUSTER;
import static io.remora.config.load.Configs.errors;
import static io.remora.config.load.Configs.listenerErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.remora.config.model.AccessLogConfig;
import io.remora.config.model.ListenerConfig;
import io.remora.config.validate.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code listeners[].access_log}: what is read, its default format, and each error with its path. */
class AccessLogConfigTest {

    private static ListenerConfig listener(String extraLines) throws ConfigException {
        return ConfigLoader.parse("""
                listeners:
                  - name: ingress
                    address: 127.0.0.1:15001
                """ + extraLines.indent(4) + """
                    routes: [ { cluster: api } ]
                """ + API_CLUSTER, "test.yaml").listeners().get(0);
    }

    @Test
    void absentMeansNoAccessLog() throws ConfigException {
        assertNull(listener("").accessLog());
    }

    @Test
    void aFileWithTheDefaultFormat() throws ConfigException {
        assertEquals(new AccessLogConfig("/var/log/remora/access.log", "json"),
                listener("access_log: { path: /var/log/remora/access.log }").accessLog());
    }

    @Test
    void standardOutputWithAnExplicitFormat() throws ConfigException {
        AccessLogConfig a = listener("access_log: { path: /dev/stdout, format: json }").accessLog();
        assertEquals(new AccessLogConfig("/dev/stdout", "json"), a);
        assertEquals(true, a.isStandardStream());
    }

    @Test
    void thePathIsRequired() {
        assertEquals(List.of("listeners[0].access_log.path: missing, expected /dev/stdout, /dev/stderr or a file path"),
                listenerErrors("access_log: { format: json }"));
        assertEquals(List.of("listeners[0].access_log.path: missing, expected /dev/stdout, /dev/stderr or a file path"),
                listenerErrors("access_log:"));
    }

    @Test
    void badValuesAreReportedAtTheirPaths() {
        assertEquals(List.of("listeners[0].access_log.path: \"/var/log/\": expected a file, not a directory",
                        "listeners[0].access_log.format: \"text\": expected one of: json"),
                listenerErrors("access_log: { path: /var/log/, format: text }"));
        assertEquals(List.of("listeners[0].access_log.path: \" \": must not be empty"),
                listenerErrors("access_log: { path: \" \" }"));
        assertEquals(List.of("listeners[0].access_log.path: expected /dev/stdout, /dev/stderr or a file path, got a"
                        + " list"),
                listenerErrors("access_log: { path: [ a ] }"));
    }

    @Test
    void unknownKeysGetAHint() {
        assertEquals(List.of("listeners[0].access_log.pth: unknown key, did you mean \"path\"?"),
                listenerErrors("access_log: { path: /dev/stdout, pth: x }"));
    }

    @Test
    void notAMap() {
        assertEquals(List.of("listeners[0].access_log: \"/dev/stdout\": expected a map such as"
                        + " { path: /dev/stdout, format: json }"),
                listenerErrors("access_log: /dev/stdout"));
    }

    @Test
    void tcpListenersHaveNone() {
        assertEquals(List.of("listeners[0].access_log: only http listeners have an access log in this version of"
                        + " Remora"),
                errors("""
                        listeners:
                          - name: db
                            address: 127.0.0.1:15432
                            protocol: tcp
                            cluster: api
                            access_log: { path: /dev/stdout }
                        """ + API_CLUSTER));
    }
}
