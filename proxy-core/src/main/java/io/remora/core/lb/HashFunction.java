package io.remora.core.lb;

/**
 * The 64-bit hash of ring-hash keys and ring points: FNV-1a over the UTF-8 bytes (encoded on the fly, without
 * allocating), then MurmurHash3's {@code fmix64} finalizer so that nearby keys ("host_1", "host_2") land far apart
 * on the ring.
 */
public final class HashFunction {
    private HashFunction() {
    }

    public static long hash(CharSequence s) {
        return fmix64(fnvState(0xcbf29ce484222325L, s));
    }

    /** The FNV-1a state after {@code s}'s bytes, unfinalized: a prefix that ring points extend. */
    static long fnvState(CharSequence s) {
        return fnvState(0xcbf29ce484222325L, s);
    }

    /**
     * Extends {@code h} with the decimal digits of {@code v} ≥ 0: {@code fmix64(fnvDecimal(fnvState(s), v))}
     * equals {@code hash(s + v)} without building the string.
     */
    static long fnvDecimal(long h, long v) {
        if (v >= 10) {
            h = fnvDecimal(h, v / 10);
        }
        return fnv(h, '0' + (int) (v % 10));
    }

    private static long fnvState(long h, CharSequence s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                h = fnv(h, c);
            } else if (c < 0x800) {
                h = fnv(fnv(h, 0xc0 | (c >> 6)), 0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                // a supplementary character is one 4-byte sequence, not two lone surrogates (which would make
                // every emoji hash alike)
                int cp = Character.toCodePoint(c, s.charAt(++i));
                h = fnv(fnv(h, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f));
                h = fnv(fnv(h, 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                h = fnv(h, '?'); // a lone surrogate, as String.getBytes(UTF_8) encodes it
            } else {
                h = fnv(fnv(fnv(h, 0xe0 | (c >> 12)), 0x80 | ((c >> 6) & 0x3f)), 0x80 | (c & 0x3f));
            }
        }
        return h;
    }

    private static long fnv(long h, int octet) {
        return (h ^ octet) * 0x100000001b3L;
    }

    public static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
