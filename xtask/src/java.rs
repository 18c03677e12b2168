//! Compiling Java with plain `javac` (no Maven/Gradle: Maven Central is unreachable and the
//! project needs none) and writing jars/zips deterministically with the `zip` crate.

use crate::util::{self, fresh_dir, jdk_tool, rel, root};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Where Debian's `junit5` package puts its jars.
pub const JUNIT_DIR: &str = "/usr/share/java";
pub const JUNIT_CONSOLE: &str = "/usr/share/java/junit-platform-console-standalone.jar";
/// What test sources compile against (the console launcher brings the engine at run time).
pub const JUNIT_COMPILE_JARS: &[&str] = &[
    "junit-jupiter-api.jar",
    "junit-jupiter-params.jar",
    "apiguardian-api.jar",
    "opentest4j.jar",
];

pub fn junit_compile_classpath() -> Vec<PathBuf> {
    JUNIT_COMPILE_JARS
        .iter()
        .map(|j| Path::new(JUNIT_DIR).join(j))
        .collect()
}

/// Joins classpath entries with the platform separator.
pub fn classpath(entries: &[PathBuf]) -> String {
    let sep = if cfg!(windows) { ";" } else { ":" };
    entries
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

/// `javac --release <release> -Xlint:all -Werror` over every `.java` file below `src`,
/// into a fresh `out` directory. Resources (non-Java files) below `resources` are copied
/// next to the classes, as a jar build would. Fails when `src` has no sources, because an
/// empty shim jar would otherwise pass silently.
pub fn compile(
    what: &str,
    release: u32,
    src: &Path,
    resources: Option<&Path>,
    classpath_entries: &[PathBuf],
    out: &Path,
) -> Result<()> {
    let sources = util::files_with_suffix(src, ".java")?;
    if sources.is_empty() {
        bail!("{what}: no Java sources under {}", rel(src));
    }
    fresh_dir(out)?;
    // An @argfile keeps the command line short whatever the number of sources.
    let argfile = out.with_extension("sources.txt");
    let list: String = sources
        .iter()
        .map(|s| format!("\"{}\"\n", s.display().to_string().replace('\\', "/")))
        .collect();
    std::fs::write(&argfile, list)?;
    let mut cmd = jdk_tool("javac");
    cmd.args(["--release", &release.to_string()])
        .args(["-Xlint:all", "-Werror", "-encoding", "UTF-8", "-d"])
        .arg(out);
    // javac's -Xlint:options warns about --release 8 being deprecated on newer JDKs; JDK 17
    // does not, so Werror stays meaningful here.
    if !classpath_entries.is_empty() {
        cmd.arg("-cp").arg(classpath(classpath_entries));
    }
    cmd.arg(format!("@{}", argfile.display()));
    eprintln!("{what}: compiling {} sources", sources.len());
    util::run(&mut cmd)?;
    if let Some(res) = resources.filter(|r| r.is_dir()) {
        for file in util::files_with_suffix(res, "")? {
            let target = out.join(file.strip_prefix(res)?);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(&file, &target)?;
        }
    }
    Ok(())
}

/// A zip/jar being written: entries go in sorted order with a fixed timestamp and fixed
/// permissions, so the same inputs give byte-identical archives.
pub struct Archive {
    zip: ZipWriter<std::fs::File>,
    path: PathBuf,
    entries: Vec<(String, Vec<u8>)>,
}

impl Archive {
    pub fn create(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file =
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self {
            zip: ZipWriter::new(file),
            path: path.to_path_buf(),
            entries: Vec::new(),
        })
    }

    pub fn add(&mut self, name: impl Into<String>, data: Vec<u8>) {
        self.entries.push((name.into(), data));
    }

    /// Adds every file below `dir` under `prefix` (which ends in `/` or is empty).
    pub fn add_dir(&mut self, dir: &Path, prefix: &str) -> Result<()> {
        for file in util::files_with_suffix(dir, "")? {
            let name = file
                .strip_prefix(dir)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let data = std::fs::read(&file)?;
            self.add(format!("{prefix}{name}"), data);
        }
        Ok(())
    }

    /// Writes the entries: `first` names (e.g. the manifest, which `java.util.jar` expects
    /// first) in the given order, then everything else sorted by name.
    pub fn finish(mut self, first: &[&str]) -> Result<PathBuf> {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| {
            let rank = |n: &str| first.iter().position(|f| *f == n).unwrap_or(first.len());
            rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0))
        });
        if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            bail!("{}: duplicate entry {}", self.path.display(), w[0].0);
        }
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(DateTime::DEFAULT)
            .unix_permissions(0o644);
        let mut dirs_written = std::collections::BTreeSet::new();
        for (name, data) in entries {
            // Directory entries help some class loaders answer getResource on packages.
            let mut dir = String::new();
            for part in name
                .split('/')
                .collect::<Vec<_>>()
                .split_last()
                .map_or(&[][..], |(_, d)| d)
            {
                dir.push_str(part);
                dir.push('/');
                if dirs_written.insert(dir.clone()) {
                    self.zip
                        .add_directory(dir.clone(), options.unix_permissions(0o755))?;
                }
            }
            self.zip.start_file(name, options)?;
            self.zip.write_all(&data)?;
        }
        self.zip.finish()?;
        Ok(self.path)
    }
}

/// The target/java folder where compiled classes and jars go.
pub fn out_dir() -> PathBuf {
    root().join("target").join("java")
}
