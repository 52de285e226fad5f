/**
 * What a bad config looks like to the operator: {@link io.remora.config.validate.ValidationError} names the
 * offending key by its path ({@code clusters[1].endpoints[0].address}) and says what is wrong with the value;
 * {@link io.remora.config.validate.ConfigException} carries every error found in one go, so a broken file is
 * fixed in one edit rather than one error per attempt. {@link io.remora.config.validate.ConfigValidator} holds
 * the rules that span several keys (unique names and addresses, cluster references), which only make sense once
 * the whole file has been read; rules about a single value live with the loader that reads it.
 */
package io.remora.config.validate;
