package com.cloudblue.connect.boomi;

import com.boomi.connector.api.BrowseContext;
import com.boomi.connector.api.ConnectionTester;
import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.ContentType;
import com.boomi.connector.api.FieldSpecField;
import com.boomi.connector.api.ObjectDefinition;
import com.boomi.connector.api.ObjectDefinitionRole;
import com.boomi.connector.api.ObjectDefinitions;
import com.boomi.connector.api.ObjectType;
import com.boomi.connector.api.ObjectTypes;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/** Object types and profiles come from the Rust catalog; the connection test is one Connect call. */
final class ConnectBrowser implements ConnectionTester {
    private static final Logger LOG = Logger.getLogger(ConnectBrowser.class.getName());

    private final BrowseContext context;

    ConnectBrowser(BrowseContext context) {
        this.context = context;
    }

    @Override
    public ObjectTypes getObjectTypes() {
        Wire.Frame frame = browse(Requests.browseTypes(context));
        ObjectTypes types = new ObjectTypes();
        for (Wire.TypeEntry entry : frame.objectTypes()) {
            ObjectType type = new ObjectType().withId(entry.id).withLabel(entry.label);
            if (!entry.helpText.isEmpty()) {
                type.setHelpText(entry.helpText);
            }
            types.getTypes().add(type);
        }
        return types;
    }

    /** One definition per requested role, in the requested order, as Boomi requires. */
    @Override
    public ObjectDefinitions getObjectDefinitions(String objectTypeId, Collection<ObjectDefinitionRole> roles) {
        Wire.Frame frame = browse(Requests.browseDefinitions(context, objectTypeId, roles));
        List<Wire.Definition> found = frame.definitions();
        ObjectDefinitions definitions = new ObjectDefinitions();
        for (ObjectDefinitionRole role : roles) {
            Wire.Definition match = null;
            for (Wire.Definition d : found) {
                if (d.role.equalsIgnoreCase(role.name())) {
                    match = d;
                    break;
                }
            }
            if (match == null) {
                throw new ConnectorException("INTERNAL", "The native library returned no " + role
                        + " profile for object type " + objectTypeId + ".");
            }
            definitions.getDefinitions().add(definition(match));
        }
        return definitions;
    }

    private static ObjectDefinition definition(Wire.Definition d) {
        ObjectDefinition def = new ObjectDefinition()
                .withInputType(contentType(d.inputType))
                .withOutputType(contentType(d.outputType));
        if (!d.jsonSchema.isEmpty()) {
            def.setJsonSchema(d.jsonSchema);
        }
        if (!d.cookie.isEmpty()) {
            def.setCookie(d.cookie);
        }
        // Selected by default: an unset flag means "not selected" after Import, and every field
        // of a Connect record comes back whatever is selected.
        for (Wire.Field f : d.fields) {
            def.getFieldSpecFields().add(new FieldSpecField().withName(f.name).withType(f.type)
                    .withFilterable(f.filterable).withSortable(f.sortable).withSelectable(f.selectable)
                    .withSelected(Boolean.TRUE));
        }
        return def;
    }

    private static ContentType contentType(String wire) {
        String v = wire.toLowerCase(Locale.ROOT);
        if (v.equals("none")) {
            return ContentType.NONE;
        } else if (v.equals("binary")) {
            return ContentType.BINARY;
        } else if (v.equals("json")) {
            return ContentType.JSON;
        }
        throw Wire.malformed("unknown profile content type '" + wire + "'");
    }

    /**
     * Boomi shows the exception text in the UI, so failures carry the Rust message (which names the
     * cause: authentication, unreachable host, TLS, wrong endpoint) and never the token.
     */
    @Override
    public void testConnection() {
        long client = 0;
        try {
            client = NativeHandles.openClient(context, LOG);
            Wire.Frame frame = Wire.parse(Native.testConnection(client));
            Frames.log(frame, LOG);
            LOG.info(frame.message());
        } catch (RuntimeException e) {
            throw Frames.toConnectorException(e);
        } finally {
            if (client != 0) {
                NativeHandles.closeClient(client, LOG);
            }
        }
    }

    private static Wire.Frame browse(byte[] request) {
        try {
            Wire.Frame frame = Wire.parse(Native.browse(request));
            Frames.log(frame, LOG);
            return frame;
        } catch (RuntimeException e) {
            throw Frames.toConnectorException(e);
        }
    }
}
