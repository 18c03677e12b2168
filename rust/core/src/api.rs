//! The safe face of the core for the bridge: one function per native method of
//! `com.cloudblue.connect.boomi.Native` (see `docs/architecture.md`).

use std::sync::{Arc, Mutex};

use crate::client::Client;
use crate::clients::ClientCache;
use crate::error::{CoreError, Result};
use crate::handles::HandleTable;
use crate::query::QueryCursor;
use crate::settings::Settings;
use crate::wire::Frame;

static CLIENTS: HandleTable<Client> = HandleTable::new("client");
static CURSORS: HandleTable<Mutex<QueryCursor>> = HandleTable::new("query cursor");
/// The clients behind the handles, shared by handles of identical settings (see [`crate::clients`]).
static RECENT_CLIENTS: ClientCache = ClientCache::new();

/// The environment variable that enables [`test_hook`]. No Atom sets it.
pub const TEST_HOOKS_ENV: &str = "CLOUDBLUE_CONNECT_TEST_HOOKS";

/// The crate version; the loader calls it once to prove the library works.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Validates `connectionJson` and returns a handle to the connection's HTTP client: the one of an
/// earlier execution with identical settings (its idle connections included), or a new one.
pub fn client_open(connection_json: &[u8]) -> Result<u64> {
    let settings = Settings::parse(connection_json)?;
    let client = RECENT_CLIENTS.get_or_build(settings, Client::new)?;
    Ok(CLIENTS.insert_shared(client))
}

/// Releases a client handle (0 is a no-op). Open cursors keep their own reference to the client,
/// and the client itself stays for the next execution with the same settings.
pub fn client_close(client: u64) -> Result<()> {
    CLIENTS.remove(client)
}

fn client(client: u64) -> Result<Arc<Client>> {
    CLIENTS.get(client)
}

pub fn test_connection(client_handle: u64) -> Result<Vec<u8>> {
    crate::connection::test_connection(&*client(client_handle)?)
}

pub fn browse(browse_json: &[u8]) -> Result<Vec<u8>> {
    crate::browse::browse(browse_json)
}

/// Validates the query and returns a cursor handle; no request is sent yet.
pub fn query_open(client_handle: u64, query_json: &[u8]) -> Result<u64> {
    let cursor = QueryCursor::open(client(client_handle)?, query_json)?;
    Ok(CURSORS.insert(Mutex::new(cursor)))
}

/// Fetches the next documents of a cursor (a PAGE frame).
pub fn query_next(cursor: u64) -> Result<Vec<u8>> {
    query_next_with(cursor, |frame| frame.to_vec())
}

/// [`query_next`] handing the frame to `deliver`, which writes it where it goes (the bridge: into
/// a Java array). The frame's documents count as delivered only once `deliver` returned, so a
/// failure there (no memory for the array) loses no document.
pub fn query_next_with<R>(cursor: u64, deliver: impl FnOnce(&Frame<'_>) -> R) -> Result<R> {
    let cursor = CURSORS.get(cursor)?;
    // A panic mid-page leaves the cursor at a frame boundary (paging state is updated only after a
    // page arrived, and a frame's documents count as delivered only once `deliver` returned), so a
    // poisoned lock is still usable.
    let mut guard = cursor.lock().unwrap_or_else(|p| p.into_inner());
    guard.next_frame(deliver)
}

pub fn query_close(cursor: u64) -> Result<()> {
    CURSORS.remove(cursor)
}

/// Runs one batch of documents; `bodies[i]` is document i's bytes (`None` for GET and DELETE).
pub fn execute(
    client_handle: u64,
    batch_json: &[u8],
    bodies: Vec<Option<Vec<u8>>>,
) -> Result<Vec<u8>> {
    crate::execute::execute(client(client_handle)?, batch_json, bodies)
}

/// Test-only hooks, active only when `CLOUDBLUE_CONNECT_TEST_HOOKS=1`: `"panic"` panics.
pub fn test_hook(name: &str) -> Result<()> {
    if std::env::var(TEST_HOOKS_ENV).as_deref() != Ok("1") {
        return Ok(());
    }
    match name {
        "panic" => panic!("test hook: deliberate panic inside Rust"),
        other => Err(CoreError::invalid_request(format!(
            "unknown test hook \"{other}\""
        ))),
    }
}

/// Open handles (clients, cursors), for leak checks in tests.
pub fn open_handles() -> (usize, usize) {
    (CLIENTS.len(), CURSORS.len())
}
