//! Executions with identical connection settings reuse one client, and with it the keep-alive
//! connection of the execution before (no new TCP or TLS handshake per Boomi execution); any other
//! settings get a client and connections of their own.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{TOKEN, query_json, run_query};
use connect_core::api;

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with an empty page and
/// counts the connections it accepts.
fn counting_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || serve(stream));
        }
    });
    (port, accepted)
}

/// Answers the GET requests of one connection until the client closes it.
fn serve(stream: std::net::TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        // A request: lines up to the empty one (GETs have no body).
        let mut lines = 0;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" => break,
                Ok(_) => lines += 1,
            }
        }
        assert!(lines > 0, "a request line");
        let body = "[]";
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Range: items 0-0/0\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn connection(port: u16, token: &str) -> Vec<u8> {
    format!(
        r#"{{"properties":{{"endpoint":"http://127.0.0.1:{port}/public/v1","apiToken":"{token}"}}}}"#
    )
    .into_bytes()
}

/// One Boomi execution: open the connection, run a query to the end, close everything.
fn execution(connection: &[u8]) {
    let client = api::client_open(connection).expect("client opens");
    let (documents, _) = run_query(client, &query_json("REQUEST", "", "null", "null"));
    assert!(documents.is_empty());
    api::client_close(client).expect("client closes");
}

#[test]
fn executions_with_the_same_settings_share_the_connection() {
    let (port, accepted) = counting_server();
    let settings = connection(port, TOKEN);
    for _ in 0..3 {
        execution(&settings);
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "one connection for three executions"
    );

    // Another token is another connection, with a client and a pool of its own.
    execution(&connection(port, "SU-111-222-333:another0token0456"));
    assert_eq!(accepted.load(Ordering::SeqCst), 2);

    // The first settings' connection is still there for them.
    execution(&settings);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}
