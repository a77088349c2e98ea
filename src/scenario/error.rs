//! Scenario errors that point at the file, line, column and key.

use std::fmt;
use std::path::PathBuf;

/// Where in a scenario file a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// What kind of problem a scenario has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Not valid TOML.
    Syntax,
    /// A key that the format does not have.
    UnknownKey,
    /// A key that must be present is missing.
    MissingKey,
    /// A value of the wrong type.
    WrongType,
    /// A value of the right type outside its allowed range or set.
    InvalidValue,
    /// Values that cannot hold together (a structure that cannot be built).
    Inconsistent,
}

/// A problem in a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    pub kind: ErrorKind,
    pub location: Location,
    /// Dotted key path (`community.residents`); empty when the problem is not at a key.
    pub key: String,
    pub expected: String,
    pub found: String,
    /// A hint such as the closest valid key.
    pub help: Option<String>,
    /// Further problems found in the same file (validation reports them all, in file order of
    /// sections); empty for syntax and type errors, after which nothing more can be read.
    pub also: Vec<ScenarioError>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Location { file, line, column } = &self.location;
        writeln!(f, "{}:{line}:{column}: {}", file.display(), self.kind.describe())?;
        if !self.key.is_empty() {
            writeln!(f, "  key:      {}", self.key)?;
        }
        writeln!(f, "  expected: {}", self.expected)?;
        write!(f, "  found:    {}", self.found)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help:     {help}")?;
        }
        if !self.also.is_empty() {
            write!(
                f,
                "\n{} more problem{} in this file:",
                self.also.len(),
                if self.also.len() == 1 { "" } else { "s" }
            )?;
            for other in &self.also {
                write!(f, "\n{other}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "invalid TOML",
            ErrorKind::UnknownKey => "unknown key",
            ErrorKind::MissingKey => "missing key",
            ErrorKind::WrongType => "wrong type",
            ErrorKind::InvalidValue => "invalid value",
            ErrorKind::Inconsistent => "inconsistent values",
        }
    }
}
