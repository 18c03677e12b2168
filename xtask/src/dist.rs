//! `cargo xtask dist`: the release library, the Java classes, the shim jar, the runner jar
//! and the connector archive (CAR) Boomi takes, plus the descriptor to upload beside it.
//!
//! Layout produced:
//! - `target/java/sdk-stubs/`                compile-only SDK stand-ins (never shipped)
//! - `target/java/shim/`                     shim classes
//! - `target/java/native/<os>-<arch>/<lib>`  the native libraries packaged, one per platform
//! - `target/java/cloudblue-connect-boomi-<v>.jar`   shim classes + native libraries
//! - `target/java/runner/`, `target/java/runner.jar` local runner (never shipped)
//! - `target/dist/cloudblue-connect-boomi-<v>--car.zip`
//! - `target/dist/connector-descriptor.xml`
//!
//! Progress goes to stderr, so `cargo xtask run` can build first and still keep stdout for
//! the runner's JSON lines.
//!
//! The Linux libraries are linked with cargo-zigbuild against glibc 2.17 by default, because an
//! Atom's server is rarely as new as the build machine (RHEL/CentOS 7, Amazon Linux 2).
//! `--native` links with the host toolchain instead (no zig download, but the build machine's
//! glibc becomes the floor). `--all-targets` adds linux-aarch64 and windows-x86_64 when their
//! Rust standard libraries are installed; only `cargo xtask emulated` runs them (qemu-user, Wine).

use crate::java::{self, Archive};
use crate::util::{self, VERSION, file_size, human_size, rel, root};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Boomi runtimes run Java 8 or 11; the docs ask connector code to target 8.
const JAVA_RELEASE: u32 = 8;

pub use system_tests::platforms::{GLIBC_FLOOR, LINUX_X86_64, PLATFORMS, Platform, version_key};

/// How the libraries are linked.
#[derive(Clone, Debug, PartialEq)]
pub enum Linking {
    /// cargo-zigbuild; Linux libraries import no glibc symbol newer than this version.
    Zig { glibc: String },
    /// The host's own toolchain for linux-x86_64 (its glibc is the floor); other targets
    /// still go through zig, the only cross linker the build installs itself.
    Native,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub linking: Linking,
    pub all_targets: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            linking: Linking::Zig {
                glibc: GLIBC_FLOOR.to_string(),
            },
            all_targets: false,
        }
    }
}

const USAGE: &str = "usage: cargo xtask dist [--native | --glibc VERSION] [--all-targets]
  (default)      link the Linux library for glibc 2.17 and later (RHEL/CentOS 7+, Amazon Linux 2,
                 Ubuntu 18.04+) with cargo-zigbuild, installed from PyPI into target/tools on first use
  --glibc 2.28   the same for another glibc version
  --native       link with the host toolchain: no zig needed, but the library then needs the build
                 machine's glibc
  --all-targets  also linux-aarch64 and windows-x86_64 (run only by `cargo xtask emulated`) when
                 their Rust targets are installed
                 (`rustup target add aarch64-unknown-linux-gnu x86_64-pc-windows-gnu`);
                 each missing one is skipped with a message";

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

/// Where the packaged native libraries are staged, one folder per platform as in the jar.
pub fn native_dir() -> PathBuf {
    java::out_dir().join("native")
}

/// The Linux x86-64 library exactly as packaged in the jar (what the Java tests load).
pub fn release_library() -> PathBuf {
    native_dir().join(LINUX_X86_64.id).join(LINUX_X86_64.file)
}

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    build_with(&parse(args)?)?;
    Ok(ExitCode::SUCCESS)
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options::default();
    let mut linking_set = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let linking = match arg.as_str() {
            "--all-targets" => {
                options.all_targets = true;
                continue;
            }
            "--native" => Linking::Native,
            "--glibc" => {
                let version = it.next().map(String::as_str).unwrap_or_default();
                if version_key(version).len() < 2
                    || !version.chars().all(|c| c.is_ascii_digit() || c == '.')
                {
                    bail!("--glibc takes a version such as 2.17 (got `{version}`)\n{USAGE}");
                }
                Linking::Zig {
                    glibc: version.to_string(),
                }
            }
            _ => bail!("{USAGE}"),
        };
        if linking_set {
            bail!("--native and --glibc exclude each other\n{USAGE}");
        }
        linking_set = true;
        options.linking = linking;
    }
    Ok(options)
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

/// Builds everything `dist` produces the default way (linux-x86_64 for glibc 2.17).
/// Returns the archive path.
pub fn build() -> Result<PathBuf> {
    build_with(&Options::default())
}

