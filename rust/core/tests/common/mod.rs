//! Shared pieces of the HTTP tests: a frame decoder (the Java `Wire` reader's twin) and a
//! wiremock server driven from plain synchronous tests, because the core's API blocks on its own
//! runtime and must not be called from inside another one.
#![allow(dead_code)]

use wiremock::{Mock, MockServer, Request};

pub const TOKEN: &str = "SU-111-222-333:CANARYsecretTOKEN0123456789";
pub const CANARY: &str = "CANARYsecretTOKEN0123456789";

pub struct Server {
    rt: tokio::runtime::Runtime,
    server: Option<MockServer>,
}

impl Server {
    pub fn start() -> Server {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("test runtime");
        let server = rt.block_on(MockServer::start());
        Server {
            rt,
            server: Some(server),
        }
    }

    fn server(&self) -> &MockServer {
        self.server.as_ref().expect("server running")
    }

    pub fn mount(&self, mock: Mock) {
        self.rt.block_on(mock.mount(self.server()));
    }

    pub fn base(&self) -> String {
        format!("{}/public/v1", self.server().uri())
    }

    pub fn requests(&self) -> Vec<Request> {
        self.rt
            .block_on(self.server().received_requests())
            .expect("request recording on")
    }

    /// Opens a client handle on this server with the canary token and quick retries.
    pub fn client(&self, extra: &str) -> u64 {
        let json = format!(
            r#"{{"properties":{{"endpoint":"{}","apiToken":"{TOKEN}","maxRetryWaitSeconds":0{extra}}}}}"#,
            self.base()
        );
        connect_core::api::client_open(json.as_bytes()).expect("client opens")
    }

    /// Checks the mocks' `expect` counts.
    pub fn verify(&self) {
        self.rt.block_on(self.server().verify());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Drop the server inside its runtime (its verification may need one).
        if let Some(server) = self.server.take() {
            let _guard = self.rt.enter();
            drop(server);
        }
    }
}

