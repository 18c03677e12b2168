package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.OperationStatus;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;

/**
 * One call the connector made on the response for one input: a whole result, a partial result, or
 * (with {@link Kind#SYNTHESIZED}) the failure an Atom records for an input the connector left
 * unanswered because {@code execute} threw.
 */
public final class RecordedResult {
    /** Which response method produced the record. */
    public enum Kind {
        RESULT, PARTIAL, EMPTY, ERROR, FINISH, SYNTHESIZED
    }

    private final int input;
    private final Kind kind;
    private final OperationStatus status;
    private final String statusCode;
    private final String message;
    private final byte[] payload;
    private final Map<String, String> trackedProperties;
    private final Throwable thrown;

    RecordedResult(int input, Kind kind, OperationStatus status, String statusCode, String message, byte[] payload,
            Map<String, String> trackedProperties, Throwable thrown) {
        this.input = input;
        this.kind = kind;
        this.status = status;
        this.statusCode = statusCode;
        this.message = message;
        this.payload = payload;
        this.trackedProperties = trackedProperties == null ? Collections.<String, String>emptyMap()
                : Collections.unmodifiableMap(trackedProperties);
        this.thrown = thrown;
    }

    /** Index of the input document (0-based, in the order given). */
    public int input() {
        return input;
    }

    public Kind kind() {
        return kind;
    }

    public OperationStatus status() {
        return status;
    }

    public String statusCode() {
        return statusCode;
    }

    public String message() {
        return message;
    }

    /** The document bytes, or {@code null} when the call carried no payload. */
    public byte[] payload() {
        return payload == null ? null : payload.clone();
    }

    public String payloadText() {
        return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }

    public Map<String, String> trackedProperties() {
        return trackedProperties;
    }

    public Throwable thrown() {
        return thrown;
    }

    @Override
    public String toString() {
        return "#" + input + " " + kind + " " + status + " " + statusCode + (message == null ? "" : " " + message)
                + (payload == null ? "" : " (" + payload.length + " bytes)");
    }
}
