//! Test Connection: one cheap authenticated call, `GET {endpoint}/accounts?limit=1`.

use serde::Deserialize;

use crate::client::{ApiRequest, Client, TransportKind};
use crate::error::{CoreError, ErrorCode, Result};
use crate::log::Log;
use crate::settings::DEFAULT_ENDPOINT;
use crate::wire;

/// A MESSAGE frame on success; otherwise an error whose code says why (`AUTH`, `UNREACHABLE`,
/// `TLS`, `WRONG_ENDPOINT`, `HTTP`).
pub fn test_connection(client: &Client) -> Result<Vec<u8>> {
    let mut log = Log::new();
    let url = client.url(["accounts"], Some("limit=1"))?;
    let req = ApiRequest::get(url);
    let endpoint = &client.settings().endpoint;
    let resp = match crate::runtime::block_on(client.send(&req, &mut log))? {
        Ok(resp) => resp,
        Err(e) => {
            let code = match e.kind {
                TransportKind::Tls => ErrorCode::Tls,
                // Something answered, but not as Connect would.
                TransportKind::Redirect | TransportKind::TooLarge(_) => ErrorCode::WrongEndpoint,
                _ => ErrorCode::Unreachable,
            };
            return Err(CoreError::new(code, e.message));
        }
    };
    let wrong_endpoint = |why: String| {
        CoreError::new(
            ErrorCode::WrongEndpoint,
            client.redact(&format!(
                "{endpoint} does not look like the Connect API ({why}); use the API base URL, e.g. {DEFAULT_ENDPOINT}"
            )),
        )
    };
    match resp.status {
        200..=299 => {}
        401 | 403 => {
            return Err(CoreError::new(
                ErrorCode::Auth,
                client.redact(&format!(
                    "the API token was rejected ({}): check it is an active Connect token, e.g. `ApiKey SU-…:…`",
                    client.error_message(&resp)
                )),
            ));
        }
        404 => {
            return Err(wrong_endpoint(format!(
                "GET /accounts answered {}",
                client.error_message(&resp)
            )));
        }
        _ if !resp.is_json() => {
            return Err(wrong_endpoint(format!(
                "GET /accounts answered {} with a non-JSON page",
                resp.status
            )));
        }
        _ => {
            return Err(CoreError::new(
                ErrorCode::Http,
                client.redact(&format!(
                    "GET /accounts failed: {}",
                    client.error_message(&resp)
                )),
            ));
        }
    }
    #[derive(Deserialize)]
    struct Account {
        #[serde(default)]
        id: Option<String>,
        #[serde(default)]
        name: Option<String>,
    }
    let accounts: Vec<Account> = serde_json::from_slice(&resp.body).map_err(|_| {
        wrong_endpoint(format!(
            "GET /accounts did not answer with a JSON list: {}",
            client.excerpt(&resp.body, 80)
        ))
    })?;
    let who = match accounts.first() {
        Some(Account {
            name: Some(n),
            id: Some(i),
        }) => format!(" as {n} ({i})"),
        Some(Account {
            name: Some(n),
            id: None,
        }) => format!(" as {n}"),
        Some(Account {
            name: None,
            id: Some(i),
        }) => format!(" as {i}"),
        _ => String::new(),
    };
    let message = client.redact(&format!("Connected to {endpoint}{who}"));
    Ok(wire::message(&log, &message))
}
