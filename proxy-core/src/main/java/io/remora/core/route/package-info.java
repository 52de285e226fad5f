/**
 * Routing: matching a request to the first route whose conditions all hold, and through it to a cluster (or a
 * weighted split of clusters). A compiled route also carries its traffic policy (rate limiter, fault injector) and
 * its request and response actions (header changes, prefix rewrite).
 */
package io.remora.core.route;
