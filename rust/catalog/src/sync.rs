//! The names of incremental sync on List Resources: "Changed Since" and the connection's
//! "Environment" (the object's fields are [`crate::ObjectSpec::change_field`] and
//! [`crate::ObjectSpec::environment_field`]).

/// The List Resources setting and the document property that overrides it.
pub const CHANGED_SINCE: &str = "changedSince";
pub const CHANGED_SINCE_LABEL: &str = "Changed Since";
/// The tracked property holding a document's value of its object's change field.
pub const CHANGED_AT: &str = "changedAt";
/// The connection setting.
pub const ENVIRONMENT: &str = "environment";
pub const ENVIRONMENT_LABEL: &str = "Environment";

/// The connection's "Environment": which marketplaces' records List Resources returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Environment {
    #[default]
    Any,
    Production,
    Test,
    Preview,
}
impl Environment {
    pub const ALL: [Environment; 4] = [
        Environment::Any,
        Environment::Production,
        Environment::Test,
        Environment::Preview,
    ];

    /// The stored value (the descriptor's allowed value).
    pub const fn id(self) -> &'static str {
        match self {
            Environment::Any => "any",
            Environment::Production => "production",
            Environment::Test => "test",
            Environment::Preview => "preview",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Environment::Any => "Any",
            Environment::Production => "Production",
            Environment::Test => "Test",
            Environment::Preview => "Preview",
        }
    }

    /// The value of Connect's connection type fields (`production`, `test`, `preview`); `None`
    /// for Any.
    pub fn connect_value(self) -> Option<&'static str> {
        (self != Environment::Any).then(|| self.id())
    }

    /// The setting's value (blank: Any), by id or label in any case.
    pub fn parse(text: Option<&str>) -> std::result::Result<Environment, String> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Environment::Any);
        };
        Environment::ALL
            .into_iter()
            .find(|e| e.id().eq_ignore_ascii_case(text) || e.label().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                format!(
                    "\"{ENVIRONMENT_LABEL}\" must be one of Any, Production, Test, Preview (not \"{text}\")"
                )
            })
    }
}
