package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.OperationType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The fields of {@code META-INF/connector-descriptor.xml}, used the way the Atom's UI uses them: a
 * field's type decides the Java type of its value (integer → Long, boolean → Boolean, else String)
 * and a field the user left alone carries its {@code defaultValue}.
 */
final class Descriptor {
    /** A field's type and default. */
    static final class Field {
        final String type;
        final String defaultValue;

        Field(String type, String defaultValue) {
            this.type = type;
            this.defaultValue = defaultValue;
        }
    }

    private static final class OperationEntry {
        final Set<OperationType> types;
        final String customTypeId;
        final Map<String, Field> fields;

        OperationEntry(Set<OperationType> types, String customTypeId, Map<String, Field> fields) {
            this.types = types;
            this.customTypeId = customTypeId;
            this.fields = fields;
        }
    }

    private final Map<String, Field> connectionFields;
    private final List<OperationEntry> operations;

    private Descriptor(Map<String, Field> connectionFields, List<OperationEntry> operations) {
        this.connectionFields = connectionFields;
        this.operations = operations;
    }

    /** An empty descriptor: values pass through unchanged. */
    static Descriptor none() {
        return new Descriptor(new LinkedHashMap<String, Field>(), new ArrayList<OperationEntry>());
    }

    static Descriptor parse(InputStream xml) throws IOException {
        Element root = Xml.parse(xml).getDocumentElement();
        Map<String, Field> connection = fields(root);
        List<OperationEntry> operations = new ArrayList<OperationEntry>();
        for (Element op : children(root, "operation")) {
            String custom = op.getAttribute("customTypeId");
            operations.add(new OperationEntry(OperationType.typesFromConfig(op.getAttribute("types")),
                    custom.isEmpty() ? null : custom, fields(op)));
        }
        return new Descriptor(connection, operations);
    }

    Map<String, Object> connection(Map<String, Object> given) {
        return apply(connectionFields, given);
    }

    Map<String, Object> operation(OperationSettings settings) {
        Map<String, Field> fields = new LinkedHashMap<String, Field>();
        for (OperationEntry op : operations) {
            boolean customMatches = op.customTypeId == null
                    || op.customTypeId.equals(settings.customOperationType());
            if (op.types.contains(settings.operationType()) && customMatches) {
                fields.putAll(op.fields);
            }
        }
        return apply(fields, settings.properties());
    }

    private static Map<String, Object> apply(Map<String, Field> fields, Map<String, Object> given) {
        Map<String, Object> out = new LinkedHashMap<String, Object>();
        for (Map.Entry<String, Field> f : fields.entrySet()) {
            if (!given.containsKey(f.getKey()) && f.getValue().defaultValue != null) {
                out.put(f.getKey(), typed(f.getKey(), f.getValue().type, f.getValue().defaultValue));
            }
        }
        for (Map.Entry<String, Object> e : given.entrySet()) {
            Field f = fields.get(e.getKey());
            Object v = e.getValue();
            out.put(e.getKey(), f != null && v instanceof String ? typed(e.getKey(), f.type, (String) v) : v);
        }
        return out;
    }

    private static Object typed(String id, String type, String value) {
        if (type.equals("integer")) {
            try {
                return Long.valueOf(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("field " + id + " is an integer field, not '" + value + "'", e);
            }
        }
        if (type.equals("boolean")) {
            return Boolean.valueOf(value.trim());
        }
        return value;
    }

    private static Map<String, Field> fields(Element parent) {
        Map<String, Field> fields = new LinkedHashMap<String, Field>();
        for (Element field : children(parent, "field")) {
            List<Element> dflt = children(field, "defaultValue");
            fields.put(field.getAttribute("id"), new Field(field.getAttribute("type"),
                    dflt.isEmpty() ? null : dflt.get(0).getTextContent()));
        }
        return fields;
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<Element>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element && name.equals(localName((Element) n))) {
                out.add((Element) n);
            }
        }
        return out;
    }

    private static String localName(Element e) {
        return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    }

    /** XML parsing with DTDs and external entities off: archive files are input, not trusted code. */
    static final class Xml {
        private Xml() {
        }

        static Document parse(InputStream in) throws IOException {
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setNamespaceAware(true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
                f.setExpandEntityReferences(false);
                DocumentBuilder b = f.newDocumentBuilder();
                return b.parse(in);
            } catch (ParserConfigurationException | SAXException e) {
                throw new IOException("invalid XML: " + e.getMessage(), e);
            }
        }
    }
}
