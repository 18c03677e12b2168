//! The benchmark's page server: a small HTTP/1.1 server on 127.0.0.1 inside the xtask process.
//!
//! It must never be the bottleneck of what it measures, so it does no JSON work per request:
//! record bytes are rendered once at start, each distinct page (identity and gzip) is rendered
//! on first use and then served from a cache with one `write_all`. One thread per connection,
//! keep-alive, no pipelining (no client used here pipelines).
//!
//! Routes (below any path prefix, matched on the last segments):
//! - `GET …/requests?limit=L&offset=O…`: records `O..O+L` of `total`, with
//!   `Content-Range: items O-(O+n-1)/total`; gzip when `Accept-Encoding` names it and the server
//!   was started with gzip allowed.
//! - `POST …/requests/{id}/approve`: answers after `delay` with `{"id":"{id}","status":"approved"}`,
//!   so a client can check that each result belongs to its document.
//! - `GET …/accounts…`: `[]` (a connection test).

use anyhow::{Context, Result};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a page request answered (for the cache key): index of its first record in `records`,
/// count, gzip.
type PageKey = (u64, u64, bool);

pub struct Config {
    /// Record bodies (compact JSON objects): record `i` of the collection is `records[i % len]`,
    /// so the page cache stays small whatever the total (1,000,000 records would be ~3 GB).
    pub records: Vec<Vec<u8>>,
    /// How many records the collection holds.
    pub total: u64,
    /// Whether `Accept-Encoding: gzip` is honoured.
    pub gzip: bool,
    /// How long a POST takes to answer.
    pub delay: Duration,
    /// How long a page takes to answer: the round trip to Connect's cloud.
    pub page_delay: Duration,
}

struct Shared {
    config: Mutex<Config>,
    pages: Mutex<HashMap<PageKey, Arc<Vec<u8>>>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    posts: AtomicU64,
    stop: AtomicBool,
}

pub struct PageServer {
    shared: Arc<Shared>,
    pub port: u16,
}

impl PageServer {
    pub fn start(config: Config) -> Result<PageServer> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding the page server")?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            config: Mutex::new(config),
            pages: Mutex::new(HashMap::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            posts: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let accept = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("bench-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if accept.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let conn = Arc::clone(&accept);
                    let _ =
                        std::thread::Builder::new()
                            .name("bench-conn".into())
                            .spawn(move || {
                                // A client closing its connection mid-request is normal at the end of
                                // a run; nothing to report.
                                let _ = serve(&conn, stream);
                            });
                }
            })?;
        Ok(PageServer { shared, port })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/public/v1", self.port)
    }

    /// Changes what later requests get (existing connections see it on their next request).
    pub fn reconfigure(&self, f: impl FnOnce(&mut Config)) {
        let mut config = self.shared.config.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut config);
        self.shared
            .pages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// POSTs answered so far and the most that were in progress at once; resets both.
    pub fn take_post_stats(&self) -> (u64, usize) {
        (
            self.shared.posts.swap(0, Ordering::Relaxed),
            self.shared.max_in_flight.swap(0, Ordering::Relaxed),
        )
    }

    /// The body of a page as this server sends it (for the gzip size comparison).
    pub fn page_body(&self, offset: u64, limit: u64, gzip: bool) -> Result<(Arc<Vec<u8>>, u64)> {
        page(&self.shared, offset, limit, gzip)
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

struct Request {
    method: String,
    target: String,
    gzip: bool,
    close: bool,
}

fn serve(shared: &Shared, stream: TcpStream) -> Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream.try_clone()?);
    let mut out = stream;
    while let Some(req) = read_request(&mut reader)? {
        let close = req.close;
        respond(shared, &req, &mut out)?;
        if close {
            break;
        }
    }
    Ok(())
}

/// Reads one request head (and skips its body); `None` at a clean end of the connection.
fn read_request(reader: &mut BufReader<TcpStream>) -> Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut gzip = false;
    let mut close = false;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim().to_ascii_lowercase();
        match name.trim().to_ascii_lowercase().as_str() {
            "accept-encoding" => gzip = value.split(',').any(|e| e.trim().starts_with("gzip")),
            "connection" => close = value == "close",
            "content-length" => length = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    std::io::copy(
        &mut reader.by_ref().take(length as u64),
        &mut std::io::sink(),
    )?;
    Ok(Some(Request {
        method,
        target,
        gzip,
        close,
    }))
}

fn respond(shared: &Shared, req: &Request, out: &mut TcpStream) -> Result<()> {
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", [.., "requests"]) => {
            let param = |name: &str| -> Option<u64> {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                    .and_then(|v| v.parse().ok())
            };
            let limit = param("limit").unwrap_or(100);
            let offset = param("offset").unwrap_or(0);
            let (allowed, latency) = {
                let config = shared.config.lock().unwrap_or_else(|p| p.into_inner());
                (config.gzip, config.page_delay)
            };
            std::thread::sleep(latency);
            let gzip = req.gzip && allowed;
            let (body, total) = page(shared, offset, limit, gzip)?;
            let count = limit.min(total.saturating_sub(offset));
            let range = if count == 0 {
                format!("items 0-0/{total}")
            } else {
                format!("items {offset}-{}/{total}", offset + count - 1)
            };
            let encoding = if gzip {
                "Content-Encoding: gzip\r\n"
            } else {
                ""
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{encoding}Content-Range: {range}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            out.write_all(head.as_bytes())?;
            out.write_all(&body)?;
        }
        ("POST", [.., "requests", id, "approve"]) => {
            let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
            let delay = shared
                .config
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .delay;
            std::thread::sleep(delay);
            shared.in_flight.fetch_sub(1, Ordering::SeqCst);
            shared.posts.fetch_add(1, Ordering::Relaxed);
            let body = format!("{{\"id\":\"{id}\",\"status\":\"approved\"}}");
            simple(out, "200 OK", &body)?;
        }
        ("GET", [.., "accounts"]) => simple(out, "200 OK", "[]")?,
        _ => simple(out, "404 Not Found", "{\"error_code\":\"NOT_FOUND\"}")?,
    }
    Ok(())
}

fn simple(out: &mut TcpStream, status: &str, body: &str) -> Result<()> {
    let text = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// The body of records `offset..offset+limit` (clamped to the total) and the total.
fn page(shared: &Shared, offset: u64, limit: u64, gzip: bool) -> Result<(Arc<Vec<u8>>, u64)> {
    let (total, n_records) = {
        let c = shared.config.lock().unwrap_or_else(|p| p.into_inner());
        (c.total, c.records.len() as u64)
    };
    let count = limit.min(total.saturating_sub(offset));
    let key = (offset % n_records.max(1), count, gzip);
    if let Some(body) = shared
        .pages
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
    {
        return Ok((Arc::clone(body), total));
    }
    // Rendered outside the cache lock: two threads may render the same page once each.
    let mut json = Vec::with_capacity(count as usize * 3000 + 2);
    json.push(b'[');
    {
        let c = shared.config.lock().unwrap_or_else(|p| p.into_inner());
        for i in 0..count {
            if i > 0 {
                json.push(b',');
            }
            let index = (offset + i) % n_records.max(1);
            json.extend_from_slice(&c.records[index as usize]);
        }
    }
    json.push(b']');
    let body = if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&json)?;
        enc.finish()?
    } else {
        json
    };
    let body = Arc::new(body);
    shared
        .pages
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, Arc::clone(&body));
    Ok((body, total))
}
