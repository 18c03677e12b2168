package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.PayloadMetadata;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Metadata from {@code createMetadata()}; the response reads it back from ExtendedPayloads. */
final class RunnerPayloadMetadata implements PayloadMetadata {
    private final Map<String, String> tracked = new LinkedHashMap<String, String>();
    private final Map<String, String> userDefined = new LinkedHashMap<String, String>();

    @Override
    public void setTrackedProperty(String name, String value) {
        tracked.put(name, value);
    }

    @Override
    public void setUserDefinedProperty(String name, String value) {
        userDefined.put(name, value);
    }

    Map<String, String> tracked() {
        return Collections.unmodifiableMap(tracked);
    }

    Map<String, String> userDefined() {
        return Collections.unmodifiableMap(userDefined);
    }
}
