//! A mock server running in the background for a test suite: started on a free loopback
//! port, waited for, and stopped when dropped, also on errors. A server shared by the tests of
//! one test binary lives in a `static`, which is never dropped: the server then stops when the
//! binary exits, because it runs under a small shell that stops it when its stdin (a pipe from
//! this process) closes.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    name: &'static str,
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    /// Spawns `cmd` (already told to listen on `port`) with its output in `log`, then polls
    /// `ready_path` until it answers `ready_status`, or fails with the log when the process
    /// dies or `limit` passes.
    pub fn start(
        name: &'static str,
        cmd: Command,
        port: u16,
        log: &Path,
        ready_path: &str,
        ready_status: fn(u16) -> bool,
        limit: Duration,
    ) -> Result<Self> {
        let log_file = std::fs::File::create(log)?;
        println!("$ {cmd:?}");
        let mut cmd = stopped_with_us(&cmd);
        cmd.stdin(Stdio::piped())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        let child = cmd
            .spawn()
            .with_context(|| format!("could not start {name}"))?;
        let mut server = Server {
            name,
            child,
            port,
            log: log.to_path_buf(),
        };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "{name} exited ({status}) before it was ready; its log:\n{}",
                    std::fs::read_to_string(&server.log).unwrap_or_default()
                );
            }
            if let Ok((status, _)) = http(port, "GET", ready_path, None)
                && ready_status(status)
            {
                println!(
                    "{name} ready on 127.0.0.1:{port} after {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                return Ok(server);
            }
            if started.elapsed() > limit {
                bail!("{name} did not answer within {} s", limit.as_secs());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn http(&self, method: &str, path: &str, body: Option<&str>) -> Result<(u16, String)> {
        http(self.port, method, path, body)
            .with_context(|| format!("{} {method} {path}", self.name))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Closing the shell's stdin makes it stop its own child (by its pid, never a broad
        // kill); killing the shell by its handle is the fallback.
        drop(self.child.stdin.take());
        if self.child.wait().is_err() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `cmd` run by `sh`, which stops it when its own stdin closes (when the `Server` is dropped or
/// this process exits, whichever comes first) and exits with it when it exits on its own.
fn stopped_with_us(cmd: &Command) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(
            "exec 3<&0; \"$@\" 3<&- </dev/null & pid=$!; \
             (read _ <&3; kill $pid 2>/dev/null) & exec 3<&-; wait $pid",
        )
        .arg("sh")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        sh.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => sh.env(key, value),
            None => sh.env_remove(key),
        };
    }
    sh
}

/// A port that was free a moment ago. The tiny race (someone else taking it before the
/// server binds) is acceptable for a local test run; the server then fails loudly.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Minimal HTTP/1.0 request to 127.0.0.1. HTTP/1.0 with `Connection: close` means the body
/// is everything until EOF (no chunking), which keeps an HTTP client crate out of the
/// harness.
pub fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .with_context(|| format!("not an HTTP response: {head:.80}"))?;
    Ok((status, body.to_string()))
}
