//! "Submit Usage Records" on Usage Report: a usage file from JSON records.
//!
//! Connect takes usage only as an XLSX file in its usage template's format. The input document
//! is the usage file's fields (the body of Create on Usage Report) plus `records`, an array of
//! objects with the template's columns. The records are checked and written, one at a time,
//! into the `records` sheet of an XLSX (rust_xlsxwriter in constant-memory mode: each row goes
//! to a temporary file as soon as it is complete, so memory holds the document and the XLSX
//! being written, not the rows). Only when every record is valid does Connect hear of it:
//! create the usage file, upload the XLSX, and with the setting "Submit" wait until Connect has
//! validated the file (status `ready`) and submit it. The result is the usage file object.

use bytes::Bytes;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use crate::catalog::Action;
use crate::client::{Client, RequestBody};
use crate::log::Log;
use crate::operation::{Operation, tracked};
use crate::wire::{DocResult, Payload};
use crate::workflow::{Steps, WAIT_LABEL, member, with_object};

pub use connect_catalog::usage::{
    COLUMNS, Column, DEFAULT_WAIT_MINUTES, Kind, PRECISIONS, PROFILE, RECORDS, SHEET, SUBMIT_PARAM,
};

/// An XLSX sheet has 1,048,576 rows; the first holds the column names.
const MAX_RECORDS: u32 = 1_048_575;

/// What is wrong with an input document, for its result.
#[derive(Debug, PartialEq)]
pub(crate) struct Problem {
    /// 1-based position of the record, when a record is at fault.
    pub record: Option<u64>,
    pub record_id: Option<String>,
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    fn document(message: impl Into<String>) -> Self {
        Problem {
            record: None,
            record_id: None,
            column: None,
            message: message.into(),
        }
    }

    /// The text a Boomi user reads: which record, which column, what to fix.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        if let Some(n) = self.record {
            out.push_str(&format!("record {n}"));
            if let Some(id) = &self.record_id {
                out.push_str(&format!(" (record_id {id:?})"));
            }
            if let Some(c) = &self.column {
                out.push_str(&format!(", column \"{c}\""));
            }
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out
    }

    /// The document of the APPLICATION_ERROR result: the same facts, for routing in a process.
    fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "error": "INVALID_RECORD",
            "record": self.record,
            "record_id": self.record_id,
            "column": self.column,
            "message": self.text(),
        }))
        .unwrap_or_default()
    }
}

/// A checked document: the usage file's fields and the XLSX of its records.
#[derive(Debug)]
pub(crate) struct Usage {
    /// The body of Create: the document without `records`.
    pub file: Map<String, Value>,
    pub xlsx: Vec<u8>,
    pub records: u32,
}

/// Reads a usage document, checking every record and writing it into the XLSX as it goes.
pub(crate) fn read(doc: &[u8]) -> Result<Usage, Problem> {
    let mut reader = Reader {
        file: Map::new(),
        sheet: None,
        records: 0,
        saw_records: false,
        problem: None,
    };
    let mut de = serde_json::Deserializer::from_slice(doc);
    let parsed = (&mut reader).deserialize(&mut de).and_then(|()| de.end());
    if let Some(problem) = reader.problem.take() {
        return Err(problem);
    }
    if let Err(e) = parsed {
        return Err(Problem::document(format!(
            "the document is not a usage document ({e}); send a JSON object matching the \
             {PROFILE} profile"
        )));
    }
    let file = &reader.file;
    for (name, value, what) in [
        ("name", file.get("name"), "the usage file's name"),
        (
            "product.id",
            file.get("product").and_then(|p| p.get("id")),
            "the product",
        ),
    ] {
        if value
            .and_then(Value::as_str)
            .is_none_or(|s| s.trim().is_empty())
        {
            return Err(Problem::document(format!(
                "no \"{name}\": set {what} in the document"
            )));
        }
    }
    if !reader.saw_records {
        return Err(Problem::document(format!(
            "no \"{RECORDS}\" array: send the usage records as \"{RECORDS}\": [{{…}}, …]"
        )));
    }
    let Some(mut workbook) = reader.sheet.take().filter(|_| reader.records > 0) else {
        return Err(Problem::document(format!(
            "\"{RECORDS}\" is empty: send at least one usage record"
        )));
    };
    let xlsx = workbook
        .save_to_buffer()
        .map_err(|e| Problem::document(format!("the XLSX could not be written: {e}")))?;
    Ok(Usage {
        file: reader.file,
        xlsx,
        records: reader.records,
    })
}

