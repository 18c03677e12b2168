//! The binary frames the core returns to the shim (`docs/architecture.md`, "Rust → Java").
//!
//! Big-endian; `str` is `u32 length` + UTF-8, `bytes` is `u32 length` + raw bytes.
//! `Wire.java` on the Java side reads exactly this layout: change both or neither.

use bytes::Bytes;

use crate::log::Log;

pub(crate) const VERSION: u8 = 1;

const KIND_RESULTS: u8 = 1;
const KIND_PAGE: u8 = 2;
const KIND_OBJECT_TYPES: u8 = 3;
const KIND_DEFINITIONS: u8 = 4;
const KIND_MESSAGE: u8 = 5;

/// One Boomi document produced by the connector: tracked properties plus the data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payload {
    pub tracked: Vec<(String, String)>,
    /// `Bytes` so a query page's documents can share the page buffer without copying.
    pub data: Bytes,
}

impl Payload {
    pub fn new(data: impl Into<Bytes>) -> Self {
        Self {
            tracked: Vec::new(),
            data: data.into(),
        }
    }

    /// The value of tracked property `name`, if the payload has it.
    pub fn tracked_value(&self, name: &str) -> Option<&str> {
        self.tracked
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Boomi's `OperationStatus` for one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Success = 0,
    ApplicationError = 1,
    Failure = 2,
}

/// The outcome of one input document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocResult {
    pub status: Status,
    /// The HTTP status when Connect answered, otherwise a short code (`TIMEOUT`, `BAD_INPUT`, …).
    pub status_code: String,
    /// What the Boomi user reads in the process log and the document status.
    pub message: String,
    /// Empty with `Success` means an empty success (`addEmptyResult`).
    pub payloads: Vec<Payload>,
}

impl DocResult {
    pub fn success(
        status_code: impl Into<String>,
        message: impl Into<String>,
        payloads: Vec<Payload>,
    ) -> Self {
        Self {
            status: Status::Success,
            status_code: status_code.into(),
            message: message.into(),
            payloads,
        }
    }

    pub fn application_error(status_code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status: Status::ApplicationError,
            status_code: status_code.into(),
            message: message.into(),
            payloads: Vec::new(),
        }
    }

    /// The same result carrying `payload` as its document (an application error's error document).
    pub fn with_payload(mut self, payload: Payload) -> Self {
        self.payloads = vec![payload];
        self
    }

    pub fn failure(status_code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status: Status::Failure,
            status_code: status_code.into(),
            message: message.into(),
            payloads: Vec::new(),
        }
    }
}

/// An entry of the OBJECT_TYPES frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectType {
    pub id: String,
    pub label: String,
    pub help: String,
}

/// A field spec of a definition (filter/sort/select capabilities of one field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: String,
    pub field_type: String,
    pub filterable: bool,
    pub sortable: bool,
    pub selectable: bool,
}

/// An entry of the DEFINITIONS frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// `INPUT` or `OUTPUT`.
    pub role: String,
    /// `none`, `binary` or `json`.
    pub input_type: String,
    pub output_type: String,
    pub json_schema: String,
    pub cookie: String,
    pub fields: Vec<FieldSpec>,
}

/// Where a frame's bytes go.
trait Sink {
    fn put(&mut self, data: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, data: &[u8]) {
        self.extend_from_slice(data);
    }
}

/// Nowhere: counts the bytes, to size a frame before it is written.
struct Counter(usize);

impl Sink for Counter {
    fn put(&mut self, data: &[u8]) {
        self.0 += data.len();
    }
}

/// Appends big-endian primitives to a frame.
struct Writer<S: Sink = Vec<u8>> {
    buf: S,
}

impl Writer {
    /// A frame with the log header and `kind`; `body` is the number of bytes that will follow, so
    /// a frame written with the exact figure is allocated once and never grows.
    fn new(log: &Log, kind: u8, body: usize) -> Self {
        let mut header = Writer { buf: Counter(0) };
        header.header(log, kind);
        let mut w = Writer {
            buf: Vec::with_capacity(header.finish().0 + body),
        };
        w.header(log, kind);
        w
    }
}

