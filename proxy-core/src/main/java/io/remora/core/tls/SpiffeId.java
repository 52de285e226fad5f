package io.remora.core.tls;

import io.remora.config.validate.ValidationError;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A workload identity, {@code spiffe://trust-domain/path}, as the SPIFFE ID standard defines it: the scheme is
 * exactly {@code spiffe}; the trust domain is 1-255 of {@code [a-z0-9._-]} (lowercase only, no port, no user
 * info); the path is empty or one or more {@code /segment}s of {@code [A-Za-z0-9._-]}, none empty, {@code .} or
 * {@code ..}, and no trailing slash; no query, fragment or percent-encoding; at most 2048 bytes in all. The rules
 * are strict on purpose: an identity is compared as a string, so two spellings of one identity must not exist.
 *
 * <p>Instances are immutable; {@link #equals} compares the whole ID.
 */
public final class SpiffeId {
    /** The scheme and separator every SPIFFE ID starts with. */
    public static final String PREFIX = "spiffe://";

    /** The suffix of an {@code allowed_identities} pattern that matches everything below a path. */
    public static final String WILDCARD_SUFFIX = "/*";

    private static final int MAX_LENGTH = 2048;
    private static final int MAX_TRUST_DOMAIN_LENGTH = 255;
    private static final String EXPECTED = "expected a SPIFFE ID such as spiffe://cluster.local/ns/shop/sa/web";

    private final String trustDomain;
    private final String path;
    private final String text;

    private SpiffeId(String trustDomain, String path) {
        this.trustDomain = trustDomain;
        this.path = path;
        this.text = PREFIX + trustDomain + path;
    }

    /**
     * Parses {@code text}, such as {@code spiffe://cluster.local/ns/shop/sa/web}.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it, such as
     *                                  {@code "spiffe://Cluster.local/x": the trust domain may only contain
     *                                  lowercase letters, digits, '.', '-' and '_'}
     */
    public static SpiffeId parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw fail(text, "longer than " + MAX_LENGTH + " characters");
        }
        if (!text.startsWith(PREFIX)) {
            throw fail(text, text.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                    ? "the scheme must be lowercase spiffe://" : EXPECTED);
        }
        int slash = text.indexOf('/', PREFIX.length());
        String trustDomain = slash < 0 ? text.substring(PREFIX.length()) : text.substring(PREFIX.length(), slash);
        String path = slash < 0 ? "" : text.substring(slash);
        String problem = trustDomainProblem(trustDomain);
        if (problem == null) {
            problem = pathProblem(path);
        }
        if (problem != null) {
            throw fail(text, problem);
        }
        return new SpiffeId(trustDomain, path);
    }

    /**
     * The ID of a trust domain itself, {@code spiffe://trust-domain} (a CA may carry it as its URI SAN).
     *
     * @throws IllegalArgumentException if {@code trustDomain} is not a valid trust domain name, with a message such
     *                                  as {@code "Cluster.local": the trust domain may only contain lowercase
     *                                  letters, digits, '.', '-' and '_'}
     */
    public static SpiffeId ofTrustDomain(String trustDomain) {
        String problem = trustDomainProblem(trustDomain);
        if (problem != null) {
            throw new IllegalArgumentException(ValidationError.quote(trustDomain) + ": " + problem);
        }
        return new SpiffeId(trustDomain, "");
    }

    /**
     * The SPIFFE ID of an X.509 SVID: its one URI SAN that starts with {@code spiffe://} and is valid. Empty if
     * the certificate has none, or more than one (the X.509-SVID standard allows exactly one, and picking one of
     * several would let the certificate's issuer choose which identity a policy sees). Other URI SANs are
     * ignored.
     */
    public static Optional<SpiffeId> fromCertificate(X509Certificate certificate) {
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
        if (sans == null) {
            return Optional.empty();
        }
        List<String> spiffe = new ArrayList<>(1);
        for (List<?> san : sans) {
            if (san.size() >= 2 && Integer.valueOf(6).equals(san.get(0)) && san.get(1) instanceof String uri
                    && uri.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                spiffe.add(uri);
            }
        }
        if (spiffe.size() != 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(spiffe.get(0)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether this ID is allowed by {@code pattern}, an entry of {@code allowed_identities}:
     * <ul>
     *   <li>a SPIFFE ID matches exactly that ID (strings compared exactly: scheme and trust domain are lowercase
     *       in every valid ID, the path is case-sensitive);</li>
     *   <li>a pattern ending in {@code /*} matches every ID <em>below</em> the path before it, at any depth:
     *       {@code spiffe://cluster.local/ns/ops/*} matches {@code spiffe://cluster.local/ns/ops/sa/x} but
     *       <em>not</em> {@code spiffe://cluster.local/ns/ops} itself (list that too to allow it), nor
     *       {@code spiffe://cluster.local/ns/ops-admin/sa/x}; {@code spiffe://cluster.local/*} matches every
     *       workload of the trust domain.</li>
     * </ul>
     * A pattern that is neither (a typo) matches nothing; config validation rejects such patterns before they get
     * here, see {@link #checkPattern}.
     */
    public boolean matches(String pattern) {
        if (pattern.endsWith(WILDCARD_SUFFIX)) {
            String prefix = pattern.substring(0, pattern.length() - 1); // keeps the trailing '/'
            return text.length() > prefix.length() && text.startsWith(prefix);
        }
        return text.equals(pattern);
    }

    /**
     * Checks that {@code pattern} is a SPIFFE ID, or one followed by {@code /*}.
     *
     * @throws IllegalArgumentException naming the pattern and what is wrong with it
     */
    public static void checkPattern(String pattern) {
        if (pattern.endsWith(WILDCARD_SUFFIX)) {
            String base = pattern.substring(0, pattern.length() - WILDCARD_SUFFIX.length());
            if (base.indexOf('*') >= 0) {
                throw fail(pattern, "'*' is only allowed as the last path segment, as in"
                        + " spiffe://cluster.local/ns/ops/*");
            }
            parse(base);
        } else {
            parse(pattern);
        }
    }

    /** The trust domain, such as {@code cluster.local}. */
    public String trustDomain() {
        return trustDomain;
    }

    /** The path, such as {@code /ns/shop/sa/web}; empty for the ID of a trust domain. */
    public String path() {
        return path;
    }

    /** Whether this ID belongs to {@code trustDomain} (compared exactly; trust domains are lowercase). */
    public boolean isMemberOf(String trustDomain) {
        return this.trustDomain.equals(trustDomain);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpiffeId other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The ID as written: {@code spiffe://trust-domain/path}. */
    @Override
    public String toString() {
        return text;
    }

    private static String trustDomainProblem(String trustDomain) {
        if (trustDomain.isEmpty()) {
            return "the trust domain is missing";
        }
        if (trustDomain.length() > MAX_TRUST_DOMAIN_LENGTH) {
            return "the trust domain is longer than " + MAX_TRUST_DOMAIN_LENGTH + " characters";
        }
        for (int i = 0; i < trustDomain.length(); i++) {
            char c = trustDomain.charAt(i);
            if (c == ':') {
                return "the trust domain must not have a port";
            }
            if (c == '@') {
                return "the trust domain must not have user info";
            }
            if (c == '?' || c == '#') {
                return "a query or fragment is not allowed";
            }
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
                return "the trust domain may only contain lowercase letters, digits, '.', '-' and '_'";
            }
        }
        return null;
    }

    private static String pathProblem(String path) {
        if (path.isEmpty()) {
            return null;
        }
        int start = 1; // path starts with '/'
        while (true) {
            int end = path.indexOf('/', start);
            String segment = end < 0 ? path.substring(start) : path.substring(start, end);
            if (segment.isEmpty()) {
                return end < 0 ? "the path must not end with '/'" : "the path must not have empty segments ('//')";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "the path must not have '.' or '..' segments";
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (c == '?' || c == '#') {
                    return "a query or fragment is not allowed";
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                        || c == '-' || c == '_')) {
                    return "path segments may only contain letters, digits, '.', '-' and '_'";
                }
            }
            if (end < 0) {
                return null;
            }
            start = end + 1;
        }
    }

    private static IllegalArgumentException fail(String text, String problem) {
        return new IllegalArgumentException(ValidationError.quote(text) + ": " + problem);
    }
}
