//! The newjdk suite: the built archive on the newest JDK installed (21 or later), because
//! newer Atoms run JDK 17 and 21+ and JDK 22+ restricts `System.load` (JEP 472).
//!
//! Runs the local runner (browse, then a List against the loopback fault server) three ways:
//! with `--enable-native-access=ALL-UNNAMED` (no restricted-method warning may appear), with
//! the JVM's defaults (must work; JDK 24+ prints a warning, shown here), and on JDK 24+ with
//! `--illegal-native-access=deny` (the announced future default: must fail as a
//! `NATIVE_LIBRARY` error that names the JVM option to add, not as a stack trace).
//! Each test passes with a message, running nothing, when no such JDK is installed (and the
//! third below JDK 24).

use anyhow::{Result, ensure};
use std::path::{Path, PathBuf};
use std::process::Command;
use system_tests::fault_server::{FaultServer, Reply};
use system_tests::{Output, RUNNER_MAIN, connection_args, runner_classpath};

/// Where Debian and the Temurin packages install JDKs.
const JVM_DIR: &str = "/usr/lib/jvm";
/// Overrides the search: a JAVA_HOME of the JDK to use.
const ENV_HOME: &str = "CLOUDBLUE_NEW_JDK_HOME";
const WARNING: &str = "WARNING: A restricted method";

/// The newest JDK of major version 21 or later, with its major version.
fn find_jdk() -> Option<(PathBuf, u32)> {
    let candidates: Vec<PathBuf> = match std::env::var_os(ENV_HOME) {
        Some(home) => vec![PathBuf::from(home)],
        None => std::fs::read_dir(JVM_DIR)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect(),
    };
    candidates
        .into_iter()
        .filter(|home| home.join("bin/java").is_file())
        .filter_map(|home| Some((home.clone(), major_version(&home)?)))
        .filter(|(_, major)| *major >= 21)
        .max_by_key(|(_, major)| *major)
}

/// `JAVA_VERSION="25.0.3"` in the JDK's `release` file → 25.
fn major_version(home: &Path) -> Option<u32> {
    let release = std::fs::read_to_string(home.join("release")).ok()?;
    let line = release
        .lines()
        .find_map(|l| l.strip_prefix("JAVA_VERSION="))?;
    line.trim_matches('"').split('.').next()?.parse().ok()
}

/// The loopback server, answering every request with one Connect request object and a
/// `Content-Range` for a one-item collection: enough for browse-free calls to succeed.
fn server() -> Result<FaultServer> {
    let server = FaultServer::start()?;
    server.reset(Box::new(|_, _| {
        Reply::Answer(
            200,
            vec![("Content-Range".into(), "items 0-0/1".into())],
            r#"[{"id":"PR-1000-0000-0001","type":"purchase","status":"pending"}]"#.into(),
        )
    }));
    Ok(server)
}

fn runner(java: &Path, jvm_options: &[&str], args: &[String]) -> Result<Output> {
    let mut cmd = Command::new(java);
    cmd.args(jvm_options)
        .arg("-cp")
        .arg(runner_classpath())
        .arg(RUNNER_MAIN)
        .arg("--archive")
        .arg(system_tests::archive())
        .args(args);
    println!("$ {cmd:?}");
    system_tests::output(&mut cmd)
}

/// Browse, then a List through the loopback server; both must succeed.
fn browse_and_list(java: &Path, jvm_options: &[&str], port: u16) -> Result<Vec<Output>> {
    let browse = runner(java, jvm_options, &["--browse-types".into()])?;
    ensure!(
        browse.status.success() && browse.stdout.contains(r#""id":"REQUEST""#),
        "browse failed:\n{}\n{}",
        browse.stdout,
        browse.stderr
    );
    let list = runner(
        java,
        jvm_options,
        &[
            connection_args([
                format!("endpoint=http://127.0.0.1:{port}/public/v1"),
                // Not a real token: the loopback server accepts anything.
                "apiToken=ApiKey SU-000-000-000:0000000000000000000000000000000000000000".into(),
            ]),
            ["--action", "LIST", "--object", "REQUEST"]
                .map(String::from)
                .into(),
        ]
        .concat(),
    )?;
    ensure!(
        list.status.success()
            && list.stdout.contains(r#""status":"SUCCESS""#)
            && list.stdout.contains("PR-1000-0000-0001"),
        "the List failed:\n{}\n{}",
        list.stdout,
        list.stderr
    );
    Ok(vec![browse, list])
}

/// The JDK's `java` and major version, or `None` (with the message why) when there is none.
fn jdk() -> Option<(PathBuf, u32)> {
    let Some((home, major)) = find_jdk() else {
        println!(
            "no JDK 21 or later under {JVM_DIR} (or in ${ENV_HOME}): not run, \
             the archive ran only on the build JDK"
        );
        return None;
    };
    println!("JDK {major} at {}", home.display());
    Some((home.join("bin/java"), major))
}

#[test]
fn native_access_enabled_no_warning() -> Result<()> {
    let Some((java, _)) = jdk() else {
        return Ok(());
    };
    let server = server()?;
    let runs = browse_and_list(&java, &["--enable-native-access=ALL-UNNAMED"], server.port)?;
    for r in &runs {
        ensure!(
            !r.stderr.contains(WARNING),
            "a restricted-method warning despite --enable-native-access:\n{}",
            r.stderr
        );
    }
    Ok(())
}

#[test]
fn default_options_work() -> Result<()> {
    let Some((java, major)) = jdk() else {
        return Ok(());
    };
    let server = server()?;
    let runs = browse_and_list(&java, &[], server.port)?;
    let warnings: Vec<&str> = runs[0]
        .stderr
        .lines()
        .filter(|l| l.starts_with("WARNING:"))
        .collect();
    if warnings.is_empty() {
        println!("JDK {major} prints no native-access warning");
    } else {
        println!(
            "JDK {major} prints, once per JVM:\n  {}",
            warnings.join("\n  ")
        );
    }
    Ok(())
}

#[test]
fn denied_native_access_is_a_native_library_error() -> Result<()> {
    let Some((java, major)) = jdk() else {
        return Ok(());
    };
    if major < 24 {
        println!("JDK {major} has no --illegal-native-access: not run");
        return Ok(());
    }
    let r = runner(
        &java,
        &["--illegal-native-access=deny"],
        &["--browse-types".into()],
    )?;
    let all = format!("{}\n{}", r.stdout, r.stderr);
    ensure!(
        !r.status.success()
            && all.contains("NATIVE_LIBRARY")
            && all.contains("--enable-native-access=ALL-UNNAMED")
            && !all.contains("\tat java.base/"),
        "expected a NATIVE_LIBRARY error naming --enable-native-access, got:\n{all}"
    );
    Ok(())
}

mod harness {
    use super::*;

    #[test]
    fn release_file_gives_the_major_version() {
        let dir = std::env::temp_dir().join(format!("newjdk-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("release"),
            "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.3\"\n",
        )
        .unwrap();
        assert_eq!(major_version(&dir), Some(25));
        std::fs::write(dir.join("release"), "JAVA_VERSION=\"1.8.0_402\"\n").unwrap();
        assert_eq!(major_version(&dir), Some(1));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
