/**
 * The command line: {@code remora run | validate | demo | admin | certs | version}. Every failure an operator can
 * cause (a bad flag, a missing or invalid config file, a port in use, a CA directory that is not one) ends in one
 * clear sentence and a non-zero exit code, never a stack trace.
 */
package io.remora.cli;
