// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.logging.Logger;

public interface OperationResponse extends PayloadMetadataFactory {
    Logger getLogger();

    void addResult(TrackedData input, OperationStatus status, String statusCode, String statusMessage,
            Payload payload);

    void addCombinedResult(Iterable<? extends TrackedData> inputs, OperationStatus status, String statusCode,
            String statusMessage, Payload payload);

    void addPartialResult(TrackedData input, OperationStatus status, String statusCode, String statusMessage,
            Payload payload);

    void finishPartialResult(TrackedData input);

    void addPartialResult(Iterable<? extends TrackedData> inputs, OperationStatus status, String statusCode,
            String statusMessage, Payload payload);

    void finishPartialResult(Iterable<? extends TrackedData> inputs);

    void addEmptyResult(TrackedData input, OperationStatus status, String statusCode, String statusMessage);

    void addErrorResult(TrackedData input, OperationStatus status, String statusCode, String statusMessage,
            Throwable thrown);
}
