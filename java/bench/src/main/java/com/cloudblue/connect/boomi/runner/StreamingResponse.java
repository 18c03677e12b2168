package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.ExtendedPayload;
import com.boomi.connector.api.OperationResponse;
import com.boomi.connector.api.OperationStatus;
import com.boomi.connector.api.Payload;
import com.boomi.connector.api.PayloadMetadata;
import com.boomi.connector.api.TrackedData;
import java.io.IOException;
import java.io.OutputStream;
import java.util.logging.Logger;

/**
 * A QUERY response for benchmarks: consumes every document the way an Atom stores it (writeTo, then
 * close), counts documents, bytes and tracked ids, and keeps nothing, so memory measures the
 * connector and not the recorder. {@link RecordingResponse} copies every document into a record (and
 * keeps it unless streaming to a {@link ResultSink}), which is right for tests and wrong for a million
 * documents.
 */
final class StreamingResponse implements OperationResponse {
    private final Logger logger;
    private final CountingStream sink = new CountingStream();
    long documents;
    long withTrackedId;
    boolean finished;
    String failure;

    StreamingResponse(Logger logger) {
        this.logger = logger;
    }

    long bytes() {
        return sink.count;
    }

    @Override
    public Logger getLogger() {
        return logger;
    }

    @Override
    public PayloadMetadata createMetadata() {
        return new RunnerPayloadMetadata();
    }

    @Override
    public void addPartialResult(TrackedData input, OperationStatus status, String statusCode, String statusMessage,
            Payload payload) {
        if (finished) {
            throw new IllegalStateException("addPartialResult after finishPartialResult");
        }
        if (status != OperationStatus.SUCCESS) {
            failure = statusCode + ": " + statusMessage;
        }
        if (payload == null) {
            return;
        }
        try {
            try {
                payload.writeTo(sink);
            } finally {
                payload.close();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        documents++;
        if (payload instanceof ExtendedPayload) {
            PayloadMetadata md = ((ExtendedPayload) payload).getMetadata();
            if (md instanceof RunnerPayloadMetadata && ((RunnerPayloadMetadata) md).tracked().containsKey("id")) {
                withTrackedId++;
            }
        }
    }

    @Override
    public void finishPartialResult(TrackedData input) {
        if (finished) {
            throw new IllegalStateException("finishPartialResult twice");
        }
        finished = true;
    }

    @Override
    public void addErrorResult(TrackedData input, OperationStatus status, String statusCode, String statusMessage,
            Throwable thrown) {
        failure = statusCode + ": " + statusMessage;
        finished = true;
    }

    @Override
    public void addEmptyResult(TrackedData input, OperationStatus status, String statusCode, String statusMessage) {
        failure = "unexpected addEmptyResult for a query: " + statusCode + ": " + statusMessage;
        finished = true;
    }

    @Override
    public void addResult(TrackedData input, OperationStatus status, String statusCode, String statusMessage,
            Payload payload) {
        throw new IllegalStateException("a query answers with partial results, not addResult");
    }

    @Override
    public void addCombinedResult(Iterable<? extends TrackedData> inputs, OperationStatus status, String statusCode,
            String statusMessage, Payload payload) {
        throw new IllegalStateException("a query answers with partial results, not addCombinedResult");
    }

    @Override
    public void addPartialResult(Iterable<? extends TrackedData> inputs, OperationStatus status, String statusCode,
            String statusMessage, Payload payload) {
        throw new IllegalStateException("a query answers one input, not combined partial results");
    }

    @Override
    public void finishPartialResult(Iterable<? extends TrackedData> inputs) {
        throw new IllegalStateException("a query answers one input, not combined partial results");
    }

    /** Counts what is written and drops it. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
