package io.remora.core.outlier;

/** How one upstream attempt ended, as outlier detection counts it. */
public enum Outcome {
    /** Any response that is not a 5xx (4xx is the caller's problem, not the host's). */
    SUCCESS,
    /** A 5xx other than 502, 503, 504. */
    SERVER_ERROR,
    /** 502, 503 or 504 from the upstream. */
    GATEWAY_ERROR,
    /** Connect failure, reset or timeout: counted as a gateway failure (Envoy's non-split mode). */
    LOCAL_FAILURE;

    public static Outcome ofStatus(int status) {
        if (status < 500 || status > 599) {
            return SUCCESS;
        }
        return status == 502 || status == 503 || status == 504 ? GATEWAY_ERROR : SERVER_ERROR;
    }
}
