/** Routing: matching a request to the first route whose conditions all hold, and through it to a cluster. */
package io.remora.core.route;
