/**
 * Byte relays: TCP listeners, and HTTP connections that became tunnels after an {@code Upgrade} or
 * {@code CONNECT}. Bytes are pumped with backpressure (a side is read only while the other can take what it
 * reads) and a half-close on one side is passed to the other.
 */
package io.remora.core.tcp;
