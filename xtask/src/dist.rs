//! `cargo xtask dist`: the release library, the Java classes, the shim jar, the runner jar
//! and the connector archive (CAR) Boomi takes, plus the descriptor to upload beside it.
//!
//! Layout produced:
//! - `target/java/sdk-stubs/`                compile-only SDK stand-ins (never shipped)
//! - `target/java/shim/`                     shim classes
//! - `target/java/cloudblue-connect-boomi-<v>.jar`   shim classes + native library
//! - `target/java/runner/`, `target/java/runner.jar` local runner (never shipped)
//! - `target/dist/cloudblue-connect-boomi-<v>--car.zip`
//! - `target/dist/connector-descriptor.xml`
//!
//! Progress goes to stderr, so `cargo xtask run` can build first and still keep stdout for
//! the runner's JSON lines.

use crate::java::{self, Archive};
use crate::util::{self, VERSION, file_size, human_size, rel, root};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Boomi runtimes run Java 8 or 11; the docs ask connector code to target 8.
const JAVA_RELEASE: u32 = 8;
const LIB_NAME: &str = "libcloudblue_connect_boomi.so";
/// Where the shim's loader looks inside the jar (`/native/<os>-<arch>/<mapLibraryName>`).
const NATIVE_DIR: &str = "native/linux-x86_64";

/// Every path the build reads; the archive is stale when any of them is newer than it.
pub fn inputs() -> Vec<PathBuf> {
    let r = root();
    vec![
        r.join("rust"),
        r.join("java/sdk-stubs/src/main"),
        r.join("java/shim/src/main"),
        r.join("java/runner/src/main"),
        r.join("descriptors"),
        r.join("Cargo.toml"),
        r.join("Cargo.lock"),
    ]
}

pub fn car_path() -> PathBuf {
    dist_dir().join(format!("cloudblue-connect-boomi-{VERSION}--car.zip"))
}

/// The built archive, for the stages that test it; fails when the dist stage has not run.
pub fn built_car() -> Result<PathBuf> {
    let car = car_path();
    if !car.is_file() {
        bail!("{} is missing: the dist stage builds it", rel(&car));
    }
    Ok(car)
}

pub fn dist_dir() -> PathBuf {
    root().join("target").join("dist")
}

pub fn stubs_dir() -> PathBuf {
    java::out_dir().join("sdk-stubs")
}

pub fn shim_classes_dir() -> PathBuf {
    java::out_dir().join("shim")
}

pub fn runner_classes_dir() -> PathBuf {
    java::out_dir().join("runner")
}

pub fn runner_jar() -> PathBuf {
    java::out_dir().join("runner.jar")
}

pub fn shim_jar_name() -> String {
    format!("cloudblue-connect-boomi-{VERSION}.jar")
}

/// The release library as cargo writes it.
pub fn release_library() -> PathBuf {
    root().join("target/release").join(LIB_NAME)
}

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    let glibc = match args {
        [] => None,
        [flag, version] if flag == "--glibc" => {
            if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
                bail!("--glibc takes a version such as 2.17 (got `{version}`)");
            }
            Some(version.as_str())
        }
        _ => bail!(
            "usage: cargo xtask dist [--glibc VERSION]\n  \
             --glibc 2.17  link the library for glibc 2.17 and later (RHEL 7+, Amazon Linux 2) \
             with cargo-zigbuild, installed into target/tools on first use"
        ),
    };
    build_for(glibc)?;
    Ok(ExitCode::SUCCESS)
}

/// True when the archive or the runner is missing or older than any build input.
pub fn is_stale() -> Result<bool> {
    let oldest_output = [car_path(), runner_jar()]
        .iter()
        .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .collect::<Option<Vec<_>>>()
        .and_then(|times| times.into_iter().min());
    let Some(built) = oldest_output else {
        return Ok(true);
    };
    Ok(util::newest_mtime(&inputs())?.is_some_and(|newest| newest > built))
}

/// Builds everything `dist` produces with the host's own linker. Returns the archive path.
pub fn build() -> Result<PathBuf> {
    build_for(None)
}

