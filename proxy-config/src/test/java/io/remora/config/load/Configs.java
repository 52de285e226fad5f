package io.remora.config.load;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.validate.ConfigException;
import io.remora.config.validate.ValidationError;
import java.util.List;

/** Test helpers: a valid base config to add to, and the error lines a broken config produces. */
final class Configs {

    /** One cluster named {@code api}, for configs whose listeners need something to point at. */
    static final String API_CLUSTER = """
            clusters:
              - name: api
                endpoints: [ { address: 127.0.0.1:8081 } ]
            """;

    private Configs() {
    }

    /** Every error of {@code yaml}, as {@code path: message} lines; fails if the config is valid. */
    static List<String> errors(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml"));
        return e.errors().stream().map(ValidationError::toString).toList();
    }

    /** The errors of one http listener with the given extra lines (indented under the listener) and one route. */
    static List<String> listenerErrors(String extraListenerLines) {
        return errors("""
                listeners:
                  - name: ingress
                    address: 127.0.0.1:15001
                """ + indent(extraListenerLines, 4) + """
                    routes: [ { cluster: api } ]
                """ + API_CLUSTER);
    }

    /** The errors of one route (its lines given, without the leading dash) on an otherwise valid listener. */
    static List<String> routeErrors(String routeLines) {
        return errors("""
                listeners:
                  - name: ingress
                    address: 127.0.0.1:15001
                    routes:
                """ + "      - " + indent(routeLines, 8).substring(8) + API_CLUSTER);
    }

    /** The errors of one cluster (its lines given, without the leading dash). */
    static List<String> clusterErrors(String clusterLines) {
        return errors("clusters:\n  - " + indent(clusterLines, 4).substring(4));
    }

    /** One valid cluster (its lines given, without the leading dash), as read. */
    static ClusterConfig cluster(String clusterLines) throws ConfigException {
        return ConfigLoader.parse("clusters:\n  - " + indent(clusterLines, 4).substring(4), "test.yaml")
                .clusters().get(0);
    }

    /** One valid route (its lines given, without the leading dash) on a listener, as read. */
    static RouteConfig route(String routeLines) throws ConfigException {
        return ConfigLoader.parse("""
                listeners:
                  - name: ingress
                    address: 127.0.0.1:15001
                    routes:
                """ + "      - " + indent(routeLines, 8).substring(8) + API_CLUSTER, "test.yaml")
                .listeners().get(0).routes().get(0);
    }

    static String indent(String lines, int spaces) {
        return lines.indent(spaces);
    }
}
