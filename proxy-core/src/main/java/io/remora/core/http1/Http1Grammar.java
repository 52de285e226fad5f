package io.remora.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.netty.util.NetUtil;
import java.util.Locale;

/**
 * Byte classes and small validators of RFC 9110/9112 grammar, shared by the strict decoders. Every check is a
 * table lookup per byte through {@link ByteBuf#forEachByte}; nothing here allocates unless a value is returned.
 */
final class Http1Grammar {
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    /** tchar (RFC 9110 §5.6.2): the characters of a method, a field name, a transfer coding. */
    private static final int TOKEN = 1;
    /** field-vchar / SP / HTAB: the bytes a field value may hold. obs-text is deliberately not included. */
    private static final int FIELD_VALUE = 1 << 1;
    /** VCHAR except '#': the bytes a request-target may hold (a fragment is never sent, RFC 9112 §3.2). */
    private static final int TARGET = 1 << 2;
    /** unreserved (RFC 3986 §2.3): the characters of a host name besides pct-encoded triplets. */
    private static final int REG_NAME = 1 << 3;
    /** qdtext (RFC 9110 §5.6.4) without obs-text. */
    private static final int QDTEXT = 1 << 4;
    /** reason-phrase bytes (RFC 9112 §4): HTAB / SP / VCHAR / obs-text. */
    private static final int REASON = 1 << 5;

    private static final byte[] CLASSES = new byte[256];

    static {
        for (int c = 0x21; c <= 0x7e; c++) {
            CLASSES[c] |= FIELD_VALUE | TARGET | REASON;
            if (c != '"' && c != '\\') {
                CLASSES[c] |= QDTEXT;
            }
        }
        CLASSES[SP] |= FIELD_VALUE | QDTEXT | REASON;
        CLASSES[HTAB] |= FIELD_VALUE | QDTEXT | REASON;
        CLASSES['#'] &= ~TARGET;
        for (int c = 0x80; c <= 0xff; c++) {
            CLASSES[c] |= REASON;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            CLASSES[c] |= TOKEN;
        }
        for (char c : "-._~".toCharArray()) {
            CLASSES[c] |= REG_NAME;
        }
        for (int c = '0'; c <= '9'; c++) {
            CLASSES[c] |= TOKEN | REG_NAME;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            CLASSES[c] |= TOKEN | REG_NAME;
            CLASSES[c - 32] |= TOKEN | REG_NAME;
        }
    }

    /** Continues while the byte is a tchar. */
    static final ByteProcessor IS_TOKEN = b -> (CLASSES[b & 0xff] & TOKEN) != 0;
    /** Continues while the byte may appear in a (trimmed) field value. */
    static final ByteProcessor IS_FIELD_VALUE = b -> (CLASSES[b & 0xff] & FIELD_VALUE) != 0;
    /** Continues while the byte may appear in a request-target. */
    static final ByteProcessor IS_TARGET = b -> (CLASSES[b & 0xff] & TARGET) != 0;
    /** Continues while the byte may appear in a reason-phrase. */
    static final ByteProcessor IS_REASON = b -> (CLASSES[b & 0xff] & REASON) != 0;

    private Http1Grammar() {
    }

    static boolean isToken(int b) {
        return (CLASSES[b & 0xff] & TOKEN) != 0;
    }

    static boolean isOws(byte b) {
        return b == SP || b == HTAB;
    }

    static boolean isVcharOrWs(byte b) {
        return (CLASSES[b & 0xff] & FIELD_VALUE) != 0;
    }

    static boolean isQdtext(byte b) {
        return (CLASSES[b & 0xff] & QDTEXT) != 0;
    }