struct Reader {
    file: Map<String, Value>,
    /// Created with the first record.
    sheet: Option<rust_xlsxwriter::Workbook>,
    records: u32,
    saw_records: bool,
    /// Set when a record is refused (the parser then stops with a placeholder error).
    problem: Option<Problem>,
}

impl Reader {
    fn refuse<E: de::Error>(&mut self, problem: Problem) -> E {
        self.problem = Some(problem);
        E::custom("refused")
    }

    /// Checks one record and writes it as the next row.
    fn record(&mut self, value: Value) -> Result<(), Problem> {
        let n = u64::from(self.records) + 1;
        let at = |column: Option<&str>, record_id: Option<String>, message: String| Problem {
            record: Some(n),
            record_id,
            column: column.map(str::to_owned),
            message,
        };
        let Value::Object(record) = value else {
            return Err(at(
                None,
                None,
                format!(
                    "is a JSON {}; each record is an object of columns",
                    json_type(&value)
                ),
            ));
        };
        let record_id = record
            .get("record_id")
            .and_then(text)
            .filter(|s| !s.is_empty());
        if self.records >= MAX_RECORDS {
            return Err(at(
                None,
                record_id,
                format!(
                    "a usage file holds at most {MAX_RECORDS} records; split the records over several documents"
                ),
            ));
        }
        if let Some(unknown) = record
            .keys()
            .find(|k| !COLUMNS.iter().any(|c| c.name == k.as_str()))
        {
            let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
            return Err(at(
                Some(unknown),
                record_id,
                format!(
                    "is not a column of the usage template; the columns are {}",
                    names.join(", ")
                ),
            ));
        }
        let mut cells: Vec<Cell> = Vec::with_capacity(COLUMNS.len());
        for c in COLUMNS {
            let value = record.get(c.name).filter(|v| !v.is_null());
            let cell = match value {
                None if c.required => {
                    return Err(at(
                        Some(c.name),
                        record_id,
                        format!("is missing; {}", c.help),
                    ));
                }
                None => Cell::Empty,
                Some(v) => cell(c, v).map_err(|m| at(Some(c.name), record_id.clone(), m))?,
            };
            cells.push(cell);
        }
        let column = |name: &str| COLUMNS.iter().position(|c| c.name == name).unwrap_or(0);
        if matches!(cells[column("quantity")], Cell::Empty)
            && matches!(cells[column("amount")], Cell::Empty)
        {
            return Err(at(
                Some("quantity"),
                record_id,
                "is missing; a record needs \"quantity\" or \"amount\"".into(),
            ));
        }
        if let (Cell::Text(start), Cell::Text(end)) = (
            &cells[column("start_time_utc")],
            &cells[column("end_time_utc")],
        ) && end < start
        {
            return Err(at(
                Some("end_time_utc"),
                record_id,
                format!("{end} is before start_time_utc {start}"),
            ));
        }
        let row = self.records + 1;
        self.write_row(row, &cells).map_err(|e| {
            at(
                None,
                record_id,
                format!("could not be written to the XLSX: {e}"),
            )
        })?;
        self.records += 1;
        Ok(())
    }

    fn write_row(&mut self, row: u32, cells: &[Cell]) -> Result<(), rust_xlsxwriter::XlsxError> {
        if self.sheet.is_none() {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet_with_constant_memory()?;
            sheet.set_name(SHEET)?;
            for (i, c) in COLUMNS.iter().enumerate() {
                sheet.write_string(0, col_index(i), c.name)?;
            }
            self.sheet = Some(workbook);
        }
        let Some(workbook) = self.sheet.as_mut() else {
            return Ok(());
        };
        let sheet = workbook.worksheet_from_index(0)?;
        for (i, cell) in cells.iter().enumerate() {
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(row, col_index(i), s)?;
                }
                Cell::Number(v) => {
                    sheet.write_number(row, col_index(i), *v)?;
                }
            }
        }
        Ok(())
    }
}

