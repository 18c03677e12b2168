// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

/**
 * Unchecked. {@link #getMessage()} is formatted as SDK 2.3.0 formats it, since that is the text a
 * user reads: {@code "[code] "} (when the code is not blank), the status message, then
 * {@code ": " + cause} when a cause is set.
 */
public class ConnectorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final String NO_CODE = "";
    public static final String NO_MESSAGE = "Unknown failure";

    private final String statusCode;
    private final String statusMessage;

    public ConnectorException(Throwable cause) {
        this(NO_CODE, cause == null ? NO_MESSAGE : String.valueOf(cause.getMessage()), cause);
    }

    public ConnectorException(String message) {
        this(NO_CODE, message, null);
    }

    public ConnectorException(String statusCode, String message) {
        this(statusCode, message, null);
    }

    public ConnectorException(String message, Throwable cause) {
        this(NO_CODE, message, cause);
    }

    public ConnectorException(String statusCode, String message, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode == null ? NO_CODE : statusCode;
        this.statusMessage = message == null ? NO_MESSAGE : message;
    }

    public String getStatusCode() {
        return statusCode;
    }

    public String getStatusMessage() {
        return statusMessage;
    }

    @Override
    public String getMessage() {
        StringBuilder out = new StringBuilder();
        if (!statusCode.trim().isEmpty()) {
            out.append('[').append(statusCode).append("] ");
        }
        out.append(statusMessage);
        if (getCause() != null) {
            out.append(": ").append(getCause());
        }
        return out.toString();
    }

    public static String getStatusCode(Throwable t) {
        return t instanceof ConnectorException ? ((ConnectorException) t).getStatusCode() : NO_CODE;
    }

    public static String getStatusMessage(Throwable t) {
        if (t instanceof ConnectorException) {
            return ((ConnectorException) t).getStatusMessage();
        }
        return t == null || t.getMessage() == null ? NO_MESSAGE : t.getMessage();
    }
}
