// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

public class GroupingExpression extends Expression {
    private static final long serialVersionUID = 1L;

    private final ArrayList<Expression> nestedExpressions = new ArrayList<Expression>();
    private GroupingOperator operator;

    public List<Expression> getNestedExpressions() {
        return nestedExpressions;
    }

    public GroupingOperator getOperator() {
        return operator;
    }

    public void setOperator(GroupingOperator operator) {
        this.operator = operator;
    }

    public GroupingExpression withNestedExpressions(Expression... values) {
        return withNestedExpressions(Arrays.asList(values));
    }

    public GroupingExpression withNestedExpressions(Collection<? extends Expression> values) {
        nestedExpressions.addAll(values);
        return this;
    }

    public GroupingExpression withOperator(GroupingOperator operator) {
        setOperator(operator);
        return this;
    }

    @Override
    public Expression copy(boolean deep) {
        GroupingExpression copy = new GroupingExpression().withOperator(operator);
        for (Expression nested : nestedExpressions) {
            copy.nestedExpressions.add(deep && nested != null ? nested.copy(true) : nested);
        }
        return copy;
    }
}
