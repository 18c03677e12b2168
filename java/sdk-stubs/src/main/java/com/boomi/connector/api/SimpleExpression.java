// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

public class SimpleExpression extends Expression {
    private static final long serialVersionUID = 1L;

    private final ArrayList<String> arguments = new ArrayList<String>();
    private String operator;
    private String property;

    public List<String> getArguments() {
        return arguments;
    }

    public String getOperator() {
        return operator;
    }

    public void setOperator(String operator) {
        this.operator = operator;
    }

    public String getProperty() {
        return property;
    }

    public void setProperty(String property) {
        this.property = property;
    }

    public SimpleExpression withArguments(String... values) {
        return withArguments(Arrays.asList(values));
    }

    public SimpleExpression withArguments(Collection<String> values) {
        arguments.addAll(values);
        return this;
    }

    public SimpleExpression withOperator(String operator) {
        setOperator(operator);
        return this;
    }

    public SimpleExpression withProperty(String property) {
        setProperty(property);
        return this;
    }

    @Override
    public Expression copy(boolean deep) {
        return new SimpleExpression().withProperty(property).withOperator(operator).withArguments(arguments);
    }
}
