//! WireMock standalone (the jar ships inside the pinned npm package `wiremock`), started on
//! a free loopback port for the end-to-end tests and always stopped afterwards, plus the
//! few admin calls the tests use (reset, request journal).

use crate::server::{Server, free_port};
use crate::{jdk_tool, root};
use anyhow::{Context, Result, bail};
use base64::Engine as _;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const VERSION: &str = "3.13.2";

pub fn jar() -> PathBuf {
    root().join(format!(
        "tests/node_modules/wiremock/build/wiremock-standalone-{VERSION}.jar"
    ))
}

/// A running WireMock; dropping it stops the process (also when a test panics or fails).
pub struct WireMock {
    server: Server,
}

impl WireMock {
    /// Starts WireMock with the mappings and files under `root_dir`, and waits until its
    /// admin API answers (about 2 s on the 2-core machine).
    pub fn start(root_dir: &Path, log: &Path) -> Result<Self> {
        let jar = jar();
        if !jar.is_file() {
            bail!(
                "{} is missing: run `npm ci` in tests/ (the setup stage does it)",
                jar.display()
            );
        }
        let port = free_port()?;
        let mut cmd = jdk_tool("java");
        cmd.arg("-jar")
            .arg(&jar)
            .args(["--bind-address", "127.0.0.1", "--port", &port.to_string()])
            .arg("--root-dir")
            .arg(root_dir)
            .arg("--disable-banner");
        let server = Server::start(
            "WireMock",
            cmd,
            port,
            log,
            "/__admin/mappings",
            |status| status == 200,
            Duration::from_secs(60),
        )?;
        Ok(WireMock { server })
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn port(&self) -> u16 {
        self.server.port
    }

    /// Forgets recorded requests and rewinds every scenario, so each test sees only its own
    /// traffic and starts from each scenario's first state.
    pub fn reset_journal(&self) -> Result<()> {
        self.expect_ok("DELETE", "/__admin/requests", None)?;
        self.expect_ok("POST", "/__admin/scenarios/reset", None)?;
        Ok(())
    }

    /// The requests WireMock received since the last reset, oldest first.
    pub fn requests(&self) -> Result<Vec<Recorded>> {
        let body = self.expect_ok("GET", "/__admin/requests", None)?;
        let journal: Value = serde_json::from_str(&body).context("journal is not JSON")?;
        let mut out: Vec<Recorded> = journal["requests"]
            .as_array()
            .context("journal has no requests array")?
            .iter()
            .map(|r| Recorded::from_json(&r["request"]))
            .collect();
        // The journal lists newest first; tests read more naturally in sending order.
        out.sort_by_key(|r| r.logged_ms);
        Ok(out)
    }

    fn expect_ok(&self, method: &str, path: &str, body: Option<&str>) -> Result<String> {
        let (status, body) = self.admin(method, path, body)?;
        if !(200..300).contains(&status) {
            bail!("WireMock {method} {path} answered {status}: {body}");
        }
        Ok(body)
    }

    fn admin(&self, method: &str, path: &str, body: Option<&str>) -> Result<(u16, String)> {
        self.server.http(method, path, body)
    }
}

/// One request from WireMock's journal.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query string as sent (e.g. `/public/v1/requests?limit=2&offset=0`).
    pub url: String,
    pub headers: serde_json::Map<String, Value>,
    pub body: String,
    /// The body as sent (`body` is text, which cannot hold a binary multipart body).
    pub body_bytes: Vec<u8>,
    /// When WireMock received it (ms since the epoch).
    pub logged_ms: u64,
}

impl Recorded {
    fn from_json(r: &Value) -> Self {
        Recorded {
            method: r["method"].as_str().unwrap_or_default().to_string(),
            url: r["url"].as_str().unwrap_or_default().to_string(),
            headers: r["headers"].as_object().cloned().unwrap_or_default(),
            body: r["body"].as_str().unwrap_or_default().to_string(),
            body_bytes: base64::engine::general_purpose::STANDARD
                .decode(r["bodyAsBase64"].as_str().unwrap_or_default())
                .unwrap_or_default(),
            logged_ms: r["loggedDate"].as_u64().unwrap_or_default(),
        }
    }

    pub fn path(&self) -> &str {
        self.url.split('?').next().unwrap_or_default()
    }

    /// The raw (still percent-encoded) value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let query = self.url.split_once('?')?.1;
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// A header value, case-insensitively (WireMock keeps the sender's spelling).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| match v {
                Value::Array(values) => values
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.as_str().unwrap_or_default().to_string(),
            })
    }
}
