//! The checks of the `archive` suite (tests/system/tests/archive.rs, one #[test] each): checks over the built connector archive that Boomi would refuse,
//! or that would fail only on a customer's Atom, caught here instead.
//!
//! Each check is one pass or failure: layout, size under Boomi's upload limit, descriptors
//! well formed and consistent with the catalog, the configured connector class present and a
//! `Connector`, Java 8 bytecode, no Boomi classes, the native-access manifest attribute, and a
//! loadable native library for each platform the jar carries (right format and machine, no
//! glibc symbol newer than 2.17, only system libraries needed), each within its 6 MiB target.

use crate::binary::{self, version_key};
use crate::platforms::{GLIBC_FLOOR, PLATFORMS, Platform, max_library_bytes};
use anyhow::{Context, Result, bail, ensure};
use connect_catalog::Action;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

/// Boomi's limit for an uploaded connector archive (40 MB, counted in decimal megabytes so the
/// check errs on the safe side).
const MAX_ARCHIVE_BYTES: u64 = 40_000_000;
/// Class file major version of Java 8: Boomi runtimes may still run Java 8.
const JAVA_8_MAJOR: u16 = 52;
const CONNECTOR_INTERFACE: &str = "com/boomi/connector/api/Connector";

/// Libraries every glibc system has; anything else (libssl, libstdc++) could be missing on an Atom.
const LINUX_SYSTEM_LIBRARIES: &[&str] = &[
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libgcc_s.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
];

/// The archive, read once: its entries and, for each jar inside, the jar's entries.
pub struct Car {
    pub size: u64,
    entries: BTreeMap<String, Vec<u8>>,
    jars: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
}

impl Car {
    pub fn read(path: &std::path::Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let entries = read_zip(bytes)?;
        let mut jars = BTreeMap::new();
        for (name, data) in &entries {
            if name.ends_with(".jar") {
                jars.insert(
                    name.clone(),
                    read_zip(data).with_context(|| format!("reading {name}"))?,
                );
            }
        }
        Ok(Self {
            size: bytes.len() as u64,
            entries,
            jars,
        })
    }

    /// The shim jar (the single jar under `lib/`).
    fn shim(&self) -> Result<(&String, &BTreeMap<String, Vec<u8>>)> {
        let mut jars = self.jars.iter().filter(|(n, _)| n.starts_with("lib/"));
        let first = jars.next().context("no jar under lib/")?;
        ensure!(jars.next().is_none(), "more than one jar under lib/");
        Ok(first)
    }

    fn text(&self, name: &str) -> Result<&str> {
        let data = self
            .entries
            .get(name)
            .with_context(|| format!("{name} is missing"))?;
        std::str::from_utf8(data).with_context(|| format!("{name} is not UTF-8"))
    }
}

/// Every file entry of a zip, by name (directory entries left out).
fn read_zip(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name()?.into_owned();
        if name.ends_with('/') {
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        out.insert(name, data);
    }
    Ok(out)
}

pub fn layout(car: &Car) -> Result<()> {
    let expected: BTreeSet<String> = [
        "META-INF/connector-config.xml".to_string(),
        "META-INF/connector-descriptor.xml".to_string(),
        format!(
            "lib/cloudblue-connect-boomi-{}.jar",
            env!("CARGO_PKG_VERSION")
        ),
    ]
    .into();
    let found: BTreeSet<String> = car.entries.keys().cloned().collect();
    ensure!(
        found == expected,
        "entries {found:?}, expected {expected:?}"
    );
    Ok(())
}

pub fn size_under_limit(car: &Car) -> Result<()> {
    ensure!(
        car.size < MAX_ARCHIVE_BYTES,
        "{} bytes, Boomi accepts at most 40 MB",
        car.size
    );
    Ok(())
}

/// Every element's name and attributes in document order; fails on malformed XML.
fn elements(xml: &str) -> Result<Vec<(String, BTreeMap<String, String>)>> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut depth = 0usize;
    loop {
        match reader.read_event()? {
            event @ (Event::Start(_) | Event::Empty(_)) => {
                let e = match &event {
                    Event::Start(e) => {
                        depth += 1;
                        e
                    }
                    Event::Empty(e) => e,
                    _ => unreachable!("matched above"),
                };
                let mut attrs = BTreeMap::new();
                for a in e.attributes() {
                    let a = a?;
                    attrs.insert(
                        AsRef::<str>::as_ref(&a.key).to_string(),
                        a.normalized_value(XmlVersion::default())?.into_owned(),
                    );
                }
                out.push((AsRef::<str>::as_ref(&e.name()).to_string(), attrs));
            }
            Event::End(_) => depth = depth.checked_sub(1).context("unbalanced end tag")?,
            Event::Eof => break,
            _ => {}
        }
    }
    ensure!(depth == 0, "unclosed element");
    Ok(out)
}