fn col_index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A string, or a number's text.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Checks one column's value; the error says what the value must be.
fn cell(c: &Column, v: &Value) -> Result<Cell, String> {
    let shown = || match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    match c.kind {
        Kind::Text => match text(v) {
            Some(s) if s.is_empty() && c.required => Err(format!("is empty; {}", c.help)),
            Some(s) => Ok(Cell::Text(s)),
            None => Err(format!("must be text, not a JSON {}", json_type(v))),
        },
        Kind::Number => {
            let n = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            match n {
                Some(n) if n.is_finite() => Ok(Cell::Number(n)),
                _ => Err(format!("must be a number, got {}", shown())),
            }
        }
        Kind::Time => match v.as_str().and_then(utc_time) {
            Some(t) => Ok(Cell::Text(t)),
            None => Err(format!(
                "must be a UTC time written YYYY-MM-DD hh:mm:ss (or with T and Z), got {}",
                shown()
            )),
        },
        Kind::Precision => match v.as_str().map(str::trim) {
            Some(p) if PRECISIONS.contains(&p) => Ok(Cell::Text(p.to_owned())),
            _ => Err(format!(
                "must be one of {}, got {}",
                PRECISIONS.join(", "),
                shown()
            )),
        },
        Kind::Tier => match v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()) {
            Some(t) if t <= u64::from(u32::MAX) => Ok(Cell::Number(t as f64)),
            _ => Err(format!(
                "must be a whole number, 0 or more, got {}",
                shown()
            )),
        },
    }
}

/// `2024-03-01 00:00:00` from that, or from `2024-03-01T00:00:00`, with an optional `Z` or
/// `+00:00`; `None` for anything else, including impossible dates and other offsets.
pub(crate) fn utc_time(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix("+00:00"))
        .unwrap_or(s);
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(format!(
        "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
    ))
}

impl<'de> DeserializeSeed<'de> for &mut Reader {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Reader {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object with the usage file's fields and its records")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == RECORDS {
                if self.saw_records {
                    return Err(self.refuse(Problem::document(format!(
                        "\"{RECORDS}\" appears twice in the document"
                    ))));
                }
                self.saw_records = true;
                map.next_value_seed(Records(&mut *self))?;
            } else {
                let value: Value = map.next_value()?;
                self.file.insert(key, value);
            }
        }
        Ok(())
    }
}

/// The `records` array, read one record at a time.
struct Records<'a>(&'a mut Reader);

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of usage records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            if let Err(problem) = self.0.record(value) {
                return Err(self.0.refuse(problem));
            }
        }
        Ok(())
    }
}

/// Runs one document: read and write the XLSX, then create, upload and maybe submit.
pub(crate) async fn run(
    client: &Client,
    op: &Operation,
    index: usize,
    body: Option<Vec<u8>>,
) -> (DocResult, Log) {
    let mut steps = Steps::new(client, op, index);
    let outcome = run_steps(&mut steps, body).await;
    steps.finish(outcome)
}

