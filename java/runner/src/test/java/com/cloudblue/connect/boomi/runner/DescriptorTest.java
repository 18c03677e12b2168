package com.cloudblue.connect.boomi.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DescriptorTest {
    private static final String XML = "<?xml version=\"1.0\"?>\n<GenericConnectorDescriptor>"
            + "<field id=\"endpoint\" type=\"string\"><defaultValue>https://api/public/v1</defaultValue></field>"
            + "<field id=\"maxAttempts\" type=\"integer\"><defaultValue>4</defaultValue></field>"
            + "<field id=\"apiToken\" type=\"password\"/>"
            + "<operation types=\"QUERY\"><field id=\"pageSize\" type=\"integer\"><defaultValue>100</defaultValue></field>"
            + "<field id=\"verbose\" type=\"boolean\"/></operation>"
            + "<operation types=\"EXECUTE\" customTypeId=\"APPROVE\"><field id=\"template\" type=\"string\">"
            + "<defaultValue>TL-1</defaultValue></field></operation>"
            + "</GenericConnectorDescriptor>";

    private static Descriptor descriptor() throws IOException {
        return Descriptor.parse(new ByteArrayInputStream(XML.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void typesTextValuesAndFillsDefaultsLikeTheAtomUi() throws IOException {
        Map<String, Object> given = new LinkedHashMap<String, Object>();
        given.put("maxAttempts", "2");
        given.put("apiToken", "ApiKey SU-1:x");
        Map<String, Object> expected = new LinkedHashMap<String, Object>();
        expected.put("endpoint", "https://api/public/v1");
        expected.put("maxAttempts", 2L);
        expected.put("apiToken", "ApiKey SU-1:x");
        assertEquals(expected, descriptor().connection(given));

        Map<String, Object> query = descriptor().operation(OperationSettings.forAction("LIST", "REQUEST")
                .property("verbose", "true"));
        assertEquals(100L, query.get("pageSize"));
        assertEquals(Boolean.TRUE, query.get("verbose"));
        assertEquals(null, query.get("template"));
        assertEquals("TL-1", descriptor().operation(OperationSettings.forAction("APPROVE", "REQUEST")).get("template"));
        assertEquals(null, descriptor().operation(OperationSettings.forAction("REJECT", "REQUEST")).get("template"));
    }

    @Test
    void rejectsTextThatIsNoIntegerAndDoctypes() {
        assertThrows(IllegalArgumentException.class, () -> descriptor()
                .operation(OperationSettings.forAction("LIST", "REQUEST").property("pageSize", "many")));
        String evil = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
        assertThrows(IOException.class,
                () -> Descriptor.parse(new ByteArrayInputStream(evil.getBytes(StandardCharsets.UTF_8))));
    }
}