/// `expected`: the descriptor the catalog generates today (`codegen::descriptor::render()`).
pub fn descriptor_matches_catalog(car: &Car, expected: &str) -> Result<()> {
    let xml = car.text("META-INF/connector-descriptor.xml")?;
    let els = elements(xml).context("connector-descriptor.xml is not well formed")?;
    ensure!(
        els.first().map(|(n, _)| n.as_str()) == Some("GenericConnectorDescriptor"),
        "the root element is not GenericConnectorDescriptor"
    );
    let mut seen = BTreeSet::new();
    for (_, attrs) in els.iter().filter(|(n, _)| n == "operation") {
        let types = attrs.get("types").map(String::as_str).unwrap_or_default();
        let custom = attrs.get("customTypeId").map(String::as_str);
        let action = Action::from_boomi(types, custom).with_context(|| {
            format!("operation types={types} customTypeId={custom:?} maps to no catalog action")
        })?;
        ensure!(
            seen.insert(action.id()),
            "two operations for {}",
            action.id()
        );
    }
    let missing: Vec<&str> = Action::ALL
        .iter()
        .map(|a| a.id())
        .filter(|id| !seen.contains(id))
        .collect();
    ensure!(
        missing.is_empty(),
        "catalog actions without an operation: {missing:?}"
    );
    // Stronger still: the archived descriptor is the one the catalog generates today.
    ensure!(
        xml == expected,
        "the archived descriptor differs from the catalog's: run `cargo xtask descriptor`, then dist"
    );
    Ok(())
}

/// connector-config.xml names a class that is in the shim jar and implements Boomi's
/// `Connector` (directly or through its superclasses and interfaces in the jar).
pub fn connector_class(car: &Car) -> Result<()> {
    let config = car.text("META-INF/connector-config.xml")?;
    let els = elements(config).context("connector-config.xml is not well formed")?;
    ensure!(
        els.first().map(|(n, _)| n.as_str()) == Some("GenericConnector"),
        "the root element is not GenericConnector"
    );
    let mut reader = Reader::from_str(config);
    let mut class_name = None;
    let mut inside = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) if AsRef::<str>::as_ref(&e.name()) == "connectorClassName" => {
                inside = true
            }
            Event::Text(t) if inside => {
                class_name = Some(t.xml10_content().trim().to_string());
            }
            Event::End(_) => inside = false,
            Event::Eof => break,
            _ => {}
        }
    }
    let class_name = class_name.context("no <connectorClassName>")?;
    let (_, jar) = car.shim()?;
    let mut pending = vec![class_name.replace('.', "/")];
    let mut visited = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if name == CONNECTOR_INTERFACE {
            return Ok(());
        }
        if !visited.insert(name.clone()) {
            continue;
        }
        let Some(bytes) = jar.get(&format!("{name}.class")) else {
            if visited.len() == 1 {
                bail!("{class_name} is not in the shim jar");
            }
            continue; // A JDK or SDK class other than Connector.
        };
        let class = binary::read_class(bytes).with_context(|| format!("reading {name}"))?;
        ensure!(class.name == name, "{name}.class declares {}", class.name);
        pending.extend(class.interfaces);
        pending.extend(class.super_name);
    }
    bail!("{class_name} does not implement {CONNECTOR_INTERFACE}")
}

pub fn java_8_bytecode(car: &Car) -> Result<()> {
    let mut newer = Vec::new();
    let mut classes = 0;
    for (jar, entries) in &car.jars {
        for (name, data) in entries.iter().filter(|(n, _)| n.ends_with(".class")) {
            classes += 1;
            let class = binary::read_class(data).with_context(|| format!("{jar}!/{name}"))?;
            if class.major > JAVA_8_MAJOR {
                newer.push(format!("{jar}!/{name} (major {})", class.major));
            }
        }
    }
    ensure!(classes > 0, "no class files in the archive's jars");
    ensure!(
        newer.is_empty(),
        "classes newer than Java 8 (major {JAVA_8_MAJOR}): {}",
        newer.join(", ")
    );
    Ok(())
}

