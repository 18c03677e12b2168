// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

public class ObjectTypes {
    private final List<ObjectType> types = new ArrayList<ObjectType>();
    private Integer totalCount;

    /** The live list, as JAXB-generated classes return it. */
    public List<ObjectType> getTypes() {
        return types;
    }

    public Integer getTotalCount() {
        return totalCount;
    }

    public void setTotalCount(Integer totalCount) {
        this.totalCount = totalCount;
    }

    public ObjectTypes withTypes(ObjectType... values) {
        return withTypes(Arrays.asList(values));
    }

    public ObjectTypes withTypes(Collection<? extends ObjectType> values) {
        types.addAll(values);
        return this;
    }

    public ObjectTypes withTotalCount(Integer totalCount) {
        setTotalCount(totalCount);
        return this;
    }
}
