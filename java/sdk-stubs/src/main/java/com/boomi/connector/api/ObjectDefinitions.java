// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

public class ObjectDefinitions {
    private final List<ObjectDefinition> definitions = new ArrayList<ObjectDefinition>();

    /** The live list, as JAXB-generated classes return it. */
    public List<ObjectDefinition> getDefinitions() {
        return definitions;
    }

    public ObjectDefinitions withDefinitions(ObjectDefinition... values) {
        return withDefinitions(Arrays.asList(values));
    }

    public ObjectDefinitions withDefinitions(Collection<? extends ObjectDefinition> values) {
        definitions.addAll(values);
        return this;
    }
}
