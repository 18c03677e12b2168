package com.cloudblue.connect.boomi.runner;

/** The connector broke the Boomi response contract; {@link #result()} holds what was recorded. */
public final class ContractViolationException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient RunResult result;

    ContractViolationException(String message, RunResult result) {
        super(message);
        this.result = result;
    }

    /** The run's records, or {@code null} when thrown at the offending call. */
    public RunResult result() {
        return result;
    }
}
