package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.OperationStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.LogRecord;

/**
 * Everything one operation run produced, in call order. A streamed run (records handed to a
 * {@link ResultSink}) keeps no records and no logs: {@link #results()}, {@link #forInput},
 * {@link #documents()} and {@link #logs()} are empty then, while {@link #statusOf}, the violations
 * and the exception are still known.
 */
public final class RunResult {
    private final int inputs;
    private final OperationStatus[] statuses;
    private final List<RecordedResult> results;
    private final List<LogRecord> logs;
    private final List<String> violations;
    private final Throwable thrown;

    RunResult(int inputs, OperationStatus[] statuses, List<RecordedResult> results, List<LogRecord> logs,
            List<String> violations, Throwable thrown) {
        this.inputs = inputs;
        this.statuses = statuses.clone();
        this.results = Collections.unmodifiableList(new ArrayList<RecordedResult>(results));
        this.logs = Collections.unmodifiableList(new ArrayList<LogRecord>(logs));
        this.violations = Collections.unmodifiableList(new ArrayList<String>(violations));
        this.thrown = thrown;
    }

    public int inputCount() {
        return inputs;
    }

    /** Every response call, in order (FINISH records included). */
    public List<RecordedResult> results() {
        return results;
    }

    /** The records of one input, in order. */
    public List<RecordedResult> forInput(int input) {
        List<RecordedResult> out = new ArrayList<RecordedResult>();
        for (RecordedResult r : results) {
            if (r.input() == input) {
                out.add(r);
            }
        }
        return out;
    }

    /** Records that carry a document (output documents in Boomi terms), in order. */
    public List<RecordedResult> documents() {
        List<RecordedResult> out = new ArrayList<RecordedResult>();
        for (RecordedResult r : results) {
            if (r.payload() != null) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The status Boomi gives an input: the worst status among its records (a FAILURE partial after
     * successful partials fails the document).
     */
    public OperationStatus statusOf(int input) {
        return statuses[input];
    }

    public List<LogRecord> logs() {
        return logs;
    }

    /** Breaches of the Boomi response contract; a correct connector has none. */
    public List<String> violations() {
        return violations;
    }

    /** What {@code Operation.execute} threw, if anything. */
    public Throwable thrown() {
        return thrown;
    }
}
