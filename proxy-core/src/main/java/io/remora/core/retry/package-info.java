/**
 * Retries that cannot turn a partial outage into a total one: the retry policy's decisions, jittered
 * exponential backoff, and the per-cluster retry budget (Finagle's and Linkerd's accounting), which caps
 * retries at a fraction of recent requests however many event loops send them.
 */
package io.remora.core.retry;
