/**
 * The immutable config model: records with {@link java.time.Duration}-typed timeouts and every default filled
 * in. Nothing here parses or validates; {@code io.remora.config.load} builds these only from input that passed
 * validation, so the data plane can trust every value it is handed.
 */
package io.remora.config.model;
