//! Windows (MinGW) builds only: hands the linker a module-definition file that exports every
//! JNI entry point of `src/lib.rs`.
//!
//! rustc lists a cdylib's exports in a `.def` file passed as `-Wl,<path>/list.def`. zig's linker
//! (cargo-zigbuild, which `cargo xtask dist` links with) does not take a `.def` file that way, so
//! cargo-zigbuild drops it. The DLL then exports either only what C dependencies mark
//! `__declspec(dllexport)` (`System.load` succeeds and the first native call fails with
//! `UnsatisfiedLinkError`) or, when nothing is marked, every symbol (MinGW's auto-export: 21,641
//! names, a 9.8 MiB DLL). zig does read a `.def` file given as a plain input, which is what this
//! passes; with MinGW's GNU ld the same file is simply read again.

use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-changed=src/lib.rs");
    let windows_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if !windows_gnu {
        return;
    }
    let source = std::fs::read_to_string("src/lib.rs").expect("reading src/lib.rs");
    let mut def = String::from("EXPORTS\n");
    for piece in source.split("fn Java_").skip(1) {
        let name: String = piece
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        writeln!(def, "    Java_{name}").expect("writing to a String");
    }
    assert!(def.lines().count() > 1, "src/lib.rs defines no `fn Java_…`");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("jni.def");
    std::fs::write(&path, def).expect("writing jni.def");
    println!("cargo:rustc-cdylib-link-arg={}", path.display());
}
