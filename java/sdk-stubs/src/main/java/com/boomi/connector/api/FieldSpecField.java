// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

public class FieldSpecField {
    private String name;
    private String type;
    private String typeNamespace;
    private Boolean filterable;
    private Boolean sortable;
    private Boolean selectable;
    private Boolean selected;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public FieldSpecField withName(String name) {
        setName(name);
        return this;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public FieldSpecField withType(String type) {
        setType(type);
        return this;
    }

    public String getTypeNamespace() {
        return typeNamespace;
    }

    public void setTypeNamespace(String typeNamespace) {
        this.typeNamespace = typeNamespace;
    }

    public FieldSpecField withTypeNamespace(String typeNamespace) {
        setTypeNamespace(typeNamespace);
        return this;
    }

    public Boolean isFilterable() {
        return filterable;
    }

    public void setFilterable(Boolean filterable) {
        this.filterable = filterable;
    }

    public FieldSpecField withFilterable(Boolean filterable) {
        setFilterable(filterable);
        return this;
    }

    public Boolean isSortable() {
        return sortable;
    }

    public void setSortable(Boolean sortable) {
        this.sortable = sortable;
    }

    public FieldSpecField withSortable(Boolean sortable) {
        setSortable(sortable);
        return this;
    }

    public Boolean isSelectable() {
        return selectable;
    }

    public void setSelectable(Boolean selectable) {
        this.selectable = selectable;
    }

    public FieldSpecField withSelectable(Boolean selectable) {
        setSelectable(selectable);
        return this;
    }

    /** JAXB default for the attribute: not selected. */
    public boolean isSelected() {
        return selected != null && selected;
    }

    public void setSelected(Boolean selected) {
        this.selected = selected;
    }

    public FieldSpecField withSelected(Boolean selected) {
        setSelected(selected);
        return this;
    }
}
