package io.remora.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * Header names and values as {@link AsciiString}s, remembered per connection: a keep-alive client sends the same
 * names (and mostly the same values: Host, User-Agent, Accept) on every request, so after the first request they
 * cost a hash and a compare instead of two copies each. Direct-mapped and bounded: a new string replaces whatever
 * sat in its slot, so memory stays {@code slots × maxLength} whatever a client sends.
 */
final class AsciiCache {
    private final AsciiString[] slots;
    private final int mask;
    private final int maxLength;

    /** @param slots a power of two */
    AsciiCache(int slots, int maxLength) {
        this.slots = new AsciiString[slots];
        this.mask = slots - 1;
        this.maxLength = maxLength;
    }

    /** The bytes {@code [index, index + length)} of {@code in} as an AsciiString, shared when seen before. */
    AsciiString get(ByteBuf in, int index, int length) {
        if (length == 0) {
            return AsciiString.EMPTY_STRING;
        }
        if (length > maxLength) {
            return copy(in, index, length);
        }
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + in.getByte(index + i);
        }
        int slot = (h ^ (h >>> 16)) & mask;
        AsciiString s = slots[slot];
        if (s != null && s.length() == length && same(s, in, index, length)) {
            return s;
        }
        s = copy(in, index, length);
        slots[slot] = s;
        return s;
    }

    private static boolean same(AsciiString s, ByteBuf in, int index, int length) {
        for (int i = 0; i < length; i++) {
            if (s.byteAt(i) != in.getByte(index + i)) {
                return false;
            }
        }
        return true;
    }

    private static AsciiString copy(ByteBuf in, int index, int length) {
        byte[] bytes = new byte[length];
        in.getBytes(index, bytes);
        return new AsciiString(bytes, false);
    }
}