/// Builds everything `dist` produces; with `glibc`, the library is linked for that glibc
/// version (and later) instead of the build machine's. Returns the archive path.
pub fn build_for(glibc: Option<&str>) -> Result<PathBuf> {
    let started = Instant::now();
    let r = root();

    // 1. The native library, in release: this is the only artifact worth fat LTO.
    let library = match glibc {
        None => {
            util::run(util::cargo().args(["build", "--release", "-p", "connect-bridge"]))?;
            release_library()
        }
        Some(version) => zigbuild_library(version)?,
    };
    let lib_size = file_size(&library).context("the bridge build produced no library")?;
    let floor = glibc_floor(&library);
    if let (Some(wanted), Some(got)) = (glibc, &floor)
        && version_key(got) > version_key(wanted)
    {
        bail!("asked for glibc {wanted}, but the library needs glibc {got}");
    }

    // 2. SDK stand-ins, then the shim against them.
    java::compile(
        "sdk-stubs",
        JAVA_RELEASE,
        &r.join("java/sdk-stubs/src/main/java"),
        None,
        &[],
        &stubs_dir(),
    )?;
    java::compile(
        "shim",
        JAVA_RELEASE,
        &r.join("java/shim/src/main/java"),
        Some(&r.join("java/shim/src/main/resources")),
        &[stubs_dir()],
        &shim_classes_dir(),
    )?;

    // 3. The shim jar: classes + native library + manifest.
    let jar_path = java::out_dir().join(shim_jar_name());
    let mut jar = Archive::create(&jar_path)?;
    jar.add("META-INF/MANIFEST.MF", manifest(&[]).into_bytes());
    jar.add_dir(&shim_classes_dir(), "")?;
    jar.add(format!("{NATIVE_DIR}/{LIB_NAME}"), std::fs::read(&library)?);
    let jar_path = jar.finish(&["META-INF/MANIFEST.MF"])?;
    reject_boomi_classes(&jar_path)?;

    // 4. The runner (not in the archive: it plays the Atom, which brings its own SDK).
    java::compile(
        "runner",
        JAVA_RELEASE,
        &r.join("java/runner/src/main/java"),
        Some(&r.join("java/runner/src/main/resources")),
        &[stubs_dir()],
        &runner_classes_dir(),
    )?;
    let mut runner = Archive::create(&runner_jar())?;
    runner.add(
        "META-INF/MANIFEST.MF",
        manifest(&[("Main-Class", "com.cloudblue.connect.boomi.runner.Main")]).into_bytes(),
    );
    runner.add_dir(&runner_classes_dir(), "")?;
    runner.finish(&["META-INF/MANIFEST.MF"])?;

    // 5. The connector archive and the descriptor beside it.
    let descriptor = read_descriptor("connector-descriptor.xml")?;
    let config = read_descriptor("connector-config.xml")?;
    util::fresh_dir(&dist_dir())?;
    let mut car = Archive::create(&car_path())?;
    car.add("META-INF/connector-config.xml", config);
    car.add("META-INF/connector-descriptor.xml", descriptor.clone());
    car.add(
        format!("lib/{}", shim_jar_name()),
        std::fs::read(&jar_path)?,
    );
    let car_path = car.finish(&[])?;
    reject_boomi_classes(&car_path)?;
    std::fs::write(dist_dir().join("connector-descriptor.xml"), descriptor)?;

    eprintln!(
        "native library  {:>10}  {}",
        human_size(lib_size),
        rel(&library)
    );
    eprintln!(
        "shim jar        {:>10}  {}",
        human_size(file_size(&jar_path)?),
        rel(&jar_path)
    );
    eprintln!(
        "runner jar      {:>10}  {}",
        human_size(file_size(&runner_jar())?),
        rel(&runner_jar())
    );
    eprintln!(
        "archive         {:>10}  {}",
        human_size(file_size(&car_path)?),
        rel(&car_path)
    );
    eprintln!(
        "descriptor      {:>10}  {}",
        human_size(file_size(&dist_dir().join("connector-descriptor.xml"))?),
        rel(&dist_dir().join("connector-descriptor.xml"))
    );
    match floor {
        Some(v) => eprintln!("native library needs glibc >= {v} on the Atom's machine"),
        None => eprintln!("(objdump not found: glibc floor of the library not checked)"),
    }
    eprintln!("dist done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(car_path)
}

/// Links the library for an older glibc with cargo-zigbuild (zig's C toolchain carries
/// glibc symbol stubs per version), which a local Atom on RHEL 7/8 or Amazon Linux 2 needs.
/// The tools live in a virtual environment under target/tools, pinned by
/// xtask/zigbuild-requirements.txt, and are installed on first use.
fn zigbuild_library(glibc: &str) -> Result<PathBuf> {
    let tools = root().join("target/tools/zigbuild");
    let bin = tools.join("bin");
    let zigbuild = bin.join("cargo-zigbuild");
    if !zigbuild.is_file() {
        util::run(
            std::process::Command::new("python3")
                .args(["-m", "venv"])
                .arg(&tools),
        )?;
        util::run(
            std::process::Command::new(bin.join("pip"))
                .args(["install", "--quiet", "-r"])
                .arg(root().join("xtask/zigbuild-requirements.txt")),
        )?;
    }
    // cargo-zigbuild finds zig through `python3 -m ziglang`: the venv's python must come first.
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    let triple = "x86_64-unknown-linux-gnu";
    util::run(
        std::process::Command::new(&zigbuild)
            .current_dir(root())
            .env("PATH", path)
            .args(["zigbuild", "--release", "-p", "connect-bridge", "--target"])
            .arg(format!("{triple}.{glibc}")),
    )?;
    Ok(root()
        .join("target")
        .join(triple)
        .join("release")
        .join(LIB_NAME))
}

fn version_key(v: &str) -> Vec<u32> {
    v.split('.').filter_map(|p| p.parse().ok()).collect()
}

/// The highest `GLIBC_x.y` symbol version the library imports, i.e. the oldest glibc it
/// loads on (Atoms often run on older enterprise distributions). Read with binutils'
/// `objdump`, present wherever the C parts of the TLS stack compile.
fn glibc_floor(library: &Path) -> Option<String> {
    let out = std::process::Command::new("objdump")
        .arg("-T")
        .arg(library)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter_map(|word| word.strip_prefix("GLIBC_"))
        .filter_map(|v| {
            let parts: Option<Vec<u32>> = v.split('.').map(|p| p.parse().ok()).collect();
            parts.map(|p| (p, v.to_string()))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| v)
}

fn read_descriptor(name: &str) -> Result<Vec<u8>> {
    let path = root().join("descriptors").join(name);
    std::fs::read(&path).with_context(|| {
        format!(
            "{} is missing (the catalog helper generates it: `cargo xtask descriptor`)",
            rel(&path)
        )
    })
}

fn manifest(extra: &[(&str, &str)]) -> String {
    let mut m = String::from("Manifest-Version: 1.0\r\nCreated-By: cargo xtask dist\r\n");
    m.push_str("Implementation-Title: CloudBlue Connect connector for Boomi\r\n");
    m.push_str(&format!("Implementation-Version: {VERSION}\r\n"));
    for (k, v) in extra {
        m.push_str(&format!("{k}: {v}\r\n"));
    }
    m.push_str("\r\n");
    m
}

/// The SDK licence forbids shipping Boomi's classes, and the Atom brings its own copy: a
/// `com/boomi` class in our jar or archive (say, a stand-in that leaked into the shim
/// build) would shadow the real SDK at run time. Checks the zip and every jar inside it.
fn reject_boomi_classes(path: &Path) -> Result<()> {
    let file = std::fs::File::open(path)?;
    let mut zip = zip::ZipArchive::new(file)?;
    let mut offending = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name()?.into_owned();
        if name.starts_with("com/boomi/") && !name.ends_with('/') {
            offending.push(name);
        } else if name.ends_with(".jar") {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes)?;
            let inner = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
            for inner_name in inner.file_names() {
                let inner_name = inner_name?;
                if inner_name.starts_with("com/boomi/") {
                    offending.push(format!("{name}!/{inner_name}"));
                }
            }
        }
    }
    if !offending.is_empty() {
        bail!(
            "{} contains Boomi SDK classes, which must never ship: {}",
            rel(path),
            offending.join(", ")
        );
    }
    Ok(())
}
