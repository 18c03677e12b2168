//! Checks over the built connector archive that Boomi would refuse, or that would fail only on a
//! customer's Atom, caught here instead (the checks: `system_tests::archive`). One #[test] per
//! check, against the archive [`system_tests::archive()`] names.

use std::sync::OnceLock;
use system_tests::archive::{self, Car};

/// The archive, read once for all the checks.
fn car() -> &'static Car {
    static CAR: OnceLock<Car> = OnceLock::new();
    CAR.get_or_init(|| {
        let path = system_tests::archive();
        let car = Car::read(&path).unwrap_or_else(|e| panic!("{e:#}"));
        println!("archive {} ({} bytes)", path.display(), car.size);
        car
    })
}

fn check(outcome: anyhow::Result<()>) {
    if let Err(e) = outcome {
        panic!("{e:#}");
    }
}

#[test]
fn layout() {
    check(archive::layout(car()));
}

#[test]
fn size_under_boomi_limit() {
    check(archive::size_under_limit(car()));
}

#[test]
fn descriptor_matches_catalog() {
    check(archive::descriptor_matches_catalog(
        car(),
        &codegen::descriptor::render(),
    ));
}

#[test]
fn connector_class_implements_connector() {
    check(archive::connector_class(car()));
}

#[test]
fn java_8_bytecode() {
    check(archive::java_8_bytecode(car()));
}

#[test]
fn no_boomi_classes() {
    check(archive::no_boomi_classes(car()));
}

#[test]
fn native_access_manifest() {
    check(archive::native_access_manifest(car()));
}

#[test]
fn native_library_per_platform() {
    check(archive::native_libraries(car()));
}

#[test]
fn native_library_size() {
    check(archive::native_library_sizes(car()));
}