impl<S: Sink> Writer<S> {
    /// The log lines and the frame's `kind`.
    fn header(&mut self, log: &Log, kind: u8) {
        self.u8(VERSION);
        self.len(log.entries().len());
        for (level, message) in log.entries() {
            self.u8(*level as u8);
            self.str(message);
        }
        self.u8(kind);
    }

    fn u8(&mut self, v: u8) {
        self.buf.put(&[v]);
    }

    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// A `u32` count or length. Lengths beyond `u32::MAX` cannot occur: a Java `byte[]` (the frame)
    /// is limited to 2^31-1 bytes, so saturating keeps the encoder total without a panic path.
    fn len(&mut self, n: usize) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        self.buf.put(&n.to_be_bytes());
    }

    fn bytes(&mut self, data: &[u8]) {
        self.len(data.len());
        self.buf.put(data);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn payload(&mut self, p: &Payload) {
        self.len(p.tracked.len());
        for (name, value) in &p.tracked {
            self.str(name);
            self.str(value);
        }
        self.bytes(&p.data);
    }

    fn finish(self) -> S {
        self.buf
    }
}

/// RESULTS frame: exactly one result per input document, in input order.
pub(crate) fn results(log: &Log, results: &[DocResult]) -> Vec<u8> {
    let mut w = Writer::new(log, KIND_RESULTS, 256);
    w.len(results.len());
    for r in results {
        w.u8(r.status as u8);
        w.str(&r.status_code);
        w.str(&r.message);
        w.len(r.payloads.len());
        for p in &r.payloads {
            w.payload(p);
        }
    }
    w.finish()
}

/// PAGE frame: one page of a query; `done` tells the shim not to call `queryNext` again.
pub(crate) fn page(log: &Log, done: bool, status_code: &str, payloads: &[Payload]) -> Vec<u8> {
    fn body<S: Sink>(w: &mut Writer<S>, done: bool, status_code: &str, payloads: &[Payload]) {
        w.bool(done);
        w.str(status_code);
        w.len(payloads.len());
        for p in payloads {
            w.payload(p);
        }
    }
    let mut size = Writer { buf: Counter(0) };
    body(&mut size, done, status_code, payloads);
    let mut w = Writer::new(log, KIND_PAGE, size.finish().0);
    body(&mut w, done, status_code, payloads);
    w.finish()
}

/// A tracked property's value in a [`PageDocument`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TrackedText {
    /// The bytes `start..end` of the page body (a JSON string without escapes).
    At(usize, usize),
    /// Text decoded from the JSON (escapes, numbers).
    Text(String),
}

impl TrackedText {
    /// The value's UTF-8 bytes, `body` being the page body it was read from (a position outside
    /// it panics).
    pub(crate) fn bytes<'t>(&'t self, body: &'t [u8]) -> &'t [u8] {
        match self {
            TrackedText::At(start, end) => &body[*start..*end],
            TrackedText::Text(s) => s.as_bytes(),
        }
    }
}

/// A query document as positions in its page body: no allocation per document in the common
/// case, and the frame copies the bytes straight from the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageDocument {
    pub start: usize,
    pub end: usize,
    /// Values of the tracked properties named by `page_of`'s `names`, in that order.
    pub(crate) tracked: [Option<TrackedText>; 3],
}

/// PAGE frame of documents inside one page `body` (see [`PageDocument`]), the same bytes as
/// [`page`] with the equivalent payloads, written from the page's own bytes (no payload is
/// copied out first) into a buffer of its exact size.
#[derive(Clone, Copy, Debug)]
pub struct PageFrame<'a> {
    pub log: &'a Log,
    pub done: bool,
    pub status_code: &'a str,
    pub body: &'a [u8],
    /// Names of the tracked properties, in the order of [`PageDocument::tracked`].
    pub names: [&'a str; 3],
    /// Positions in `body`: a position outside it panics.
    pub(crate) documents: &'a [PageDocument],
}

