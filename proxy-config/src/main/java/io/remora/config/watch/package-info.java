/**
 * Watching files that configure a running proxy (the config itself, and later certificates): every way a file
 * changes in practice is noticed — written in place, replaced by a rename, swapped through a Kubernetes
 * ConfigMap's {@code ..data} symlink, deleted and created again — by a directory watch plus a cheap periodic
 * check, debounced, and reported only when the content really changed.
 */
package io.remora.config.watch;