/// Names of `com/boomi` entries in a zip and in the jars inside it: the SDK licence forbids
/// shipping them, and the Atom's own copy must not be shadowed.
pub fn boomi_classes(zip_bytes: &[u8]) -> Result<Vec<String>> {
    let car = Car::from_bytes(zip_bytes)?;
    let mut offending: Vec<String> = car
        .entries
        .keys()
        .filter(|n| n.starts_with("com/boomi/"))
        .cloned()
        .collect();
    for (jar, entries) in &car.jars {
        offending.extend(
            entries
                .keys()
                .filter(|n| n.starts_with("com/boomi/"))
                .map(|n| format!("{jar}!/{n}")),
        );
    }
    Ok(offending)
}

pub fn no_boomi_classes(car: &Car) -> Result<()> {
    let mut offending = Vec::new();
    for (name, data) in car.entries.iter().filter(|(n, _)| n.ends_with(".jar")) {
        offending.extend(
            boomi_classes(data)?
                .into_iter()
                .map(|n| format!("{name}!/{n}")),
        );
    }
    offending.extend(
        car.entries
            .keys()
            .filter(|n| n.starts_with("com/boomi/"))
            .cloned(),
    );
    ensure!(
        offending.is_empty(),
        "Boomi SDK classes: {}",
        offending.join(", ")
    );
    Ok(())
}

pub fn native_access_manifest(car: &Car) -> Result<()> {
    let (name, jar) = car.shim()?;
    let manifest = jar
        .get("META-INF/MANIFEST.MF")
        .with_context(|| format!("{name} has no manifest"))?;
    let manifest = String::from_utf8_lossy(manifest);
    ensure!(
        manifest
            .lines()
            .any(|l| l.trim_end() == "Enable-Native-Access: ALL-UNNAMED"),
        "{name}'s manifest lacks `Enable-Native-Access: ALL-UNNAMED`"
    );
    Ok(())
}