impl PageFrame<'_> {
    /// The frame's size in bytes.
    pub fn size(&self) -> usize {
        let mut w = Writer { buf: Counter(0) };
        self.write(&mut w);
        w.finish().0
    }

    /// The frame as a new buffer, allocated once.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut w = Writer {
            buf: Vec::with_capacity(self.size()),
        };
        self.write(&mut w);
        w.finish()
    }

    fn write<S: Sink>(&self, w: &mut Writer<S>) {
        w.header(self.log, KIND_PAGE);
        w.bool(self.done);
        w.str(self.status_code);
        w.len(self.documents.len());
        for d in self.documents {
            w.len(d.tracked.iter().flatten().count());
            for (name, t) in self.names.iter().zip(&d.tracked) {
                if let Some(t) = t {
                    w.str(name);
                    w.bytes(t.bytes(self.body));
                }
            }
            w.bytes(&self.body[d.start..d.end]);
        }
    }
}

/// A frame ready to hand over: written already, or a [`PageFrame`] to be written where it goes.
#[derive(Clone, Copy, Debug)]
pub enum Frame<'a> {
    Written(&'a [u8]),
    Page(PageFrame<'a>),
}

impl Frame<'_> {
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            Frame::Written(bytes) => bytes.to_vec(),
            Frame::Page(page) => page.to_vec(),
        }
    }
}

/// OBJECT_TYPES frame.
pub(crate) fn object_types(log: &Log, types: &[ObjectType]) -> Vec<u8> {
    let mut w = Writer::new(log, KIND_OBJECT_TYPES, 256);
    w.len(types.len());
    for t in types {
        w.str(&t.id);
        w.str(&t.label);
        w.str(&t.help);
    }
    w.finish()
}

/// DEFINITIONS frame, in the order of the requested roles.
pub(crate) fn definitions(log: &Log, defs: &[Definition]) -> Vec<u8> {
    let mut w = Writer::new(log, KIND_DEFINITIONS, 256);
    w.len(defs.len());
    for d in defs {
        w.str(&d.role);
        w.str(&d.input_type);
        w.str(&d.output_type);
        w.str(&d.json_schema);
        w.str(&d.cookie);
        w.len(d.fields.len());
        for f in &d.fields {
            w.str(&f.name);
            w.str(&f.field_type);
            w.bool(f.filterable);
            w.bool(f.sortable);
            w.bool(f.selectable);
        }
    }
    w.finish()
}

