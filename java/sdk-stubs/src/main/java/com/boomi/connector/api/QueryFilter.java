// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

public class QueryFilter {
    private Expression expression;
    private final List<Sort> sort = new ArrayList<Sort>();

    public Expression getExpression() {
        return expression;
    }

    public void setExpression(Expression expression) {
        this.expression = expression;
    }

    public List<Sort> getSort() {
        return sort;
    }

    public QueryFilter withExpression(Expression expression) {
        setExpression(expression);
        return this;
    }

    /** The expression, or {@link Expression#EMPTY_INSTANCE} (never null), as in SDK 2.3.0. */
    public Expression safeGetExpression() {
        return expression == null ? Expression.EMPTY_INSTANCE : expression;
    }

    public QueryFilter withSort(Sort... values) {
        return withSort(Arrays.asList(values));
    }

    public QueryFilter withSort(Collection<? extends Sort> values) {
        sort.addAll(values);
        return this;
    }
}
