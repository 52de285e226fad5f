package io.remora.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

    @Test
    void parsesTrustDomainAndPath() {
        SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/web");
        assertEquals("cluster.local", id.trustDomain());
        assertEquals("/ns/shop/sa/web", id.path());
        assertEquals("spiffe://cluster.local/ns/shop/sa/web", id.toString());
        assertTrue(id.isMemberOf("cluster.local"));
        assertFalse(id.isMemberOf("cluster.other"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://cluster.local", "spiffe://example.org/a", "spiffe://my_domain-1.example/a/b",
            "spiffe://td/Path.With-Caps_and.dots/x1", "spiffe://1.2.3/a", "spiffe://td/..a/a..", "spiffe://td/.x"})
    void acceptsValidIds(String text) {
        assertEquals(text, SpiffeId.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://cluster.local/a                 | expected a SPIFFE ID such as spiffe://",
        "cluster.local/a                        | expected a SPIFFE ID such as spiffe://",
        "SPIFFE://cluster.local/a               | the scheme must be lowercase spiffe://",
        "spiffe:/cluster.local/a                | expected a SPIFFE ID",
        "spiffe://                              | the trust domain is missing",
        "spiffe:///a                            | the trust domain is missing",
        "spiffe://Cluster.local/a               | the trust domain may only contain lowercase letters",
        "spiffe://cluster.local:8443/a          | the trust domain must not have a port",
        "spiffe://user@cluster.local/a          | the trust domain must not have user info",
        "spiffe://clu$ter/a                     | the trust domain may only contain",
        "spiffe://cluster.local/                | the path must not end with '/'",
        "spiffe://cluster.local/a/              | the path must not end with '/'",
        "spiffe://cluster.local//a              | the path must not have empty segments",
        "spiffe://cluster.local/a/./b           | the path must not have '.' or '..' segments",
        "spiffe://cluster.local/a/..            | the path must not have '.' or '..' segments",
        "spiffe://cluster.local/a%20b           | path segments may only contain letters, digits",
        "spiffe://cluster.local/a b             | path segments may only contain letters, digits",
        "spiffe://cluster.local/a?x=1           | a query or fragment is not allowed",
        "spiffe://cluster.local/a#frag          | a query or fragment is not allowed",
        "spiffe://cluster.local?x               | a query or fragment is not allowed",
        "spiffe://cluster.local/ns/*            | path segments may only contain letters, digits",
    })
    void refusesInvalidIdsNamingTheProblem(String text, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(text));
        assertTrue(e.getMessage().startsWith("\"" + text + "\": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void refusesOverlongIdsAndTrustDomains() {
        assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse("spiffe://td/" + "a".repeat(2040)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpiffeId.parse("spiffe://" + "a".repeat(256) + "/x"));
        assertTrue(e.getMessage().contains("longer than 255"), e.getMessage());
        assertEquals("spiffe://" + "a".repeat(255), SpiffeId.ofTrustDomain("a".repeat(255)).toString());
    }

    @Test
    void trustDomainIds() {
        SpiffeId td = SpiffeId.ofTrustDomain("cluster.local");
        assertEquals("spiffe://cluster.local", td.toString());
        assertEquals("", td.path());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpiffeId.ofTrustDomain("Cluster.Local"));
        assertEquals("\"Cluster.Local\": the trust domain may only contain lowercase letters, digits, '.', '-' and"
                + " '_'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpiffeId.ofTrustDomain(""));
        assertThrows(IllegalArgumentException.class, () -> SpiffeId.ofTrustDomain("cluster.local/x"));
    }

    @Test
    void equalityIsTheWholeId() {
        assertEquals(SpiffeId.parse("spiffe://td/a"), SpiffeId.parse("spiffe://td/a"));
        assertEquals(SpiffeId.parse("spiffe://td/a").hashCode(), SpiffeId.parse("spiffe://td/a").hashCode());
        assertNotEquals(SpiffeId.parse("spiffe://td/a"), SpiffeId.parse("spiffe://td/A"));
        assertNotEquals(SpiffeId.parse("spiffe://td/a"), SpiffeId.parse("spiffe://td2/a"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // id                                   | pattern                              | matches
        "spiffe://cluster.local/ns/shop/sa/web  | spiffe://cluster.local/ns/shop/sa/web | true",
        "spiffe://cluster.local/ns/shop/sa/web  | spiffe://cluster.local/ns/shop/sa/we  | false",
        "spiffe://cluster.local/ns/shop/sa/web  | spiffe://cluster.local/ns/shop/sa/Web | false",
        "spiffe://cluster.local/ns/shop/sa/web  | spiffe://cluster.local/ns/shop        | false",
        "spiffe://cluster.local/ns/ops/sa/x     | spiffe://cluster.local/ns/ops/*       | true",
        "spiffe://cluster.local/ns/ops/x        | spiffe://cluster.local/ns/ops/*       | true",
        "spiffe://cluster.local/ns/ops          | spiffe://cluster.local/ns/ops/*       | false",
        "spiffe://cluster.local/ns/ops-admin/x  | spiffe://cluster.local/ns/ops/*       | false",
        "spiffe://cluster.local/ns/opsx         | spiffe://cluster.local/ns/ops/*       | false",
        "spiffe://other.local/ns/ops/sa/x       | spiffe://cluster.local/ns/ops/*       | false",
        "spiffe://cluster.local/a/b/c           | spiffe://cluster.local/*              | true",
        "spiffe://cluster.local                 | spiffe://cluster.local/*              | false",
        "spiffe://cluster.localx/a              | spiffe://cluster.local/*              | false",
        "spiffe://cluster.local/a               | spiffe://cluster.local/a*             | false",
        "spiffe://cluster.local/a               | *                                     | false",
        "spiffe://cluster.local/a               | ''                                    | false",
    })
    void matchesExactIdsAndTrailingWildcards(String id, String pattern, boolean matches) {
        assertEquals(matches, SpiffeId.parse(id).matches(pattern), id + " vs " + pattern);
    }

    @Test
    void checksPatterns() {
        SpiffeId.checkPattern("spiffe://cluster.local/ns/ops/*");
        SpiffeId.checkPattern("spiffe://cluster.local/*");
        SpiffeId.checkPattern("spiffe://cluster.local/ns/shop/sa/web");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpiffeId.checkPattern("spiffe://cluster.local/ns/*/sa/*"));
        assertTrue(e.getMessage().contains("'*' is only allowed as the last path segment"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpiffeId.checkPattern("spiffe://cluster.local/ns*"));
        assertThrows(IllegalArgumentException.class, () -> SpiffeId.checkPattern("*"));
        assertThrows(IllegalArgumentException.class, () -> SpiffeId.checkPattern("spiffe://Cluster/*"));
    }

    @Test
    void readsTheOneSpiffeUriSanOfACertificate() throws Exception {
        KeyPair keys = CertificateFixtures.ecKeyPair();
        assertEquals(Optional.of(SpiffeId.parse("spiffe://td/ns/a/sa/b")),
                SpiffeId.fromCertificate(CertificateFixtures.selfSigned(keys, "spiffe://td/ns/a/sa/b")));
        // other URI SANs are ignored
        assertEquals(Optional.of(SpiffeId.parse("spiffe://td/x")), SpiffeId.fromCertificate(
                CertificateFixtures.selfSigned(keys, "https://example.com/x", "spiffe://td/x")));
    }

    @Test
    void noIdentityUnlessExactlyOneValidSpiffeSan() throws Exception {
        KeyPair keys = CertificateFixtures.ecKeyPair();
        assertEquals(Optional.empty(), SpiffeId.fromCertificate(CertificateFixtures.selfSigned(keys)));
        assertEquals(Optional.empty(), SpiffeId.fromCertificate(
                CertificateFixtures.selfSigned(keys, "https://example.com/x")));
        assertEquals(Optional.empty(), SpiffeId.fromCertificate(
                CertificateFixtures.selfSigned(keys, "spiffe://td/a", "spiffe://td/b")), "two identities: neither");
        assertEquals(Optional.empty(), SpiffeId.fromCertificate(
                CertificateFixtures.selfSigned(keys, "spiffe://TD/a")), "an invalid SPIFFE ID");
        assertEquals(Optional.empty(), SpiffeId.fromCertificate(
                CertificateFixtures.selfSigned(keys, "SPIFFE://td/a", "spiffe://td/b")),
                "a second SPIFFE URI, even a malformed one, makes the identity ambiguous");
    }
}