/// MESSAGE frame.
pub(crate) fn message(log: &Log, message: &str) -> Vec<u8> {
    let mut w = Writer::new(log, KIND_MESSAGE, 4 + message.len());
    w.str(message);
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Vec<u8> {
        let mut out = (v.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(v.as_bytes());
        out
    }

    #[test]
    fn message_frame_with_logs() {
        let mut log = Log::new();
        log.info("hi");
        log.warning("careful");
        let got = message(&log, "ok");
        let mut want = vec![1, 0, 0, 0, 2, 1];
        want.extend(s("hi"));
        want.push(2);
        want.extend(s("careful"));
        want.push(5);
        want.extend(s("ok"));
        assert_eq!(got, want);
    }

    #[test]
    fn results_frame_layout() {
        let mut p = Payload::new(&b"{}"[..]);
        p.tracked.push(("id".into(), "PR-1".into()));
        let rs = [
            DocResult::success("200", "OK", vec![p]),
            DocResult::application_error("400", "bad"),
            DocResult::failure("CONNECT", "down"),
        ];
        let got = results(&Log::new(), &rs);
        let mut want = vec![1, 0, 0, 0, 0, 1, 0, 0, 0, 3];
        want.push(0);
        want.extend(s("200"));
        want.extend(s("OK"));
        want.extend([0, 0, 0, 1, 0, 0, 0, 1]);
        want.extend(s("id"));
        want.extend(s("PR-1"));
        want.extend(s("{}"));
        want.push(1);
        want.extend(s("400"));
        want.extend(s("bad"));
        want.extend([0, 0, 0, 0]);
        want.push(2);
        want.extend(s("CONNECT"));
        want.extend(s("down"));
        want.extend([0, 0, 0, 0]);
        assert_eq!(got, want);
    }

    #[test]
    fn page_frame_layout() {
        let got = page(&Log::new(), true, "200", &[Payload::new(&b"[1]"[..])]);
        let mut want = vec![1, 0, 0, 0, 0, 2, 1];
        want.extend(s("200"));
        want.extend([0, 0, 0, 1, 0, 0, 0, 0]);
        want.extend(s("[1]"));
        assert_eq!(got, want);
    }

    #[test]
    fn a_page_frame_of_positions_equals_the_page_of_payloads() {
        let body = br#"[{"id":"PR-1","status":"x"},7,{"status":"a\nb"}]"#;
        let mut log = Log::new();
        log.info("page 1");
        let docs = [
            PageDocument {
                start: 1,
                end: 27,
                tracked: [
                    Some(TrackedText::At(8, 12)),
                    Some(TrackedText::At(24, 25)),
                    Some(TrackedText::At(3, 5)),
                ],
            },
            PageDocument {
                start: 28,
                end: 29,
                tracked: [None, None, None],
            },
            PageDocument {
                start: 30,
                end: 47,
                tracked: [
                    None,
                    Some(TrackedText::Text("a\nb".into())),
                    Some(TrackedText::Text("t".into())),
                ],
            },
        ];
        let frame = PageFrame {
            log: &log,
            done: false,
            status_code: "200",
            body,
            names: ["id", "status", "changedAt"],
            documents: &docs,
        };
        let got = Frame::Page(frame).to_vec();
        let payload = |data: &[u8], tracked: &[(&str, &str)]| Payload {
            tracked: tracked
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            data: Bytes::copy_from_slice(data),
        };
        let want = page(
            &log,
            false,
            "200",
            &[
                payload(
                    br#"{"id":"PR-1","status":"x"}"#,
                    &[("id", "PR-1"), ("status", "x"), ("changedAt", "id")],
                ),
                payload(b"7", &[]),
                payload(
                    br#"{"status":"a\nb"}"#,
                    &[("status", "a\nb"), ("changedAt", "t")],
                ),
            ],
        );
        assert_eq!(got, want);
        assert_eq!(frame.size(), want.len());
        assert_eq!(Frame::Written(&want).to_vec(), want);
        // Sized up front: neither buffer grew past what was written.
        assert_eq!(want.len(), want.capacity());
        assert_eq!(got.len(), got.capacity());
    }

    #[test]
    fn object_types_and_definitions_layout() {
        let got = object_types(
            &Log::new(),
            &[ObjectType {
                id: "REQUEST".into(),
                label: "Request".into(),
                help: "h".into(),
            }],
        );
        let mut want = vec![1, 0, 0, 0, 0, 3, 0, 0, 0, 1];
        want.extend(s("REQUEST"));
        want.extend(s("Request"));
        want.extend(s("h"));
        assert_eq!(got, want);

        let got = definitions(
            &Log::new(),
            &[Definition {
                role: "OUTPUT".into(),
                input_type: "none".into(),
                output_type: "json".into(),
                json_schema: "{}".into(),
                cookie: String::new(),
                fields: vec![FieldSpec {
                    name: "id".into(),
                    field_type: "string".into(),
                    filterable: true,
                    sortable: false,
                    selectable: true,
                }],
            }],
        );
        let mut want = vec![1, 0, 0, 0, 0, 4, 0, 0, 0, 1];
        for v in ["OUTPUT", "none", "json", "{}", ""] {
            want.extend(s(v));
        }
        want.extend([0, 0, 0, 1]);
        want.extend(s("id"));
        want.extend(s("string"));
        want.extend([1, 0, 1]);
        assert_eq!(got, want);
    }
}