/// Builds everything `dist` produces. Returns the archive path.
pub fn build_with(options: &Options) -> Result<PathBuf> {
    let started = Instant::now();
    let r = root();

    // 1. The native libraries, in release: the only artifacts worth fat LTO.
    let mut built = Vec::new();
    for platform in PLATFORMS {
        if !std::ptr::eq(platform, &PLATFORMS[0]) && !options.all_targets {
            continue;
        }
        if let Some(why) = missing_rust_target(platform.triple) {
            if platform.tested {
                bail!("cannot build {}: {why}", platform.id);
            }
            eprintln!("skipping {}: {why}", platform.id);
            continue;
        }
        let library = build_library(platform, &options.linking)?;
        built.push((platform, library));
    }
    // Staged afresh, in one step after the slow builds, so a library of an earlier
    // --all-targets build never slips into this jar.
    util::fresh_dir(&native_dir())?;
    let mut staged_sizes = Vec::new();
    for (platform, library) in built {
        let staged = native_dir().join(platform.id).join(platform.file);
        std::fs::create_dir_all(native_dir().join(platform.id))?;
        std::fs::copy(&library, &staged)?;
        staged_sizes.push((platform, file_size(&staged)?));
    }
    let built = staged_sizes;

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
    jar.add(
        "META-INF/MANIFEST.MF",
        manifest(&[NATIVE_ACCESS]).into_bytes(),
    );
    jar.add_dir(&shim_classes_dir(), "")?;
    jar.add_dir(&native_dir(), "native/")?;
    let jar_path = jar.finish(&["META-INF/MANIFEST.MF"])?;

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
        manifest(&[
            ("Main-Class", "com.cloudblue.connect.boomi.runner.Main"),
            NATIVE_ACCESS,
        ])
        .into_bytes(),
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
    std::fs::write(dist_dir().join("connector-descriptor.xml"), descriptor)?;

    for (platform, size) in &built {
        eprintln!(
            "native library  {:>10}  {}/{}{}",
            human_size(*size),
            platform.id,
            platform.file,
            if platform.tested {
                ""
            } else {
                " (run only under emulation: cargo xtask emulated)"
            }
        );
    }
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
    eprintln!("dist done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(car_path)
}

/// Why the Rust standard library for `triple` is missing, or `None` when it is installed.
/// Never installs it: `rustup target add` downloads from a server CI may not reach.
pub fn missing_rust_target(triple: &str) -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(rustc)
        .args(["--print", "target-libdir", "--target", triple])
        .output();
    let libdir = match out {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        _ => return Some(format!("rustc does not know the target {triple}")),
    };
    let has_std = std::fs::read_dir(&libdir).is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    });
    (!has_std).then(|| {
        format!("its Rust standard library is not installed (`rustup target add {triple}`)")
    })
}

/// Builds one platform's library and returns where cargo wrote it.
fn build_library(platform: &Platform, linking: &Linking) -> Result<PathBuf> {
    if platform.tested && *linking == Linking::Native {
        util::run(util::cargo().args(["build", "--release", "-p", "connect-bridge"]))?;
        return Ok(root().join("target/release").join(platform.file));
    }
    let zig_target = match linking {
        Linking::Zig { glibc } if platform.is_linux() => format!("{}.{glibc}", platform.triple),
        // Extra Linux targets of a --native build still get the portable floor.
        Linking::Native if platform.is_linux() => format!("{}.{GLIBC_FLOOR}", platform.triple),
        _ => platform.triple.to_string(),
    };
    let (zigbuild, path) = zigbuild_tools()?;
    util::run(
        std::process::Command::new(zigbuild)
            .current_dir(root())
            .env("PATH", path)
            .args(["zigbuild", "--release", "-p", "connect-bridge", "--target"])
            .arg(zig_target),
    )?;
    Ok(root()
        .join("target")
        .join(platform.triple)
        .join("release")
        .join(platform.file))
}

/// cargo-zigbuild and the PATH to run it with. zig's C toolchain carries glibc symbol stubs
/// per version and cross-links aarch64 and Windows, so one pinned PyPI install
/// (xtask/zigbuild-requirements.txt, into a virtual environment under target/tools) covers
/// every target.
fn zigbuild_tools() -> Result<(PathBuf, std::ffi::OsString)> {
    let bin = python_tools()?;
    let zigbuild = bin.join("cargo-zigbuild");
    // cargo-zigbuild finds zig through `python3 -m ziglang`: the venv's python must come first.
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    Ok((zigbuild, path))
}

/// The `bin` folder of the build's Python environment under target/tools, with
/// cargo-zigbuild, zig (`python -m ziglang`) and pip; installed on first use.
pub fn python_tools() -> Result<PathBuf> {
    let tools = root().join("target/tools/zigbuild");
    let bin = tools.join("bin");
    let zigbuild = bin.join("cargo-zigbuild");
    let requirements = root().join("xtask/zigbuild-requirements.txt");
    // A marker holding the requirements it was installed from: a changed pin reinstalls.
    let marker = tools.join("installed-requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", rel(&requirements)))?;
    let current = std::fs::read_to_string(&marker).unwrap_or_default();
    if !zigbuild.is_file() || current != wanted {
        eprintln!(
            "installing cargo-zigbuild and zig from PyPI into {}",
            rel(&tools)
        );
        let venv = util::run(
            std::process::Command::new("python3")
                .args(["-m", "venv"])
                .arg(&tools),
        );
        venv.context(
            "python3 -m venv failed (Debian: apt-get install python3-venv); \
             `cargo xtask dist --native` builds without zig",
        )?;
        util::run(
            std::process::Command::new(bin.join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(&requirements),
        )
        .context("installing zig failed; `cargo xtask dist --native` builds without it")?;
        std::fs::write(&marker, wanted)?;
    }
    Ok(bin)
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

/// JDK 22+ asks code that calls `System.load` to be granted native access, and JDK 24+ warns
/// when it is not. The attribute is honoured for the jar a JVM is launched with (the runner's
/// `java -jar`); in the shim jar it documents the need for hosts that read it. An Atom loads
/// connectors through its own class loaders, so there the Atom's JVM option
/// `--enable-native-access=ALL-UNNAMED` is what silences the warning (see the user guide).
const NATIVE_ACCESS: (&str, &str) = ("Enable-Native-Access", "ALL-UNNAMED");

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
