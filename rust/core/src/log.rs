//! A per-call log collector. There is no global logger: no Rust thread ever calls into Java, so
//! log lines travel back to the shim inside the frame and the shim writes them to Boomi's logger.

/// Levels as the wire format numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Fine = 0,
    Info = 1,
    Warning = 2,
    Severe = 3,
}

/// The log lines of one native call, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    entries: Vec<(Level, String)>,
}

impl Log {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, level: Level, message: impl Into<String>) {
        self.entries.push((level, message.into()));
    }

    pub fn fine(&mut self, message: impl Into<String>) {
        self.push(Level::Fine, message);
    }

    pub fn info(&mut self, message: impl Into<String>) {
        self.push(Level::Info, message);
    }

    pub fn warning(&mut self, message: impl Into<String>) {
        self.push(Level::Warning, message);
    }

    pub fn severe(&mut self, message: impl Into<String>) {
        self.push(Level::Severe, message);
    }

    /// Appends another collector's lines (used to merge per-document logs in input order).
    pub fn append(&mut self, other: Log) {
        self.entries.extend(other.entries);
    }

    pub fn entries(&self) -> &[(Level, String)] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
