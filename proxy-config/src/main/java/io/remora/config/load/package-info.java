/**
 * From YAML to the config model: {@link io.remora.config.load.ConfigLoader} reads a file with SnakeYAML Engine
 * into plain maps and lists, then walks them with path-tracking readers that check every key against the schema
 * (unknown keys get a did-you-mean hint, keys reserved for later versions are refused, never ignored) and every
 * value against its syntax, collecting all errors instead of stopping at the first. Only a file without errors
 * becomes a {@link io.remora.config.model.RemoraConfig}. {@link io.remora.config.load.Durations} and
 * {@link io.remora.config.load.HostPorts} are public so that other inputs (the command line) read durations and
 * addresses with the same rules and messages.
 */
package io.remora.config.load;
