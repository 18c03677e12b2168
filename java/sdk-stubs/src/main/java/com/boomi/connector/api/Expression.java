// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.io.Serializable;

public abstract class Expression implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What {@link QueryFilter#safeGetExpression()} returns for a filter without an expression. */
    public static final Expression EMPTY_INSTANCE = new Expression() {
        private static final long serialVersionUID = 1L;

        @Override
        public Expression copy(boolean deep) {
            return this;
        }
    };

    public Expression() {
    }

    public Expression copy() {
        return copy(true);
    }

    public abstract Expression copy(boolean deep);
}