pub use connect_core::wire::{Definition, DocResult, FieldSpec, ObjectType, Payload, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Results(Vec<DocResult>),
    Page {
        done: bool,
        status_code: String,
        payloads: Vec<Payload>,
    },
    ObjectTypes(Vec<ObjectType>),
    Definitions(Vec<Definition>),
    Message(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub logs: Vec<(u8, String)>,
    pub body: Body,
}

impl Frame {
    pub fn log_text(&self) -> String {
        self.logs
            .iter()
            .map(|(l, m)| format!("{l} {m}\n"))
            .collect()
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn u8(&mut self) -> u8 {
        let v = self.buf[self.pos];
        self.pos += 1;
        v
    }
    fn u32(&mut self) -> usize {
        let v = u32::from_be_bytes(self.buf[self.pos..self.pos + 4].try_into().unwrap());
        self.pos += 4;
        v as usize
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = self.u32();
        let v = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        v
    }
    fn str(&mut self) -> String {
        String::from_utf8(self.bytes()).expect("utf-8 string")
    }
    fn payload(&mut self) -> Payload {
        let n = self.u32();
        let tracked = (0..n).map(|_| (self.str(), self.str())).collect();
        Payload {
            tracked,
            data: self.bytes().into(),
        }
    }
}

/// Decodes a frame, asserting it is well formed and fully consumed.
pub fn decode(frame: &[u8]) -> Frame {
    let mut r = Reader { buf: frame, pos: 0 };
    assert_eq!(r.u8(), 1, "frame version");
    let n = r.u32();
    let logs = (0..n).map(|_| (r.u8(), r.str())).collect();
    let body = match r.u8() {
        1 => {
            let n = r.u32();
            Body::Results(
                (0..n)
                    .map(|_| {
                        let status = match r.u8() {
                            0 => Status::Success,
                            1 => Status::ApplicationError,
                            2 => Status::Failure,
                            s => panic!("unknown status {s}"),
                        };
                        let status_code = r.str();
                        let message = r.str();
                        let np = r.u32();
                        DocResult {
                            status,
                            status_code,
                            message,
                            payloads: (0..np).map(|_| r.payload()).collect(),
                        }
                    })
                    .collect(),
            )
        }
        2 => {
            let done = r.u8() == 1;
            let status_code = r.str();
            let n = r.u32();
            Body::Page {
                done,
                status_code,
                payloads: (0..n).map(|_| r.payload()).collect(),
            }
        }
        3 => {
            let n = r.u32();
            Body::ObjectTypes(
                (0..n)
                    .map(|_| ObjectType {
                        id: r.str(),
                        label: r.str(),
                        help: r.str(),
                    })
                    .collect(),
            )
        }
        4 => {
            let n = r.u32();
            Body::Definitions(
                (0..n)
                    .map(|_| {
                        let (role, input_type, output_type, json_schema, cookie) =
                            (r.str(), r.str(), r.str(), r.str(), r.str());
                        let n = r.u32();
                        let fields = (0..n)
                            .map(|_| FieldSpec {
                                name: r.str(),
                                field_type: r.str(),
                                filterable: r.u8() == 1,
                                sortable: r.u8() == 1,
                                selectable: r.u8() == 1,
                            })
                            .collect();
                        Definition {
                            role,
                            input_type,
                            output_type,
                            json_schema,
                            cookie,
                            fields,
                        }
                    })
                    .collect(),
            )
        }
        5 => Body::Message(r.str()),
        k => panic!("unknown frame kind {k}"),
    };
    assert_eq!(r.pos, frame.len(), "trailing bytes in frame");
    Frame { logs, body }
}

pub fn results(frame: &[u8]) -> (Vec<DocResult>, Frame) {
    let f = decode(frame);
    match &f.body {
        Body::Results(r) => (r.clone(), f),
        other => panic!("expected RESULTS, got {other:?}"),
    }
}

pub fn page(frame: &[u8]) -> (bool, Vec<Payload>, Frame) {
    let f = decode(frame);
    match &f.body {
        Body::Page { done, payloads, .. } => (*done, payloads.clone(), f),
        other => panic!("expected PAGE, got {other:?}"),
    }
}

/// A batch of one Get Resource of `PR-1`.
pub const GET_PR_1: &[u8] = br#"{"operation":{"operationType":"GET","objectType":"REQUEST","properties":{}},"documents":[{"objectId":"PR-1","dynamicProperties":{}}]}"#;

/// Runs a batch of one document (`body` its data): that document's result and the frame.
pub fn execute_one(client: u64, batch: &[u8], body: Option<Vec<u8>>) -> (DocResult, Frame) {
    let (mut rs, frame) =
        results(&connect_core::api::execute(client, batch, vec![body]).expect("batch runs"));
    assert_eq!(rs.len(), 1);
    (rs.remove(0), frame)
}

/// A real Connect request (fixture), pretty-printed, with `__ID__` where its id goes.
fn request_template() -> &'static str {
    static T: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut list: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../fixtures/requests.json")).expect("fixture");
        let mut one = list.swap_remove(0);
        one["id"] = serde_json::Value::String("__ID__".to_owned());
        // Pretty-printed on purpose: documents must come back byte for byte, whitespace included.
        serde_json::to_string_pretty(&one).expect("json")
    })
}

pub fn request_json(id: &str) -> String {
    request_template().replace("__ID__", id)
}

/// A JSON array of `n` requests with ids `PR-{offset+i}`.
pub fn request_page(offset: usize, n: usize) -> String {
    let items: Vec<String> = (offset..offset + n)
        .map(|i| request_json(&format!("PR-{i}")))
        .collect();
    format!("[\n  {}\n]", items.join(" ,\n  "))
}

/// A `batchJson` for `execute`: one operation (`custom` is the custom operation type, `props` the
/// inside of its `properties` object) over the document JSONs `docs`.
pub fn batch(
    object: &str,
    op_type: &str,
    custom: Option<&str>,
    props: &str,
    docs: &[&str],
) -> Vec<u8> {
    let custom = custom.map_or("null".to_owned(), |c| format!("\"{c}\""));
    format!(
        r#"{{"operation":{{"operationType":"{op_type}","customOperationType":{custom},"objectType":"{object}","properties":{{{props}}}}},"documents":[{}]}}"#,
        docs.join(",")
    )
    .into_bytes()
}

