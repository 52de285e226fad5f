package io.remora.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.remora.config.model.HostPort;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:8080            | 127.0.0.1          | 8080",
            "0.0.0.0:1                 | 0.0.0.0            | 1",
            "localhost:65535           | localhost          | 65535",
            "api.default.svc.cluster.local.:80 | api.default.svc.cluster.local. | 80",
            "my_service:8080           | my_service         | 8080",
            "[::1]:8080                | ::1                | 8080",
            "[::]:15001                | ::                 | 15001",
            "[2001:db8::8a2e:370:7334]:443 | 2001:db8::8a2e:370:7334 | 443",
            "[1:2:3:4:5:6:7:8]:80      | 1:2:3:4:5:6:7:8    | 80",
            "[::ffff:192.0.2.1]:80     | ::ffff:192.0.2.1   | 80",
    })
    void parses(String text, String host, int port) {
        assertEquals(new HostPort(host, port), HostPorts.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:99999 | '\"127.0.0.1:99999\": port must be 1-65535'",
            "127.0.0.1:0     | '\"127.0.0.1:0\": port must be 1-65535'",
            "host:123456789012 | '\"host:123456789012\": port must be 1-65535'",
            "host:http       | '\"host:http\": port must be a number 1-65535'",
            "host:-1         | '\"host:-1\": port must be a number 1-65535'",
            "host            | '\"host\": missing port, expected host:port or [v6]:port, such as 127.0.0.1:8080'",
            "host:           | '\"host:\": missing port, expected host:port or [v6]:port, such as 127.0.0.1:8080'",
            ":80             | '\":80\": missing host, expected host:port or [v6]:port, such as 127.0.0.1:8080'",
            "''              | '\"\": expected host:port or [v6]:port, such as 127.0.0.1:8080'",
            "[::1            | '\"[::1\": missing \"]\" after the IPv6 address'",
            "[::1]           | '\"[::1]\": missing port, expected host:port or [v6]:port, such as 127.0.0.1:8080'",
            "[::1]:          | '\"[::1]:\": missing port, expected host:port or [v6]:port, such as 127.0.0.1:8080'",
            "[::1]8080       | '\"[::1]8080\": expected \":\" and a port after \"]\"'",
            "[127.0.0.1]:80  | '\"[127.0.0.1]:80\": not an IPv6 address inside the brackets'",
            "[1::2::3]:80    | '\"[1::2::3]:80\": not an IPv6 address inside the brackets'",
            "[1:2:3:4:5:6:7:8:9]:80 | '\"[1:2:3:4:5:6:7:8:9]:80\": not an IPv6 address inside the brackets'",
            "[]:80           | '\"[]:80\": not an IPv6 address inside the brackets'",
            "::1:8080        | '\"::1:8080\": an IPv6 address must be in brackets, such as [::1]:8080'",
            "http://host:80  | '\"http://host:80\": expected host:port without a scheme or path, such as 127.0.0.1:8080'",
            "999.0.0.1:80    | '\"999.0.0.1:80\": not a valid IPv4 address'",
            "10.0.0:80       | '\"10.0.0:80\": not a valid IPv4 address'",
            "010.0.0.1:80    | '\"010.0.0.1:80\": not a valid IPv4 address'",
            "'bad host:80'   | '\"bad host:80\": not a valid host name (letters, digits, \"-\", \"_\" and \".\" only)'",
            "-bad.com:80     | '\"-bad.com:80\": not a valid host name (letters, digits, \"-\", \"_\" and \".\" only)'",
            "a..b:80         | '\"a..b:80\": not a valid host name (letters, digits, \"-\", \"_\" and \".\" only)'",
    })
    void refuses(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> HostPorts.parse(text)).getMessage());
    }
}
