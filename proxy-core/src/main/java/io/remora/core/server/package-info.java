/**
 * The proxy's lifecycle and threading: the transport (native epoll or NIO), the event loops ("workers"), the
 * listeners bound on them, and start, drain and stop. A downstream connection and every upstream connection
 * serving it live on the same event loop, so nothing on the request path hops threads.
 */
package io.remora.core.server;
