// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.w3c.dom.Element;

/** The extra-schema members of the real class are left out: the project does not use them. */
public class ObjectDefinition {
    private Element schema;
    private String cookie;
    private String jsonSchema;
    private String elementName;
    private ContentType inputType;
    private ContentType outputType;
    private Boolean respectMinOccurs;
    private final List<FieldSpecField> fieldSpecFields = new ArrayList<FieldSpecField>();

    public Element getSchema() {
        return schema;
    }

    public void setSchema(Element schema) {
        this.schema = schema;
    }

    public ObjectDefinition withSchema(Element schema) {
        setSchema(schema);
        return this;
    }

    public String getCookie() {
        return cookie;
    }

    public void setCookie(String cookie) {
        this.cookie = cookie;
    }

    public ObjectDefinition withCookie(String cookie) {
        setCookie(cookie);
        return this;
    }

    public String getJsonSchema() {
        return jsonSchema;
    }

    public void setJsonSchema(String jsonSchema) {
        this.jsonSchema = jsonSchema;
    }

    public ObjectDefinition withJsonSchema(String jsonSchema) {
        setJsonSchema(jsonSchema);
        return this;
    }

    public String getElementName() {
        return elementName;
    }

    public void setElementName(String elementName) {
        this.elementName = elementName;
    }

    public ObjectDefinition withElementName(String elementName) {
        setElementName(elementName);
        return this;
    }

    /** The descriptor schema default is {@code xml}. */
    public ContentType getInputType() {
        return inputType == null ? ContentType.XML : inputType;
    }

    public void setInputType(ContentType inputType) {
        this.inputType = inputType;
    }

    public ObjectDefinition withInputType(ContentType inputType) {
        setInputType(inputType);
        return this;
    }

    public ContentType getOutputType() {
        return outputType == null ? ContentType.XML : outputType;
    }

    public void setOutputType(ContentType outputType) {
        this.outputType = outputType;
    }

    public ObjectDefinition withOutputType(ContentType outputType) {
        setOutputType(outputType);
        return this;
    }

    public List<FieldSpecField> getFieldSpecFields() {
        return fieldSpecFields;
    }

    public ObjectDefinition withFieldSpecFields(FieldSpecField... values) {
        return withFieldSpecFields(Arrays.asList(values));
    }

    public ObjectDefinition withFieldSpecFields(Collection<? extends FieldSpecField> values) {
        fieldSpecFields.addAll(values);
        return this;
    }

    public boolean isRespectMinOccurs() {
        return respectMinOccurs != null && respectMinOccurs;
    }

    public void setRespectMinOccurs(Boolean respectMinOccurs) {
        this.respectMinOccurs = respectMinOccurs;
    }

    public ObjectDefinition withRespectMinOccurs(Boolean respectMinOccurs) {
        setRespectMinOccurs(respectMinOccurs);
        return this;
    }
}
