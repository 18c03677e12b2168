// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

public enum GroupingOperator {
    AND("and"),
    OR("or");

    private final String value;

    GroupingOperator(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static GroupingOperator fromValue(String value) {
        for (GroupingOperator operator : values()) {
            if (operator.value.equals(value)) {
                return operator;
            }
        }
        throw new IllegalArgumentException(value);
    }
}
