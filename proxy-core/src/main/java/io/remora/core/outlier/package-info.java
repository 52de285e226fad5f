/**
 * Passive health checking (Envoy's outlier detection): hosts that fail in a row are ejected inline, the moment
 * the count is reached; hosts whose success rate is an outlier, or whose failure percentage is too high, are
 * ejected by one periodic sweep per cluster. Ejections last longer each time, are capped by
 * {@code max_ejection_percent}, and are logged with their reason.
 */
package io.remora.core.outlier;
