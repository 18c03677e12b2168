//! The loopback HTTP server of the system tests: a tiny HTTP/1.1 server on 127.0.0.1 that answers
//! each request from a plan the test sets (faults, pages, hostile answers) and records what it
//! saw, and a forward proxy. In-process, so it stops with the test binary. The faults and newjdk
//! suites and `cargo xtask emulated` use it.

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The 8+ character pieces that must never appear (see [`scan`]).
const MIN_PIECE: usize = 8;

/// Fails when `text` holds any piece of at least [`MIN_PIECE`] characters of a canary secret.
pub fn scan(text: &str, secrets: &[&str]) -> Result<()> {
    for secret in secrets {
        for piece in secret.as_bytes().windows(MIN_PIECE) {
            let piece = std::str::from_utf8(piece).unwrap_or_default();
            ensure!(
                !text.contains(piece),
                "a piece of a canary secret ({piece:?}) appeared in the runner's output"
            );
        }
    }
    Ok(())
}

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// As sent: origin-form (`/x`) directly, absolute-form (`http://h/x`) through a proxy.
    pub target: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Seen {
    pub fn path(&self) -> &str {
        let t = self
            .target
            .strip_prefix("http://")
            .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or(&self.target);
        t.split('?').next().unwrap_or(t)
    }
    /// A query parameter's value, as sent.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    }
    pub fn template(&self) -> String {
        serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|v| v["template_id"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// What the server does with a request.
pub enum Reply {
    /// Status, extra headers, body (JSON).
    Answer(u16, Vec<(String, String)>, String),
    /// Status line and part of the body, then the connection is closed.
    ResetMidResponse,
    /// Nothing for this long, then close (the client's read timeout fires first).
    Hang(Duration),
    /// Close right after reading the request: the client cannot know whether it took effect.
    Cut,
    /// This reply after a pause (pages that take a round trip to arrive).
    Delayed(Duration, Box<Reply>),
    /// Status, extra headers and raw body bytes (not necessarily UTF-8 or JSON).
    Bytes(u16, Vec<(String, String)>, Vec<u8>),
    /// Writes the whole answer itself (a bomb, a drip); an error ends the connection.
    Custom(fn(&mut TcpStream) -> std::io::Result<()>),
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::Answer(
            200,
            Vec::new(),
            r#"{"id":"PR-1000-0000-0001-001","status":"approved"}"#.into(),
        )
    }
    /// An error page that echoes the request's Authorization header, as a misconfigured gateway
    /// might: the connector must not pass the token on.
    pub fn echo(status: u16, seen: &Seen) -> Reply {
        let auth = seen
            .headers
            .get("authorization")
            .cloned()
            .unwrap_or_default();
        Reply::Answer(
            status,
            vec![("Content-Type".into(), "text/html".into())],
            format!("<html><body>upstream error; request had Authorization: {auth}</body></html>"),
        )
    }
}

/// Decides the reply from the request and how many requests with the same method, path and
/// body came before it (0 for the first).
pub type Plan = Box<dyn Fn(&Seen, usize) -> Reply + Send + Sync>;

/// A tiny HTTP/1.1 server (one thread per connection, `Connection: close`), recording every
/// request. Its accept thread ends when the server is dropped.
pub struct FaultServer {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    plan: Arc<Mutex<Arc<Plan>>>,
    stop: Arc<AtomicBool>,
    /// Requests being answered now, and the most at any time since the last reset.
    in_flight: Arc<Mutex<(usize, usize)>>,
}

impl FaultServer {
    pub fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let plan: Arc<Mutex<Arc<Plan>>> =
            Arc::new(Mutex::new(Arc::new(Box::new(|_, _| Reply::ok()))));
        let stop = Arc::new(AtomicBool::new(false));
        let in_flight = Arc::new(Mutex::new((0, 0)));
        let (s, p, st, f) = (
            Arc::clone(&seen),
            Arc::clone(&plan),
            Arc::clone(&stop),
            Arc::clone(&in_flight),
        );
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (s, p, f) = (Arc::clone(&s), Arc::clone(&p), Arc::clone(&f));
                std::thread::spawn(move || {
                    let _ = serve(conn, &s, &p, &f);
                });
            }
        });
        Ok(FaultServer {
            port,
            seen,
            plan,
            stop,
            in_flight,
        })
    }

    pub fn reset(&self, plan: Plan) {
        *self.plan.lock().expect("plan lock") = Arc::new(plan);
        self.seen.lock().expect("seen lock").clear();
        let mut f = self.in_flight.lock().expect("in-flight lock");
        f.1 = f.0;
    }

    /// The most requests answered at the same time since the last reset.
    pub fn max_in_flight(&self) -> usize {
        self.in_flight.lock().expect("in-flight lock").1
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen lock").clone()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn read_request(conn: &TcpStream) -> Result<Seen> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().context("empty request")?.to_owned();
    let target = parts.next().context("no target")?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn serve(
    conn: TcpStream,
    seen: &Mutex<Vec<Seen>>,
    plan: &Mutex<Arc<Plan>>,
    in_flight: &Mutex<(usize, usize)>,
) -> Result<()> {
    let req = read_request(&conn)?;
    {
        let mut f = in_flight.lock().expect("in-flight lock");
        f.0 += 1;
        f.1 = f.1.max(f.0);
    }
    let reply = reply_for(&req, seen, plan);
    // Out of flight once the answer is decided: the client may send its next request as soon as
    // the answer's bytes arrive, before this thread would get to count it out.
    in_flight.lock().expect("in-flight lock").0 -= 1;
    write_reply(conn, reply)
}

/// The plan's reply to `req`, after any pause it asks for.
fn reply_for(req: &Seen, seen: &Mutex<Vec<Seen>>, plan: &Mutex<Arc<Plan>>) -> Reply {
    let plan = Arc::clone(&plan.lock().expect("plan lock"));
    let nth = {
        let mut all = seen.lock().expect("seen lock");
        let n = all
            .iter()
            .filter(|s| s.method == req.method && s.path() == req.path() && s.body == req.body)
            .count();
        all.push(req.clone());
        n
    };
    let mut reply = plan(req, nth);
    while let Reply::Delayed(pause, then) = reply {
        std::thread::sleep(pause);
        reply = *then;
    }
    reply
}

fn write_reply(mut conn: TcpStream, mut reply: Reply) -> Result<()> {
    if let Reply::Answer(status, headers, body) = reply {
        reply = Reply::Bytes(status, headers, body.into_bytes());
    }
    match reply {
        Reply::Bytes(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                head.push_str("Content-Type: application/json\r\n");
            }
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            conn.write_all(format!("{head}\r\n").as_bytes())?;
            conn.write_all(&body)?;
        }
        Reply::ResetMidResponse => {
            conn.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":\"PR-",
            )?;
            conn.flush()?;
        }
        Reply::Hang(d) => std::thread::sleep(d),
        Reply::Cut | Reply::Answer(..) | Reply::Delayed(..) => {}
        Reply::Custom(write) => {
            // The client hangs up once it has read enough: the write fails then, as it should.
            let _ = write(&mut conn);
        }
    }
    let _ = conn.shutdown(Shutdown::Both);
    Ok(())
}

