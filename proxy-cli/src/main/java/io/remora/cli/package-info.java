/**
 * The command line: {@code remora run | validate | demo | admin | version}. Every failure an operator can cause (a bad
 * flag, a missing or invalid config file, a port in use) ends in one clear sentence and a non-zero exit code,
 * never a stack trace.
 */
package io.remora.cli;
