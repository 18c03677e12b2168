//! The names and the record columns of "Submit Usage Records" on Usage Report (connect-core's
//! `usage` writes the XLSX; the profile generator writes the records' JSON Schema from
//! [`COLUMNS`]).

/// The input profile: Create's body plus `records` (see the profile generator).
pub const PROFILE: &str = "NewUsageReportWithRecords";
/// The member of the input document that holds the records.
pub const RECORDS: &str = "records";
/// The operation setting that submits the file once Connect has validated it.
pub const SUBMIT_PARAM: &str = "submit";
/// How long to wait for Connect's validation before submitting, unless the operation says.
pub const DEFAULT_WAIT_MINUTES: i64 = 10;
/// The sheet Connect reads the records from (as in its usage template).
pub const SHEET: &str = "records";

/// How a column's value is checked and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text (a JSON number is written as its text).
    Text,
    /// A number cell (a JSON number, or text that reads as one).
    Number,
    /// UTC time, written as Connect's `YYYY-MM-DD hh:mm:ss`.
    Time,
    /// One of [`PRECISIONS`].
    Precision,
    /// A whole number cell, 0 or more.
    Tier,
}

pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub help: &'static str,
}

const fn col(name: &'static str, kind: Kind, required: bool, help: &'static str) -> Column {
    Column {
        name,
        kind,
        required,
        help,
    }
}

/// The usage template's columns, in the template's order. `quantity` and `amount` are each
/// optional, but a record needs one of them (which one depends on the product's usage schema).
pub const COLUMNS: &[Column] = &[
    col(
        "record_id",
        Kind::Text,
        true,
        "Your unique id of the record within the file.",
    ),
    col("record_note", Kind::Text, false, "A note on the record."),
    col(
        "item_search_criteria",
        Kind::Text,
        true,
        "How the item is found, e.g. item.mpn, item.local_id or item.global_id.",
    ),
    col(
        "item_search_value",
        Kind::Text,
        true,
        "The value the item is found by.",
    ),
    col(
        "amount",
        Kind::Number,
        false,
        "The amount (price-based usage schemas).",
    ),
    col(
        "quantity",
        Kind::Number,
        false,
        "The quantity (quantity-based usage schemas).",
    ),
    col(
        "start_time_utc",
        Kind::Time,
        true,
        "Start of the usage period, UTC: YYYY-MM-DD hh:mm:ss.",
    ),
    col(
        "end_time_utc",
        Kind::Time,
        true,
        "End of the usage period, UTC: YYYY-MM-DD hh:mm:ss; not before the start.",
    ),
    col(
        "asset_search_criteria",
        Kind::Text,
        true,
        "How the asset is found, e.g. asset.id, asset.external_id or a parameter id.",
    ),
    col(
        "asset_search_value",
        Kind::Text,
        true,
        "The value the asset is found by.",
    ),
    col(
        "item_name",
        Kind::Text,
        false,
        "Name of an item reported dynamically.",
    ),
    col(
        "item_mpn",
        Kind::Text,
        false,
        "MPN of an item reported dynamically.",
    ),
    col(
        "item_unit",
        Kind::Text,
        false,
        "Unit of an item reported dynamically.",
    ),
    col(
        "item_precision",
        Kind::Precision,
        false,
        "Precision of an item reported dynamically.",
    ),
    col(
        "category_id",
        Kind::Text,
        false,
        "The usage category of the record.",
    ),
    col(
        "asset_recon_id",
        Kind::Text,
        false,
        "The asset's reconciliation id given by the vendor.",
    ),
    col(
        "tier",
        Kind::Tier,
        false,
        "The tier level whose tier account the record belongs to (usage schema TR).",
    ),
];

pub const PRECISIONS: &[&str] = &[
    "integer",
    "decimal(1)",
    "decimal(2)",
    "decimal(4)",
    "decimal(8)",
];

/// The pattern of a [`Kind::Time`] value, for the records' JSON Schema: Connect's
/// `YYYY-MM-DD hh:mm:ss` in UTC (also with `T` for the space, and `Z` or `+00:00`).
pub const TIME_PATTERN: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(Z|\\+00:00)?$";
