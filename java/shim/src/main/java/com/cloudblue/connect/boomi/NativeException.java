package com.cloudblue.connect.boomi;

/**
 * A whole-call failure thrown by the native library (bad settings, closed handle, a panic, a failed
 * connection test). The Rust bridge constructs it through the {@code (String, String)} constructor:
 * keep that signature. The shim turns it into a Boomi result or {@code ConnectorException}.
 */
public final class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    public NativeException(String code, String message) {
        super(message);
        this.code = code == null ? "" : code;
    }

    /** One of the contract's codes, e.g. {@code INVALID_SETTINGS}, {@code AUTH}, {@code PANIC}. */
    public String getCode() {
        return code;
    }
}
