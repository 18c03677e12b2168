package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.ExtendedPayload;
import com.boomi.connector.api.OperationResponse;
import com.boomi.connector.api.OperationStatus;
import com.boomi.connector.api.Payload;
import com.boomi.connector.api.PayloadMetadata;
import com.boomi.connector.api.TrackedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Records what a connector answers and enforces the Boomi response contract: every input is passed
 * exactly once to addResult, addCombinedResult, addEmptyResult, addErrorResult or
 * finishPartialResult; partial results only before their finish; only inputs of this request. A
 * breach is recorded and thrown at once (an {@link ContractViolationException}), so it cannot go
 * unnoticed even when the connector swallows the exception.
 *
 * <p>By default every record is kept for {@link #results()}. With a {@link ResultSink} each record
 * goes to the sink as it arrives and is not kept: the contract is enforced from per-input state
 * alone (answered, partial open, worst status), so memory does not grow with the documents.
 */
public final class RecordingResponse implements OperationResponse {
    private enum State {
        OPEN, PARTIAL, DONE
    }

    private final Map<TrackedData, Integer> index = new IdentityHashMap<TrackedData, Integer>();
    private final State[] states;
    /** The worst status each input got so far (null: none yet), as Boomi ranks a document. */
    private final OperationStatus[] worst;
    private final Logger logger;
    /** Null when streaming to {@link #sink}. */
    private final List<RecordedResult> results;
    private final ResultSink sink;
    private final List<String> violations = new ArrayList<String>();

    /** Keeps every record for {@link #results()}. */
    public RecordingResponse(List<? extends TrackedData> inputs, Logger logger) {
        this(inputs, logger, null);
    }

    /** Hands every record to {@code sink} and keeps none; {@code null} keeps them all instead. */
    public RecordingResponse(List<? extends TrackedData> inputs, Logger logger, ResultSink sink) {
        for (int i = 0; i < inputs.size(); i++) {
            index.put(inputs.get(i), i);
        }
        this.states = new State[inputs.size()];
        Arrays.fill(states, State.OPEN);
        this.worst = new OperationStatus[inputs.size()];
        this.logger = logger;
        this.sink = sink;
        this.results = sink == null ? new ArrayList<RecordedResult>() : null;
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
    public synchronized void addResult(TrackedData input, OperationStatus status, String statusCode,
            String statusMessage, Payload payload) {
        int i = close(input, "addResult");
        record(i, RecordedResult.Kind.RESULT, status, statusCode, statusMessage, payload, null);
    }

    @Override
    public synchronized void addCombinedResult(Iterable<? extends TrackedData> inputs, OperationStatus status,
            String statusCode, String statusMessage, Payload payload) {
        byte[] bytes = null;
        Map<String, String> tracked = null;
        if (payload != null) {
            bytes = read(payload);
            tracked = tracked(payload);
        }
        for (TrackedData input : inputs) {
            int i = close(input, "addCombinedResult");
            emit(new RecordedResult(i, RecordedResult.Kind.RESULT, checked(status), statusCode, statusMessage,
                    bytes, tracked, null));
        }
    }

    @Override
    public synchronized void addPartialResult(TrackedData input, OperationStatus status, String statusCode,
            String statusMessage, Payload payload) {
        int i = lookup(input, "addPartialResult");
        if (states[i] == State.DONE) {
            throw violation("addPartialResult for input #" + i + " after its result was complete");
        }
        states[i] = State.PARTIAL;
        record(i, RecordedResult.Kind.PARTIAL, status, statusCode, statusMessage, payload, null);
    }

    @Override
    public synchronized void finishPartialResult(TrackedData input) {
        int i = close(input, "finishPartialResult");
        emit(new RecordedResult(i, RecordedResult.Kind.FINISH, null, null, null, null, null, null));
    }

    @Override
    public synchronized void addPartialResult(Iterable<? extends TrackedData> inputs, OperationStatus status,
            String statusCode, String statusMessage, Payload payload) {
        byte[] bytes = payload == null ? null : read(payload);
        Map<String, String> tracked = payload == null ? null : tracked(payload);
        for (TrackedData input : inputs) {
            int i = lookup(input, "addPartialResult");
            if (states[i] == State.DONE) {
                throw violation("addPartialResult for input #" + i + " after its result was complete");
            }
            states[i] = State.PARTIAL;
            emit(new RecordedResult(i, RecordedResult.Kind.PARTIAL, checked(status), statusCode,
                    statusMessage, bytes, tracked, null));
        }
    }

    @Override
    public synchronized void finishPartialResult(Iterable<? extends TrackedData> inputs) {
        for (TrackedData input : inputs) {
            finishPartialResult(input);
        }
    }

    @Override
    public synchronized void addEmptyResult(TrackedData input, OperationStatus status, String statusCode,
            String statusMessage) {
        int i = close(input, "addEmptyResult");
        record(i, RecordedResult.Kind.EMPTY, status, statusCode, statusMessage, null, null);
    }

    @Override
    public synchronized void addErrorResult(TrackedData input, OperationStatus status, String statusCode,
            String statusMessage, Throwable thrown) {
        int i = close(input, "addErrorResult");
        record(i, RecordedResult.Kind.ERROR, status, statusCode, statusMessage, null, thrown);
    }

    /**
     * Called once the operation returned. Without an exception every input must be complete; after
     * one, the Atom fails the unanswered inputs itself, and so does this method.
     */
    synchronized void finish(Throwable thrown) {
        for (int i = 0; i < states.length; i++) {
            if (states[i] == State.DONE) {
                continue;
            }
            if (thrown != null) {
                String message = thrown.getMessage() == null ? thrown.toString() : thrown.getMessage();
                emit(new RecordedResult(i, RecordedResult.Kind.SYNTHESIZED, OperationStatus.FAILURE, null,
                        message, null, null, thrown));
            } else if (states[i] == State.PARTIAL) {
                violations.add("input #" + i + " got partial results but no finishPartialResult");
            } else {
                violations.add("input #" + i + " got no result at all");
            }
        }
    }

    /** Every record in call order; empty when streaming to a sink (nothing is kept then). */
    public synchronized List<RecordedResult> results() {
        return results == null ? new ArrayList<RecordedResult>() : new ArrayList<RecordedResult>(results);
    }

    /** The worst status input {@code i} got (a FAILURE partial after successes fails it); null: none. */
    public synchronized OperationStatus statusOf(int i) {
        return worst[i];
    }

    synchronized OperationStatus[] statuses() {
        return worst.clone();
    }

    public synchronized List<String> violations() {
        return new ArrayList<String>(violations);
    }

    private int lookup(TrackedData input, String method) {
        Integer i = input == null ? null : index.get(input);
        if (i == null) {
            throw violation(method + " with an input that is not part of this request: " + input);
        }
        return i;
    }

    private int close(TrackedData input, String method) {
        int i = lookup(input, method);
        if (states[i] == State.DONE) {
            throw violation(method + " for input #" + i + ", which already has its result");
        }
        if (states[i] == State.PARTIAL && !method.equals("finishPartialResult")) {
            throw violation(method + " for input #" + i + ", which has partial results; use finishPartialResult");
        }
        states[i] = State.DONE;
        return i;
    }

    private void record(int i, RecordedResult.Kind kind, OperationStatus status, String statusCode, String message,
            Payload payload, Throwable thrown) {
        byte[] bytes = payload == null ? null : read(payload);
        Map<String, String> tracked = payload == null ? null : tracked(payload);
        emit(new RecordedResult(i, kind, checked(status), statusCode, message, bytes, tracked, thrown));
    }

    /** Called with the lock held, so records reach the list or the sink in call order. */
    private void emit(RecordedResult r) {
        OperationStatus s = r.status();
        if (s != null && (worst[r.input()] == null || rank(s) > rank(worst[r.input()]))) {
            worst[r.input()] = s;
        }
        if (results != null) {
            results.add(r);
        } else {
            sink.accept(r);
        }
    }

    static int rank(OperationStatus s) {
        switch (s) {
            case SUCCESS:
                return 0;
            case APPLICATION_ERROR:
                return 1;
            default:
                return 2;
        }
    }

    private OperationStatus checked(OperationStatus status) {
        if (status == null) {
            throw violation("a result without an OperationStatus");
        }
        return status;
    }

    /** Consumes and closes the payload, as the Atom does when it stores the document. */
    private byte[] read(Payload payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            try {
                payload.writeTo(out);
            } finally {
                payload.close();
            }
        } catch (IOException e) {
            throw violation("payload.writeTo failed: " + e);
        }
        return out.toByteArray();
    }

    private static Map<String, String> tracked(Payload payload) {
        if (payload instanceof ExtendedPayload) {
            PayloadMetadata md = ((ExtendedPayload) payload).getMetadata();
            if (md instanceof RunnerPayloadMetadata) {
                return ((RunnerPayloadMetadata) md).tracked();
            }
        }
        return null;
    }

    private ContractViolationException violation(String what) {
        violations.add(what);
        return new ContractViolationException("Boomi contract violation: " + what, null);
    }
}
