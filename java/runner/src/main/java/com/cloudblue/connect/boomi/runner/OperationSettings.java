package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.AtomProxyConfig;
import com.boomi.connector.api.ObjectDefinitionRole;
import com.boomi.connector.api.OperationType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Boomi process step fixes before any document arrives: the operation (type, custom action,
 * object type), its connection and operation settings, selected fields and profile cookies.
 * Fluent and mutable, like the SDK's test kit contexts.
 */
public final class OperationSettings {
    private final OperationType operationType;
    private final String objectTypeId;
    private String customOperationType;
    private final Map<String, Object> connection = new LinkedHashMap<String, Object>();
    private final Map<String, Object> properties = new LinkedHashMap<String, Object>();
    private final Map<ObjectDefinitionRole, String> cookies =
            new EnumMap<ObjectDefinitionRole, String>(ObjectDefinitionRole.class);
    private List<String> selectedFields;
    private AtomProxyConfig proxy;

    public OperationSettings(OperationType operationType, String objectTypeId) {
        this.operationType = operationType;
        this.objectTypeId = objectTypeId;
    }

    /**
     * The Connector Action the way the catalog names it: {@code LIST} is QUERY; GET, CREATE, UPDATE,
     * UPSERT and DELETE are their own types; anything else is EXECUTE with that custom type id.
     */
    public static OperationSettings forAction(String action, String objectTypeId) {
        String a = action.trim();
        if (a.equalsIgnoreCase("LIST") || a.equalsIgnoreCase("QUERY")) {
            return new OperationSettings(OperationType.QUERY, objectTypeId);
        }
        for (OperationType t : new OperationType[] {OperationType.GET, OperationType.CREATE, OperationType.UPDATE,
            OperationType.UPSERT, OperationType.DELETE}) {
            if (a.equalsIgnoreCase(t.name())) {
                return new OperationSettings(t, objectTypeId);
            }
        }
        return new OperationSettings(OperationType.EXECUTE, objectTypeId).customOperationType(a);
    }

    public OperationSettings customOperationType(String id) {
        this.customOperationType = id;
        return this;
    }

    public OperationSettings connection(String key, Object value) {
        connection.put(key, value);
        return this;
    }

    public OperationSettings connection(Map<String, ?> values) {
        connection.putAll(values);
        return this;
    }

    public OperationSettings property(String key, Object value) {
        properties.put(key, value);
        return this;
    }

    public OperationSettings properties(Map<String, ?> values) {
        properties.putAll(values);
        return this;
    }

    public OperationSettings selectedFields(List<String> fields) {
        this.selectedFields = fields == null ? null : new ArrayList<String>(fields);
        return this;
    }

    public OperationSettings cookie(ObjectDefinitionRole role, String cookie) {
        cookies.put(role, cookie);
        return this;
    }

    /** The Atom's proxy ({@code AtomConfig.getProxyConfig()}); {@code null} = no proxy. */
    public OperationSettings proxy(AtomProxyConfig proxy) {
        this.proxy = proxy;
        return this;
    }

    public AtomProxyConfig proxy() {
        return proxy;
    }

    public OperationType operationType() {
        return operationType;
    }

    public String objectTypeId() {
        return objectTypeId;
    }

    public String customOperationType() {
        return customOperationType;
    }

    public Map<String, Object> connection() {
        return connection;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public List<String> selectedFields() {
        return selectedFields;
    }

    public Map<ObjectDefinitionRole, String> cookies() {
        return cookies;
    }
}
