package io.remora.config.model;

/** The admin server's address; a non-loopback address is refused unless {@code allowRemote}. */
public record AdminConfig(HostPort address, boolean allowRemote) {

    public static final AdminConfig DEFAULT = new AdminConfig(Defaults.ADMIN_ADDRESS, false);
}