async fn run_steps(steps: &mut Steps<'_>, body: Option<Vec<u8>>) -> Result<DocResult, DocResult> {
    let client = steps.client;
    let submit = steps.op.properties.flag(SUBMIT_PARAM, false);
    let mut poll = steps.poll(DEFAULT_WAIT_MINUTES)?;
    let create = steps.spec(Action::Create)?;
    let upload = steps.spec(Action::Upload)?;
    let get = steps.spec(Action::Get)?;
    let submit_spec = steps.spec(Action::Submit)?;
    let started = std::time::Instant::now();
    let usage = match read(&body.unwrap_or_default()) {
        Ok(usage) => usage,
        Err(problem) if problem.record.is_some() => {
            let message = client.redact(&problem.text());
            let mut result = DocResult::application_error("INVALID_RECORD", message);
            result.payloads = vec![Payload::new(problem.to_json())];
            return Err(result);
        }
        Err(problem) => return Err(crate::execute::bad_input(&client.redact(&problem.text()))),
    };
    steps.info(format_args!(
        "{} usage records written to an XLSX of {} bytes ({} ms)",
        usage.records,
        usage.xlsx.len(),
        started.elapsed().as_millis()
    ));

    let file_body = RequestBody::Json(serde_json::to_vec(&usage.file).unwrap_or_default().into());
    let created = steps.call(create, None, file_body, "").await?;
    let id = steps.created_id(&created, "a usage file")?;
    steps.info(format_args!("usage file {id} created"));
    let upload_body = RequestBody::Multipart {
        file_part: upload_part(upload),
        data: Bytes::from(usage.xlsx),
        note: None,
    };
    let context = format!("usage file {id} was created, but the upload failed: ");
    let mut file = steps.call(upload, Some(&id), upload_body, &context).await?;
    steps.info(format_args!(
        "usage file {id} uploaded, status {}",
        member(&file.body, "status")
    ));
    if submit {
        loop {
            match member(&file.body, "status").as_str() {
                "ready" => break,
                "invalid" => {
                    let why = member(&file.body, "error_detail");
                    let message = format!(
                        "usage file {id} was uploaded, but Connect found it invalid: {why}"
                    );
                    return Err(with_object(
                        DocResult::application_error("INVALID_FILE", message),
                        &file.body,
                    ));
                }
                status => {
                    let Some(pause) = poll.next_pause() else {
                        let message = format!(
                            "usage file {id} was uploaded, but Connect had not validated it \
                             within \"{WAIT_LABEL}\" (status {status}); submit it later with \
                             Submit on Usage Report"
                        );
                        return Err(with_object(
                            DocResult::application_error("WAIT_EXPIRED", message),
                            &file.body,
                        ));
                    };
                    steps.info(format_args!(
                        "usage file {id} is {status}; checking again in {:.0} s",
                        pause.as_secs_f64()
                    ));
                    poll.pause().await;
                }
            }
            let context = format!("usage file {id} was uploaded, but checking its status failed: ");
            file = steps
                .call(get, Some(&id), RequestBody::None, &context)
                .await?;
        }
        let context =
            format!("usage file {id} was uploaded and validated, but submitting it failed: ");
        file = steps
            .call(submit_spec, Some(&id), RequestBody::None, &context)
            .await?;
        steps.info(format_args!(
            "usage file {id} submitted, status {}",
            member(&file.body, "status")
        ));
    }
    let done = if submit {
        "uploaded and submitted"
    } else {
        "uploaded"
    };
    Ok(DocResult::success(
        file.status.to_string(),
        format!("usage file {id}: {} records {done}", usage.records),
        vec![Payload {
            tracked: tracked(&file.body),
            data: file.body,
        }],
    ))
}

