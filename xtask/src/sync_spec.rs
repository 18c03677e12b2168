//! The incremental sync fields of the catalog (`ObjectSpec::change_field`,
//! `ObjectSpec::environment_field`) checked against Connect's OpenAPI spec itself.

use crate::profiles::{Field, list_fields, load_spec};
use connect_catalog::{self as catalog, Action};
use std::sync::LazyLock;

static SPEC: LazyLock<serde_json::Value> = LazyLock::new(|| load_spec().expect("the spec"));

/// The spec's filter on `field` (an RQL path) of an object's List endpoint.
fn spec_field(object: &catalog::ObjectSpec, field: &str) -> Option<Field> {
    let list = object.action(Action::List)?;
    list_fields(&SPEC, list)
        .expect("List endpoint in the spec")
        .into_iter()
        .find(|f| f.name.split('/').eq(field.split('.')))
}

/// Usable for Changed Since: a `ge` lookup and ordering.
fn usable(f: &Field) -> bool {
    f.lookups.iter().any(|l| l == "ge") && f.sortable
}

#[test]
fn every_changed_since_field_has_ge_and_ordering_in_the_spec() {
    let mut with = 0;
    for o in catalog::objects_for(Action::List) {
        match o.change_field() {
            Ok(c) => {
                let f = spec_field(o, c.filter)
                    .unwrap_or_else(|| panic!("{}: the spec has no filter {}", o.id, c.filter));
                assert!(
                    f.lookups.iter().any(|l| l == "ge"),
                    "{}: the spec offers no ge on {} ({:?})",
                    o.id,
                    c.filter,
                    f.lookups
                );
                assert!(
                    f.sortable,
                    "{}: the spec offers no ordering on {}",
                    o.id, c.filter
                );
                with += 1;
            }
            Err(_) if o.action(Action::List).is_some_and(|a| a.is_generic()) => {}
            Err(why) => {
                // Nothing usable was overlooked: no last-modified or creation time filter of the
                // object offers both.
                for name in [
                    "updated",
                    "events.updated.at",
                    "created",
                    "events.created.at",
                ] {
                    assert!(
                        !spec_field(o, name).is_some_and(|f| usable(&f)),
                        "{}: {name} is usable but the catalog says: {why}",
                        o.id
                    );
                }
            }
        }
    }
    assert_eq!(with, 12);
}

#[test]
fn a_last_modified_field_is_chosen_wherever_the_spec_allows_one() {
    for o in catalog::objects_for(Action::List) {
        let Ok(c) = o.change_field() else { continue };
        if c.kind == catalog::ChangeKind::Created {
            for name in ["updated", "events.updated.at"] {
                assert!(
                    !spec_field(o, name).is_some_and(|f| usable(&f)),
                    "{}: {name} has ge and ordering; use it instead of the creation time",
                    o.id
                );
            }
        }
    }
}

#[test]
fn every_environment_field_is_filterable_with_eq_in_the_spec() {
    for o in catalog::objects_for(Action::List) {
        if let Some(field) = o.environment_field() {
            let f = spec_field(o, field)
                .unwrap_or_else(|| panic!("{}: the spec has no filter {field}", o.id));
            assert!(f.lookups.iter().any(|l| l == "eq"), "{}: {field}", o.id);
        } else if !o.action(Action::List).is_some_and(|a| a.is_generic()) {
            for name in ["connection.type", "asset.connection.type", "environment"] {
                assert!(
                    spec_field(o, name).is_none(),
                    "{}: the spec offers {name}; name it as the environment field",
                    o.id
                );
            }
        }
    }
}
