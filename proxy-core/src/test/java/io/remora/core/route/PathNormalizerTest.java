package io.remora.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link PathNormalizer}: RFC 3986 §2.3/§6.2.2 decoding, §5.2.4 dot-segments, merged slashes, and refusals. */
class PathNormalizerTest {

    static Stream<Arguments> normalized() {
        return Stream.of(
                // already normal: untouched
                Arguments.of("/", "/"),
                Arguments.of("/a/b/c", "/a/b/c"),
                Arguments.of("/a/b/", "/a/b/"),
                Arguments.of("/.well-known/x", "/.well-known/x"),
                Arguments.of("/a..b/c.", "/a..b/c."),
                Arguments.of("/...", "/..."),
                Arguments.of("/a\\..\\b", "/a\\..\\b"), // backslash is no separator
                // RFC 3986 §5.4.1 / §5.2.4 examples, as absolute paths
                Arguments.of("/a/b/c/./../../g", "/a/g"),
                Arguments.of("/mid/content=5/../6", "/mid/6"),
                Arguments.of("/a/./b", "/a/b"),
                Arguments.of("/a/b/..", "/a/"),
                Arguments.of("/a/b/.", "/a/b/"),
                Arguments.of("/a/..", "/"),
                Arguments.of("/.", "/"),
                Arguments.of("/./", "/"),
                Arguments.of("/a/../b/../c", "/c"),
                Arguments.of("/a//../b", "/a/b"),
                Arguments.of("//..", "/"),
                // unreserved characters are decoded, in either case
                Arguments.of("/%41%62%7e%2D%5f%2E%30", "/Ab~-_.0"),
                Arguments.of("/%7Euser", "/~user"),
                // everything else stays encoded, upper-cased
                Arguments.of("/a%2fb", "/a%2Fb"),
                Arguments.of("/a%2Fb", "/a%2Fb"),
                Arguments.of("/a%5cb", "/a%5Cb"),
                Arguments.of("/%25", "/%25"),
                Arguments.of("/%2541", "/%2541"), // no double decoding
                Arguments.of("/%00", "/%00"),
                Arguments.of("/caf%c3%a9", "/caf%C3%A9"),
                Arguments.of("/%3f%23", "/%3F%23"),
                // dot-segments spelled with escapes are dot-segments once decoded
                Arguments.of("/a/%2e%2e/b", "/b"),
                Arguments.of("/a/.%2E/b", "/b"),
                Arguments.of("/a/%2e/b", "/a/b"),
                Arguments.of("/a/%2e%2e", "/"),
                // but an escaped slash never separates segments
                Arguments.of("/a/..%2fb", "/a/..%2Fb"),
                Arguments.of("/a%2f..%2f..%2fb", "/a%2F..%2F..%2Fb"),
                // runs of slashes are kept without merge_slashes
                Arguments.of("//a///b//", "//a///b//"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("normalized")
    void normalizes(String in, String out) {
        assertEquals(out, PathNormalizer.normalize(in, false));
    }

    static Stream<Arguments> merged() {
        return Stream.of(
                Arguments.of("//a///b//", "/a/b/"),
                Arguments.of("//", "/"),
                Arguments.of("/a//../b", "/b"),
                Arguments.of("/a/b//..//c", "/a/c"),
                Arguments.of("/a%2f%2fb", "/a%2F%2Fb"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("merged")
    void mergesSlashesWhenAsked(String in, String out) {
        assertEquals(out, PathNormalizer.normalize(in, true));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("/..", "path climbs above the root"),
                Arguments.of("/../x", "path climbs above the root"),
                Arguments.of("/a/../../x", "path climbs above the root"),
                Arguments.of("/%2e%2e/x", "path climbs above the root"),
                Arguments.of("/%2E%2e", "path climbs above the root"),
                Arguments.of("/.%2e/etc/passwd", "path climbs above the root"),
                Arguments.of("/a/./../..", "path climbs above the root"),
                Arguments.of("/%", "malformed percent-encoding in path"),
                Arguments.of("/%4", "malformed percent-encoding in path"),
                Arguments.of("/%4g", "malformed percent-encoding in path"),
                Arguments.of("/%%41", "malformed percent-encoding in path"),
                Arguments.of("/a%zz", "malformed percent-encoding in path"),
                Arguments.of("/%u002e", "malformed percent-encoding in path"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWhatCannotBeNormalized(String in, String message) {
        assertEquals(message, assertThrows(PathNormalizer.InvalidPathException.class,
                () -> PathNormalizer.normalize(in, false)).getMessage());
        assertEquals(message, assertThrows(PathNormalizer.InvalidPathException.class,
                () -> PathNormalizer.normalize(in, true)).getMessage());
    }

    @Test
    void aNormalPathIsReturnedAsIs() {
        String p = "/api/v1/items";
        assertSame(p, PathNormalizer.normalize(p, true));
        String dots = "/a/.hidden";
        assertSame(dots, PathNormalizer.normalize(dots, false));
        String t = "/a/b?x=/../y&z=%2e%2e";
        assertSame(t, PathNormalizer.normalizeTarget(t, true, true));
    }

    @Test
    void theQueryIsLeftAlone() {
        assertEquals("/b?x=/../%2e%2e//y", PathNormalizer.normalizeTarget("/a/../b?x=/../%2e%2e//y", true, true));
        assertEquals("/b?", PathNormalizer.normalizeTarget("/./b?", true, false));
        assertEquals("/a/b?q", PathNormalizer.normalizeTarget("//a//b?q", false, true));
        String off = "/a/../%41//b?q";
        assertSame(off, PathNormalizer.normalizeTarget(off, false, false));
        assertEquals("/a/../%41/b?q", PathNormalizer.normalizeTarget(off, false, true));
    }

    @Test
    void mergeSlashesAlone() {
        assertEquals("/a/b/", PathNormalizer.mergeSlashes("///a//b//"));
        String p = "/a/b";
        assertSame(p, PathNormalizer.mergeSlashes(p));
    }

    /**
     * Properties over random paths made of the troublesome pieces: normalizing is idempotent, the result has no
     * dot-segment, no escaped unreserved character and no lower-case escape, and it starts with '/'.
     */
    @Test
    void randomPathsNormalizeToAFixedPoint() {
        String[] pieces = {"/", "//", ".", "..", "a", "%2e", "%2E", "%2f", "%41", "%7e", "%25", "b.c", "~", "%"};
        SplittableRandom rnd = new SplittableRandom(10);
        int checked = 0;
        for (int i = 0; i < 5_000; i++) {
            StringBuilder b = new StringBuilder("/");
            int n = rnd.nextInt(1, 9);
            for (int k = 0; k < n; k++) {
                b.append(pieces[rnd.nextInt(pieces.length)]);
            }
            String in = b.toString();
            for (boolean merge : new boolean[] {false, true}) {
                String out;
                try {
                    out = PathNormalizer.normalize(in, merge);
                } catch (PathNormalizer.InvalidPathException e) {
                    continue;
                }
                checked++;
                assertEquals(out, PathNormalizer.normalize(out, merge), "idempotent: " + in);
                assertEquals('/', out.charAt(0), in);
                for (String seg : out.substring(1).split("/", -1)) {
                    if (seg.equals(".") || seg.equals("..")) {
                        throw new AssertionError("dot-segment left in " + out + " from " + in);
                    }
                }
                for (int j = out.indexOf('%'); j >= 0; j = out.indexOf('%', j + 1)) {
                    int v = Integer.parseInt(out.substring(j + 1, j + 3), 16);
                    assertEquals(false, PathNormalizer.isUnreserved(v), "escaped unreserved in " + out);
                    assertEquals(out.substring(j + 1, j + 3).toUpperCase(java.util.Locale.ROOT),
                            out.substring(j + 1, j + 3), "lower-case escape in " + out);
                }
                if (merge) {
                    assertEquals(-1, out.indexOf("//"), "merged: " + out);
                }
            }
        }
        assertEquals(true, checked > 2_500, "enough valid paths: " + checked);
    }
}
