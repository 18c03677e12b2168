// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

public enum ObjectDefinitionRole {
    INPUT("input"),
    OUTPUT("output");

    private final String value;

    ObjectDefinitionRole(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static ObjectDefinitionRole fromValue(String value) {
        for (ObjectDefinitionRole role : values()) {
            if (role.value.equals(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException(value);
    }
}