/// A forward proxy on 127.0.0.1: takes absolute-form requests, forwards them (origin-form) to
/// 127.0.0.1 on the target's port whatever its host name, and pipes the answer back. With
/// `credentials`, a request without the matching `Proxy-Authorization` gets 407.
pub struct Proxy {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(credentials: Option<(&str, &str)>) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let want =
            credentials.map(|(u, p)| format!("Basic {}", base64(format!("{u}:{p}").as_bytes())));
        let (s, st) = (Arc::clone(&seen), Arc::clone(&stop));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (s, want) = (Arc::clone(&s), want.clone());
                std::thread::spawn(move || {
                    let _ = forward(conn, &s, want.as_deref());
                });
            }
        });
        Ok(Proxy { port, seen, stop })
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen lock").clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn forward(mut conn: TcpStream, seen: &Mutex<Vec<Seen>>, want: Option<&str>) -> Result<()> {
    let req = read_request(&conn)?;
    seen.lock().expect("seen lock").push(req.clone());
    if let Some(want) = want
        && req.headers.get("proxy-authorization").map(String::as_str) != Some(want)
    {
        conn.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    }
    let Some(rest) = req.target.strip_prefix("http://") else {
        bail!("not a proxy request: {}", req.target);
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let port: u16 = authority
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(80);
    let mut upstream = TcpStream::connect(("127.0.0.1", port))?;
    let mut head = format!("{} {path} HTTP/1.1\r\nConnection: close\r\n", req.method);
    for (k, v) in &req.headers {
        if !matches!(
            k.as_str(),
            "connection" | "proxy-authorization" | "proxy-connection"
        ) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    upstream.write_all(format!("{head}\r\n{}", req.body).as_bytes())?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer)?;
    conn.write_all(&answer)?;
    let _ = conn.shutdown(Shutdown::Both);
    Ok(())
}

/// Standard base64 (for the proxy's expected `Proxy-Authorization`).
pub fn base64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