    /** The value of a hex digit, or -1. */
    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        if (lower >= 'a' && lower <= 'f') {
            return lower - 'a' + 10;
        }
        return -1;
    }

    /** Whether {@code len} bytes at {@code index} equal {@code ascii}, ignoring ASCII case. */
    static boolean equalsIgnoreCase(ByteBuf buf, int index, int len, String ascii) {
        if (len != ascii.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            int b = buf.getByte(index + i);
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            int c = ascii.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (b != c) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code len} bytes at {@code index} equal {@code ascii} exactly. */
    static boolean equalsExact(ByteBuf buf, int index, int len, String ascii) {
        if (len != ascii.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buf.getByte(index + i) != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** "0x0b"-style rendering of one byte, for messages that must not echo input text. */
    static String hex(byte b) {
        return String.format(Locale.ROOT, "0x%02x", b & 0xff);
    }

    /** The exception for a byte that may not appear in a field value. */
    static HttpSyntaxException badValueByte(byte b, String where) {
        if (b == 0) {
            return new HttpSyntaxException("NUL in " + where);
        }
        if (b == CR) {
            return new HttpSyntaxException("bare CR in " + where);
        }
        if ((b & 0x80) != 0) {
            return new HttpSyntaxException("non-ASCII byte " + hex(b) + " in " + where);
        }
        return new HttpSyntaxException("control character " + hex(b) + " in " + where);
    }

    /**
     * Validates {@code uri-host [ ":" port ]} (RFC 9110 §7.2, RFC 3986 §3.2.2) more narrowly than RFC 3986: the
     * host is an IPv6 literal in brackets, or a non-empty reg-name of unreserved characters and pct-encoded
     * triplets (IPv4 addresses are reg-names). Sub-delims are refused although RFC 3986 allows them: no HTTP host
     * is named with them, and {@code ,} {@code ;} {@code =} make another parser read a list or parameters.
     * No userinfo; the port, when present, is 1 to 5 digits with a value of at most 65535.
     *
     * @param what "Host" or "request-target authority", for messages
     * @param portRequired true for CONNECT's authority-form
     * @return the index of the ':' before the port, or {@code s.length()} when there is no port
     */
    static int checkAuthority(String s, String what, boolean portRequired) {
        int n = s.length();
        if (n == 0) {
            throw new HttpSyntaxException("empty " + what);
        }
        if (s.indexOf('@') >= 0) {
            throw new HttpSyntaxException("userinfo in " + what);
        }
        int hostEnd;
        if (s.charAt(0) == '[') {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new HttpSyntaxException("unterminated IPv6 literal in " + what);
            }
            for (int i = 1; i < close; i++) {
                char c = s.charAt(i);
                if (!(c == ':' || c == '.' || (c < 128 && hexValue((byte) c) >= 0))) {
                    throw new HttpSyntaxException("invalid IPv6 literal in " + what);
                }
            }
            if (close == 1 || !NetUtil.isValidIpV6Address(s.substring(1, close))) {
                throw new HttpSyntaxException("invalid IPv6 literal in " + what);
            }
            hostEnd = close + 1;
            if (hostEnd < n && s.charAt(hostEnd) != ':') {
                throw new HttpSyntaxException("invalid character after IPv6 literal in " + what);
            }
        } else {
            int i = 0;
            while (i < n) {
                char c = s.charAt(i);
                if (c == ':') {
                    break;
                }
                if (c < 128 && (CLASSES[c] & REG_NAME) != 0) {
                    i++;
                } else if (c == '%' && i + 2 < n && hexValue((byte) s.charAt(i + 1)) >= 0
                        && hexValue((byte) s.charAt(i + 2)) >= 0) {
                    i += 3;
                } else {
                    throw new HttpSyntaxException("invalid character " + hex((byte) c) + " in " + what);
                }
            }
            if (i == 0) {
                throw new HttpSyntaxException("empty host in " + what);
            }
            hostEnd = i;
        }
        if (hostEnd == n) {
            if (portRequired) {
                throw new HttpSyntaxException("missing port in " + what);
            }
            return n;
        }
        // s.charAt(hostEnd) == ':'
        int digits = n - hostEnd - 1;
        if (digits == 0 || digits > 5) {
            throw new HttpSyntaxException("invalid port in " + what);
        }
        int port = 0;
        for (int i = hostEnd + 1; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpSyntaxException("invalid port in " + what);
            }
            port = port * 10 + (c - '0');
        }
        if (port > 65535) {
            throw new HttpSyntaxException("invalid port in " + what);
        }
        return hostEnd;
    }

    /** The port of an authority already checked by {@link #checkAuthority}, or -1 when it has none. */
    static int port(String authority, int colon) {
        return colon == authority.length() ? -1 : Integer.parseInt(authority, colon + 1, authority.length(), 10);
    }
}
