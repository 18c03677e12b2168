// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Role sets follow the SDK javadoc: GET and QUERY need an OUTPUT profile; CREATE, UPDATE, UPSERT
 * and EXECUTE need INPUT and may have OUTPUT; DELETE needs INPUT and may have OUTPUT, as SDK 2.3.0
 * declares (its test kit still refuses to browse delete profiles: the Atom handles them).
 */
public enum OperationType {
    GET(EnumSet.of(ObjectDefinitionRole.OUTPUT), EnumSet.of(ObjectDefinitionRole.OUTPUT)),
    QUERY(EnumSet.of(ObjectDefinitionRole.OUTPUT), EnumSet.of(ObjectDefinitionRole.OUTPUT)),
    CREATE(EnumSet.allOf(ObjectDefinitionRole.class), EnumSet.of(ObjectDefinitionRole.INPUT)),
    UPDATE(EnumSet.allOf(ObjectDefinitionRole.class), EnumSet.of(ObjectDefinitionRole.INPUT)),
    UPSERT(EnumSet.allOf(ObjectDefinitionRole.class), EnumSet.of(ObjectDefinitionRole.INPUT)),
    DELETE(EnumSet.allOf(ObjectDefinitionRole.class), EnumSet.of(ObjectDefinitionRole.INPUT)),
    EXECUTE(EnumSet.allOf(ObjectDefinitionRole.class), EnumSet.of(ObjectDefinitionRole.INPUT)),
    LISTEN(EnumSet.of(ObjectDefinitionRole.OUTPUT), EnumSet.of(ObjectDefinitionRole.OUTPUT));

    private final Set<ObjectDefinitionRole> supported;
    private final Set<ObjectDefinitionRole> required;

    OperationType(Set<ObjectDefinitionRole> supported, Set<ObjectDefinitionRole> required) {
        this.supported = Collections.unmodifiableSet(supported);
        this.required = Collections.unmodifiableSet(required);
    }

    public Set<ObjectDefinitionRole> getSupportedDefinitionRoles() {
        return supported;
    }

    public Set<ObjectDefinitionRole> getRequiredDefinitionRoles() {
        return required;
    }

    /** Parses the descriptor form {@code "GET|QUERY"}; {@code "*"} means every type. */
    public static Set<OperationType> typesFromConfig(String config) {
        Set<OperationType> types = EnumSet.noneOf(OperationType.class);
        for (String part : config.split("\\|")) {
            String name = part.trim();
            if (name.equals("*")) {
                types.addAll(EnumSet.allOf(OperationType.class));
            } else if (!name.isEmpty()) {
                types.add(valueOfCaseInsensitive(name));
            }
        }
        return types;
    }

    public static String typesToConfig(Collection<OperationType> types) {
        StringBuilder out = new StringBuilder();
        for (OperationType type : types) {
            if (out.length() > 0) {
                out.append('|');
            }
            out.append(type.name());
        }
        return out.toString();
    }

    public static OperationType valueOfCaseInsensitive(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
