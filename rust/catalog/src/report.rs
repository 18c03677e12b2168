//! The settings of "Run Report" on Report (connect-core's `report` runs it).

/// The operation setting that returns the report object instead of the file.
pub const OBJECT_PARAM: &str = "return_report_object";
/// How long to wait for a report, unless the operation says.
pub const DEFAULT_WAIT_MINUTES: i64 = 30;
