package io.remora.core.route;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalizes the path of an origin-form request-target, so that what a route matches on is what the upstream
 * receives and two spellings of one resource cannot be told apart by one hop and not by the other (Envoy's
 * {@code normalize_path} and {@code merge_slashes}). Pure functions on strings; no state.
 *
 * <p>{@link #normalize} does, in order:
 * <ol>
 *   <li>percent-decoding of unreserved characters only (RFC 3986 §2.3 and §6.2.2.2: {@code ALPHA / DIGIT / "-" /
 *       "." / "_" / "~"}), {@code %41} → {@code A}, {@code %2e} → {@code .}; every other triplet stays encoded,
 *       with its hex digits upper-cased (§6.2.2.1), so {@code %2f} becomes {@code %2F} and never a {@code /}, and
 *       {@code %25} never decodes twice. A {@code %} not followed by two hex digits is an error;</li>
 *   <li>optionally, merging runs of {@code /} into one;</li>
 *   <li>removal of the dot-segments {@code .} and {@code ..} (RFC 3986 §5.2.4), after decoding, so
 *       {@code /a/%2e%2e/b} is {@code /b}. Where §5.2.4 would silently drop a {@code ..} that climbs above the
 *       root ({@code /../x} → {@code /x}), this is an error instead: a client has no honest reason to send it,
 *       and an upstream that resolves it differently (against a file-system root, say) must never see it.</li>
 * </ol>
 * The query is left alone. A backslash is an ordinary character, as RFC 3986 has it (it is not a separator).
 */
public final class PathNormalizer {

    /** A path that cannot be normalized: the request is answered 400. */
    public static final class InvalidPathException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidPathException(String message) {
            super(message);
        }
    }

    private PathNormalizer() {
    }

    /**
     * The origin-form {@code target} (path, optionally {@code ?query}) with its path normalized; the same instance
     * when nothing changes.
     *
     * @param normalize     decode unreserved characters and remove dot-segments
     * @param mergeSlashes  merge runs of {@code /}
     * @throws InvalidPathException for a malformed percent-encoding or a path above the root
     */
    public static String normalizeTarget(String target, boolean normalize, boolean mergeSlashes) {
        if (!normalize && !mergeSlashes) {
            return target;
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String normalized = normalize ? normalize(path, mergeSlashes) : mergeSlashes(path);
        if (normalized.equals(path)) {
            return target;
        }
        return q < 0 ? normalized : normalized + target.substring(q);
    }

    /**
     * Normalizes {@code path}, which starts with {@code /} and holds no query; the same instance when it is already
     * normal.
     *
     * @throws InvalidPathException for a malformed percent-encoding or a path above the root
     */
    public static String normalize(String path, boolean mergeSlashes) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
        if (isNormal(path, mergeSlashes)) {
            return path;
        }
        String decoded = decodeUnreserved(path);
        String result = removeDotSegments(decoded, mergeSlashes);
        return result.equals(path) ? path : result;
    }

    /** {@code path} with every run of {@code /} merged into one; the same instance when there is none. */
    public static String mergeSlashes(String path) {
        if (path.indexOf("//") < 0) {
            return path;
        }
        StringBuilder b = new StringBuilder(path.length());
        char prev = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || prev != '/') {
                b.append(c);
            }
            prev = c;
        }
        return b.toString();
    }

    /** Fast path: no percent sign, no segment starting with a dot, no run of slashes to merge. */
    private static boolean isNormal(String path, boolean mergeSlashes) {
        for (int i = 1; i < path.length(); i++) {
            char c = path.charAt(i);
            char prev = path.charAt(i - 1);
            if (c == '%' || (c == '.' && prev == '/') || (mergeSlashes && c == '/' && prev == '/')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3986 §2.3. */
    static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static String decodeUnreserved(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder b = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            int hi = i + 1 < path.length() ? hex(path.charAt(i + 1)) : -1;
            int lo = i + 2 < path.length() ? hex(path.charAt(i + 2)) : -1;
            if (hi < 0 || lo < 0) {
                throw new InvalidPathException("malformed percent-encoding in path");
            }
            int v = hi << 4 | lo;
            if (isUnreserved(v)) {
                b.append((char) v);
            } else {
                b.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return b.toString();
    }

    /**
     * RFC 3986 §5.2.4 on segments: {@code .} is dropped, {@code ..} drops the segment before it, and either at the
     * end leaves a trailing slash. A {@code ..} with nothing left to drop is an error rather than ignored.
     */
    private static String removeDotSegments(String path, boolean mergeSlashes) {
        // path starts with '/': the segments are what follows each '/'
        List<String> out = new ArrayList<>();
        int start = 1;
        int n = path.length();
        while (true) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? n : slash;
            boolean last = slash < 0;
            String seg = path.substring(start, end);
            if (seg.equals(".")) {
                if (last) {
                    out.add("");
                }
            } else if (seg.equals("..")) {
                if (out.isEmpty()) {
                    throw new InvalidPathException("path climbs above the root");
                }
                out.remove(out.size() - 1);
                if (last) {
                    out.add("");
                }
            } else if (!(mergeSlashes && seg.isEmpty() && !last)) {
                out.add(seg);
            }
            if (last) {
                break;
            }
            start = slash + 1;
        }
        StringBuilder b = new StringBuilder(n);
        for (String seg : out) {
            b.append('/').append(seg);
        }
        return b.length() == 0 ? "/" : b.toString();
    }
}
