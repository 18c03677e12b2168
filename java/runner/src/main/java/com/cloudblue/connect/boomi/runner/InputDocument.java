package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.QueryFilter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One document going into an operation: a body, an object id or a query filter, plus its properties. */
public final class InputDocument {
    final byte[] data;
    final String objectId;
    final QueryFilter filter;
    final Map<String, String> dynamicProperties = new LinkedHashMap<String, String>();
    final Map<String, String> userDefinedProperties = new LinkedHashMap<String, String>();

    private InputDocument(byte[] data, String objectId, QueryFilter filter) {
        this.data = data;
        this.objectId = objectId;
        this.filter = filter;
    }

    /** A CREATE, UPDATE, UPSERT or EXECUTE document. */
    public static InputDocument data(byte[] body) {
        return new InputDocument(body.clone(), null, null);
    }

    public static InputDocument data(String body) {
        return data(body.getBytes(StandardCharsets.UTF_8));
    }

    /** A GET or DELETE document. */
    public static InputDocument objectId(String id) {
        return new InputDocument(null, id, null);
    }

    /** The QUERY input; {@code null} means no filter. */
    public static InputDocument filter(QueryFilter filter) {
        return new InputDocument(null, null, filter == null ? new QueryFilter() : filter);
    }

    /** A connector document property ({@code <dynamicProperty>}). */
    public InputDocument dynamicProperty(String key, String value) {
        dynamicProperties.put(key, value);
        return this;
    }

    public InputDocument dynamicProperties(Map<String, String> values) {
        dynamicProperties.putAll(values);
        return this;
    }

    public InputDocument userDefinedProperty(String key, String value) {
        userDefinedProperties.put(key, value);
        return this;
    }
}