/// Each `native/<platform>/<file>` in the shim jar is a platform the build knows, in that
/// platform's binary format and machine, and loads on the oldest systems the README names;
/// the tested platform is always there.
pub fn native_libraries(car: &Car) -> Result<()> {
    let (_, jar) = car.shim()?;
    let mut problems = Vec::new();
    let mut present = BTreeSet::new();
    for (name, data) in jar.iter().filter(|(n, _)| n.starts_with("native/")) {
        let parts: Vec<&str> = name.split('/').collect();
        let platform = PLATFORMS
            .iter()
            .find(|p| parts.get(1) == Some(&p.id) && parts.get(2) == Some(&p.file));
        let Some(platform) = platform.filter(|_| parts.len() == 3) else {
            problems.push(format!(
                "{name}: no such platform/file pair in platforms::PLATFORMS, so no loader looks for it"
            ));
            continue;
        };
        present.insert(platform.id);
        problems.extend(
            library_problems(platform, data, Some(GLIBC_FLOOR))
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    for p in PLATFORMS.iter().filter(|p| p.tested) {
        if !present.contains(p.id) {
            problems.push(format!(
                "no library for {}, the platform the README promises",
                p.id
            ));
        }
    }
    ensure!(problems.is_empty(), "{}", problems.join("; "));
    println!(
        "native libraries for: {}",
        present.into_iter().collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

/// Every native library in the shim jar is within the size target. A check of its own, apart
/// from loadability: a library over it still works, and `dist` does not refuse it.
pub fn native_library_sizes(car: &Car) -> Result<()> {
    let (_, jar) = car.shim()?;
    let problems: Vec<String> = jar
        .iter()
        .filter(|(n, _)| n.starts_with("native/") && !n.ends_with('/'))
        .filter_map(|(name, data)| {
            size_problem(data.len(), max_library_bytes(name)).map(|p| format!("{name}: {p}"))
        })
        .collect();
    ensure!(problems.is_empty(), "{}", problems.join("; "));
    Ok(())
}

fn size_problem(bytes: usize, max: u64) -> Option<String> {
    let mib = 1024.0 * 1024.0;
    (bytes as u64 > max).then(|| {
        format!(
            "{bytes} bytes ({:.2} MiB), over the {:.0} MiB target for a native library; group its \
             symbols by crate (a release build with `strip = false`, `nm -S --size-sort -C`) to \
             see what grew",
            bytes as f64 / mib,
            max as f64 / mib
        )
    })
}

/// The native method the loader calls first (`Native.version()`).
const JNI_FIRST_CALL: &str = "Java_com_cloudblue_connect_boomi_Native_version";
/// What every exported name starts with: the native methods of the one `Native` class.
const JNI_PREFIX: &str = "Java_com_cloudblue_connect_boomi_Native_";

/// The JVM finds native methods by their exported names: a library without them loads and then
/// fails at the first call, and one exporting more ships code no caller can reach (a `pub`
/// item of the core, such as the fuzz checkers, kept alive by the export).
fn export_problems(exports: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    if !exports.iter().any(|e| e == JNI_FIRST_CALL) {
        problems.push(format!(
            "does not export the JNI entry points (no {JNI_FIRST_CALL}; exports {exports:?})"
        ));
    }
    let others: Vec<&String> = exports
        .iter()
        .filter(|e| !e.starts_with(JNI_PREFIX))
        .collect();
    if !others.is_empty() {
        problems.push(format!(
            "exports more than the JNI entry points: {others:?}"
        ));
    }
    problems
}

/// What would stop `bytes` from loading on the platform's oldest supported system.
/// `glibc_floor`: the newest glibc the library may need (`None`: any, for a host-linked build).
pub fn library_problems(
    platform: &Platform,
    bytes: &[u8],
    glibc_floor: Option<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    if platform.id.starts_with("linux-") {
        let elf = match binary::read_elf(bytes) {
            Ok(elf) => elf,
            Err(e) => return vec![format!("{e:#}")],
        };
        let machine = match platform.id {
            "linux-x86_64" => binary::EM_X86_64,
            _ => binary::EM_AARCH64,
        };
        if elf.machine != machine {
            problems.push(format!("ELF machine {}, expected {machine}", elf.machine));
        }
        if let (Some(needs), Some(floor)) = (elf.glibc_floor(), glibc_floor)
            && version_key(&needs) > version_key(floor)
        {
            problems.push(format!(
                "needs glibc {needs}, newer than {floor}; the connector's floor is \
                 {GLIBC_FLOOR} (RHEL 7, Amazon Linux 2): build with the default `cargo xtask \
                 dist`, not --native"
            ));
        }
        let foreign: Vec<&String> = elf
            .needed
            .iter()
            .filter(|n| !LINUX_SYSTEM_LIBRARIES.contains(&n.as_str()))
            .collect();
        if !foreign.is_empty() {
            problems.push(format!("needs non-system libraries {foreign:?}"));
        }
        problems.extend(export_problems(&elf.exports));
    } else {
        let pe = match binary::read_pe(bytes) {
            Ok(pe) => pe,
            Err(e) => return vec![format!("{e:#}")],
        };
        if pe.machine != binary::IMAGE_FILE_MACHINE_AMD64 || !pe.is_dll {
            problems.push(format!(
                "not an x86-64 DLL (machine {:#x}, dll {})",
                pe.machine, pe.is_dll
            ));
        }
        // MinGW's runtime DLLs (libgcc_s_seh-1.dll, libwinpthread-1.dll) are not on a Windows
        // server; system DLLs never start with "lib".
        let foreign: Vec<&String> = pe
            .imports
            .iter()
            .filter(|n| n.to_ascii_lowercase().starts_with("lib"))
            .collect();
        if !foreign.is_empty() {
            problems.push(format!("imports non-system DLLs {foreign:?}"));
        }
        problems.extend(export_problems(&pe.exports));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::{MAX_LIBRARY_BYTES, MAX_WINDOWS_LIBRARY_BYTES};
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, data) in entries {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    }

    /// `class <name> implements <iface>` with the given major version.
    fn class(major: u16, name: &str, iface: &str) -> Vec<u8> {
        let mut b = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0];
        b.extend(major.to_be_bytes());
        b.extend(7u16.to_be_bytes());
        for (i, s) in [name, "java/lang/Object", iface].iter().enumerate() {
            b.push(1);
            b.extend(u16::try_from(s.len()).unwrap().to_be_bytes());
            b.extend(s.as_bytes());
            b.extend([7, 0, u8::try_from(2 * i + 1).unwrap()]);
        }
        b.extend([0, 0x21, 0, 2, 0, 4, 0, 1, 0, 6]);
        b
    }

    fn car_with(jar: &[(&str, &[u8])]) -> Car {
        let config = b"<?xml version=\"1.0\"?><GenericConnector sdkApiVersion=\"2.3.0\">\
            <connectorClassName>p.C</connectorClassName></GenericConnector>";
        let jar = zip_of(jar);
        let car = zip_of(&[
            ("META-INF/connector-config.xml", config),
            ("lib/shim.jar", &jar),
        ]);
        Car::from_bytes(&car).unwrap()
    }

    #[test]
    fn a_library_exports_the_jni_entry_points_and_nothing_else() {
        let jni = |m: &str| format!("{JNI_PREFIX}{m}");
        assert!(export_problems(&[jni("version"), jni("execute")]).is_empty());
        let missing = export_problems(&[jni("execute")]);
        assert!(
            missing[0].contains("does not export the JNI entry points"),
            "{missing:?}"
        );
        let more = export_problems(&[jni("version"), "fuzz_rql".to_owned()]);
        assert_eq!(more.len(), 1, "{more:?}");
        assert!(more[0].contains("\"fuzz_rql\""), "{more:?}");
    }

    #[test]
    fn bytecode_newer_than_java_8_fails() {
        let ok = class(52, "p/C", CONNECTOR_INTERFACE);
        let new = class(61, "p/D", "p/I");
        assert!(java_8_bytecode(&car_with(&[("p/C.class", &ok)])).is_ok());
        let err = java_8_bytecode(&car_with(&[("p/C.class", &ok), ("p/D.class", &new)]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("p/D.class (major 61)"), "{err}");
    }

    #[test]
    fn connector_class_is_found_through_its_interfaces() {
        let direct = class(52, "p/C", CONNECTOR_INTERFACE);
        assert!(connector_class(&car_with(&[("p/C.class", &direct)])).is_ok());
        // p.C implements p.Base, which implements Connector.
        let via = class(52, "p/C", "p/Base");
        let base = class(52, "p/Base", CONNECTOR_INTERFACE);
        assert!(
            connector_class(&car_with(&[("p/C.class", &via), ("p/Base.class", &base)])).is_ok()
        );
        let other = class(52, "p/C", "java/lang/Runnable");
        let err = connector_class(&car_with(&[("p/C.class", &other)])).unwrap_err();
        assert!(err.to_string().contains("does not implement"), "{err}");
        let err = connector_class(&car_with(&[("p/X.class", &direct)])).unwrap_err();
        assert!(err.to_string().contains("not in the shim jar"), "{err}");
    }

    #[test]
    fn boomi_classes_are_found_inside_jars() {
        let jar = zip_of(&[
            ("com/boomi/connector/api/Connector.class", b"x"),
            ("p/C.class", b"y"),
        ]);
        let car = zip_of(&[("lib/shim.jar", &jar)]);
        assert_eq!(
            boomi_classes(&car).unwrap(),
            ["lib/shim.jar!/com/boomi/connector/api/Connector.class"]
        );
        assert!(no_boomi_classes(&Car::from_bytes(&car).unwrap()).is_err());
    }

    #[test]
    fn unknown_or_broken_native_libraries_fail() {
        let err = native_libraries(&car_with(&[
            (
                "native/linux-x86_64/libcloudblue_connect_boomi.so",
                b"not elf",
            ),
            ("native/sunos-sparc/libcloudblue_connect_boomi.so", b"x"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("not an ELF file"), "{err}");
        assert!(err.contains("native/sunos-sparc/"), "{err}");
        let err = native_libraries(&car_with(&[])).unwrap_err().to_string();
        assert!(err.contains("no library for linux-x86_64"), "{err}");
    }

    #[test]
    fn libraries_over_the_size_target_fail() {
        assert_eq!(
            size_problem(MAX_LIBRARY_BYTES as usize, MAX_LIBRARY_BYTES),
            None
        );
        let over = size_problem(MAX_LIBRARY_BYTES as usize + 1, MAX_LIBRARY_BYTES).unwrap();
        assert!(
            over.contains("6291457 bytes (6.00 MiB), over the 6 MiB target"),
            "{over}"
        );
        let car = car_with(&[
            ("native/", b""),
            (
                "native/linux-x86_64/a.so",
                &vec![0; MAX_LIBRARY_BYTES as usize],
            ),
            (
                "native/linux-aarch64/b.so",
                &vec![0; MAX_LIBRARY_BYTES as usize + 1],
            ),
            (
                "native/windows-x86_64/c.dll",
                &vec![0; MAX_WINDOWS_LIBRARY_BYTES as usize],
            ),
        ]);
        let err = native_library_sizes(&car).unwrap_err().to_string();
        assert!(
            err.starts_with("native/linux-aarch64/b.so: 6291457 bytes"),
            "{err}"
        );
        assert!(!err.contains("a.so") && !err.contains("c.dll"), "{err}");
        let dll = car_with(&[
            ("native/", b""),
            (
                "native/windows-x86_64/c.dll",
                &vec![0; MAX_WINDOWS_LIBRARY_BYTES as usize + 1],
            ),
        ]);
        let err = native_library_sizes(&dll).unwrap_err().to_string();
        assert!(err.contains("over the 8 MiB target"), "{err}");
    }

    #[test]
    fn malformed_xml_is_refused() {
        assert!(elements("<a><b></a>").is_err());
        assert!(elements("<a>").is_err());
        assert_eq!(elements("<a x=\"1\"><b/></a>").unwrap().len(), 2);
    }
}
