//! The setting shared by the actions that wait for Connect (Submit Usage Records, Run Report).

/// The operation setting (and its label) that bounds a wait.
pub const WAIT_PARAM: &str = "wait_minutes";
pub const WAIT_LABEL: &str = "Wait Up To (minutes)";
/// One day: a longer wait is a process design problem, not a setting.
pub const WAIT_MAX_MINUTES: i64 = 1440;