/// A `queryJson` for List Resources on `object` (`props` is the inside of the operation's
/// `properties`, `selected` the JSON of `selectedFields`, `filter` the JSON of the filter).
pub fn query_json(object: &str, props: &str, selected: &str, filter: &str) -> Vec<u8> {
    format!(
        r#"{{"operation":{{"operationType":"QUERY","objectType":"{object}","properties":{{{props}}},"selectedFields":{selected}}},"dynamicProperties":{{}},"filter":{filter}}}"#
    )
    .into_bytes()
}

/// Runs a query to the end through `connect_core::api`; returns all documents and every frame.
pub fn run_query(client: u64, query: &[u8]) -> (Vec<Payload>, Vec<Frame>) {
    try_run_query(client, query).expect("page")
}

/// [`run_query`], or the first error a page ends with (the cursor closed).
pub fn try_run_query(
    client: u64,
    query: &[u8],
) -> Result<(Vec<Payload>, Vec<Frame>), connect_core::error::CoreError> {
    let cursor = connect_core::api::query_open(client, query).expect("query opens");
    let mut docs = Vec::new();
    let mut frames = Vec::new();
    for _ in 0..100 {
        let next = match connect_core::api::query_next(cursor) {
            Ok(next) => next,
            Err(e) => {
                connect_core::api::query_close(cursor).expect("close");
                return Err(e);
            }
        };
        let (done, payloads, frame) = page(&next);
        docs.extend(payloads);
        frames.push(frame);
        if done {
            connect_core::api::query_close(cursor).expect("close");
            return Ok((docs, frames));
        }
    }
    panic!("query never finished");
}

/// Matches `method` on `path` (below `/public/v1`); more matchers may follow.
pub fn given(method: &str, path: &str) -> wiremock::MockBuilder {
    Mock::given(wiremock::matchers::method(method))
        .and(wiremock::matchers::path(format!("/public/v1{path}")))
}

/// Answers `method` on `path` (below `/public/v1`) with `response`.
pub fn mock(method: &str, path: &str, response: wiremock::ResponseTemplate) -> Mock {
    given(method, path).respond_with(response)
}

/// Answers `method` on `path` (below `/public/v1`) with `status` and the JSON `body`.
pub fn json_mock(method: &str, path: &str, status: u16, body: impl Into<Vec<u8>>) -> Mock {
    mock(
        method,
        path,
        wiremock::ResponseTemplate::new(status).set_body_raw(body.into(), "application/json"),
    )
}

/// Answers `GET /requests?limit=…&offset=…` with `items` requests from `offset` on, and the
/// `Content-Range` header when given.
pub fn page_mock(limit: usize, offset: usize, items: usize, range: Option<&str>) -> Mock {
    let mut resp = wiremock::ResponseTemplate::new(200)
        .set_body_raw(request_page(offset, items), "application/json");
    if let Some(r) = range {
        resp = resp.insert_header("Content-Range", r);
    }
    given("GET", "/requests")
        .and(wiremock::matchers::query_param("limit", limit.to_string()))
        .and(wiremock::matchers::query_param(
            "offset",
            offset.to_string(),
        ))
        .respond_with(resp)
}

/// The usage file fixture (a real `.xlsx`), as bytes.
pub fn fixture_xlsx() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/UF.xlsx"
    ))
    .expect("tests/fixtures/UF.xlsx")
}

pub fn assert_no_canary(what: &str, text: &str) {
    assert!(!text.contains(CANARY), "token leaked in {what}: {text}");
}

/// Asserts a result's status and code, that its message contains `text`, and holds no token.
pub fn assert_result(r: &DocResult, status: Status, code: &str, text: &str) {
    assert_eq!(
        (r.status, r.status_code.as_str()),
        (status, code),
        "{}",
        r.message
    );
    assert!(r.message.contains(text), "{:?} lacks {text:?}", r.message);
    assert_no_canary("the message", &r.message);
}
