//! What a parsed JSONPath is: its root, segments, filters, and the errors of parsing and
//! evaluating one.

use std::fmt;

/// What a path starts from.
#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    /// `$`: the current input (or `@` inside a filter).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Child(String),
    Index(i64),
    Wildcard,
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Names(Vec<String>),
    Indexes(Vec<i64>),
    /// `..name` or `..*`.
    Descendant(Option<String>),
    Filter(Box<Filter>),
}

/// A filter expression `[?( ... )]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Exists(JsonPath),
    Compare(Operand, CmpOp, Operand),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path(JsonPath),
    Literal(serde_json::Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed JSONPath expression.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    pub root: Root,
    pub segments: Vec<Segment>,
    pub(super) source: String,
}

impl JsonPath {
    /// The text the path was parsed from, as the user wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A definite path selects at most one value; an indefinite one (wildcards, slices,
    /// filters, deep scan) always yields an array.
    pub fn is_definite(&self) -> bool {
        self.segments.iter().all(|s| matches!(s, Segment::Child(_) | Segment::Index(_)))
    }

    /// True for `$` alone.
    pub fn is_root_input(&self) -> bool {
        self.root == Root::Input && self.segments.is_empty()
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Why a path could not be parsed or evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PathError {
    #[error("The value for the field must be a valid JSONPath: {path}: {reason}")]
    Syntax { path: String, reason: String },
    #[error("Invalid path '{path}' : No results for path: {normalized}")]
    NoResults { path: String, normalized: String },
    #[error("Invalid path '{path}' : Missing property in path {normalized}")]
    MissingProperty { path: String, normalized: String },
    #[error("Invalid path '{path}': The variable '{name}' is not defined")]
    UndefinedVariable { path: String, name: String },
    #[error("Invalid path '{path}' : {reason}")]
    Invalid { path: String, reason: String },
}

impl PathError {
    /// What is wrong, for a message that already says which field must be a valid
    /// JSONPath (so that it is not said twice).
    pub fn detail(&self) -> String {
        match self {
            PathError::Syntax { path, reason } => format!("{path}: {reason}"),
            other => other.to_string(),
        }
    }
}