/// The multipart part the upload action sends the file as.
fn upload_part(spec: &crate::catalog::ActionSpec) -> &'static str {
    match spec.body {
        crate::catalog::Body::Multipart { file_part, .. } => file_part,
        _ => "usage_file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Value {
        json!({
            "record_id": "R-1",
            "item_search_criteria": "item.mpn",
            "item_search_value": "MPN-1",
            "quantity": 2,
            "start_time_utc": "2024-03-01 00:00:00",
            "end_time_utc": "2024-03-31T23:59:59Z",
            "asset_search_criteria": "asset.id",
            "asset_search_value": "AS-1"
        })
    }

    fn doc(records: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "records": records,
            "name": "March",
            "product": {"id": "PRD-1"},
            "contract": {"id": "CRD-1"}
        }))
        .unwrap()
    }

    fn problem(records: Value) -> Problem {
        read(&doc(records)).expect_err("refused")
    }

    #[test]
    fn reads_the_file_fields_and_writes_the_records() {
        let mut second = record();
        second["record_id"] = json!("R-2");
        second["amount"] = json!("1.5");
        second["quantity"] = Value::Null;
        second["tier"] = json!(1);
        second["item_precision"] = json!("decimal(2)");
        let usage = read(&doc(json!([record(), second]))).unwrap();
        assert_eq!(usage.records, 2);
        assert_eq!(
            Value::Object(usage.file),
            json!({"name": "March", "product": {"id": "PRD-1"}, "contract": {"id": "CRD-1"}})
        );
        assert!(usage.xlsx.starts_with(b"PK\x03\x04"), "an XLSX is a zip");
    }

    #[test]
    fn a_bad_record_names_its_position_id_and_column() {
        let mut bad = record();
        bad["quantity"] = json!("many");
        let p = problem(json!([record(), bad]));
        assert_eq!(
            (p.record, p.record_id.as_deref(), p.column.as_deref()),
            (Some(2), Some("R-1"), Some("quantity"))
        );
        assert_eq!(
            p.text(),
            "record 2 (record_id \"R-1\"), column \"quantity\": must be a number, got \"many\""
        );
    }

    #[test]
    fn each_rule_of_a_record() {
        let cases: Vec<(Value, &str, &str)> = vec![
            (json!({"quantitiy": 1}), "quantitiy", "is not a column"),
            (json!({"record_id": null}), "record_id", "is missing"),
            (
                json!({"item_search_value": ""}),
                "item_search_value",
                "is empty",
            ),
            (
                json!({"asset_search_value": true}),
                "asset_search_value",
                "must be text",
            ),
            (
                json!({"quantity": null}),
                "quantity",
                "needs \"quantity\" or \"amount\"",
            ),
            (
                json!({"start_time_utc": "2024-02-30 00:00:00"}),
                "start_time_utc",
                "YYYY-MM-DD",
            ),
            (
                json!({"end_time_utc": "2024-02-01 00:00:00"}),
                "end_time_utc",
                "is before start_time_utc",
            ),
            (
                json!({"item_precision": "decimal(3)"}),
                "item_precision",
                "must be one of",
            ),
            (json!({"tier": -1}), "tier", "whole number"),
        ];
        for (change, column, text) in cases {
            let mut r = record();
            for (k, v) in change.as_object().unwrap() {
                r[k] = v.clone();
            }
            let p = problem(json!([r]));
            assert_eq!(p.column.as_deref(), Some(column), "{change}: {}", p.text());
            assert!(p.text().contains(text), "{change}: {}", p.text());
        }
        let p = problem(json!([record(), "R-2"]));
        assert_eq!((p.record, p.column.as_deref()), (Some(2), None));
        assert!(p.text().contains("is a JSON string"), "{}", p.text());
    }

    #[test]
    fn document_problems_say_what_to_send() {
        for (d, text) in [
            (doc(json!([])), "\"records\" is empty"),
            (
                b"{\"name\":\"x\",\"product\":{\"id\":\"P\"}}".to_vec(),
                "no \"records\" array",
            ),
            (
                b"{\"records\":[],\"product\":{\"id\":\"P\"}}".to_vec(),
                "no \"name\"",
            ),
            (
                b"{\"name\":\"x\",\"records\":[]}".to_vec(),
                "no \"product.id\"",
            ),
            (b"[1]".to_vec(), "not a usage document"),
            (b"{\"records\":{}}".to_vec(), "not a usage document"),
            (b"{\"name\":".to_vec(), "not a usage document"),
        ] {
            let p = read(&d).expect_err("refused");
            assert_eq!(p.record, None);
            assert!(
                p.text().contains(text),
                "{}: {}",
                String::from_utf8_lossy(&d),
                p.text()
            );
        }
    }

    #[test]
    fn utc_times() {
        assert_eq!(
            utc_time("2024-02-29 23:59:59").as_deref(),
            Some("2024-02-29 23:59:59")
        );
        assert_eq!(
            utc_time("2024-02-29T00:00:00Z").as_deref(),
            Some("2024-02-29 00:00:00")
        );
        assert_eq!(
            utc_time("2000-01-01T00:00:00+00:00").as_deref(),
            Some("2000-01-01 00:00:00")
        );
        for bad in [
            "2023-02-29 00:00:00",
            "1900-02-29 00:00:00",
            "2024-13-01 00:00:00",
            "2024-01-01 24:00:00",
            "2024-01-01 00:00:00.5",
            "2024-01-01T00:00:00+01:00",
            "2024-01-01",
            "2024-1-01 00:00:00 ",
            "２０２４-01-01 00:00:00",
        ] {
            assert_eq!(utc_time(bad), None, "{bad}");
        }
    }
}
