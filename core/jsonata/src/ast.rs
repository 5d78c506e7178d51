//! The syntax tree of a JSONata expression, in the processed form the evaluator walks
//! (paths flattened into steps, predicates attached to steps, as the reference `processAST`).

use crate::signature::Signature;
use std::sync::Arc;

/// A node with the annotations the reference attaches to steps.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    /// Byte offset in the source, for error messages.
    pub pos: usize,
    /// `[]` after a step: keep singleton arrays as arrays.
    pub keep_array: bool,
    /// An array constructor at the start or end of a path: not flattened.
    pub cons_array: bool,
    /// Filters applied to the value of a non-step expression (`expr[pred]`).
    pub predicate: Vec<Stage>,
    /// Filters (and index bindings) applied per input item of a path step.
    pub stages: Vec<Stage>,
    /// Grouping object constructor `expr{k: v}`.
    pub group: Option<Box<Group>>,
    /// `@$var` focus binding on a step.
    pub focus: Option<String>,
    /// `#$var` index binding on a step.
    pub index: Option<String>,
    /// The step takes part in a tuple stream (has `@` or `#` bindings, or binds a parent).
    /// On a path or block that is itself a step, its value is a tuple stream.
    pub tuple: bool,
    /// The parent slot this step binds: each output tuple records the step's input under the
    /// slot's label, for a `%` further on (reference `ancestor`).
    pub ancestor: Option<ParentSlot>,
    /// Parent slots of `%` operators below this node still looking for the step they refer
    /// to (reference `seekingParent`); only used while the tree is processed.
    pub seeking: Vec<usize>,
}

/// A slot linking a `%` to the step whose input it yields: `index` into the table built
/// while processing, `label` the frame variable (`!0`, `!1`, ...) fixed once processing ends.
#[derive(Debug, Clone, Default)]
pub struct ParentSlot {
    pub index: usize,
    pub label: String,
}

#[derive(Debug, Clone)]
pub enum Stage {
    Filter(Node),
    Index(String),
}

#[derive(Debug, Clone)]
pub struct Group {
    pub pairs: Vec<(Node, Node)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Concat,
    And,
    Or,
    In,
    Range,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Concat => "&",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::In => "in",
            BinOp::Range => "..",
        }
    }
}

/// A compiled regex literal: the JavaScript pattern compiled once, at parse time, by an
/// ECMAScript engine that matches UTF-16 code units as JavaScript does without the `u` flag.
#[derive(Debug)]
pub struct RegexLit {
    pub source: String,
    pub re: regress::Regex,
    /// Compiled with the `i` flag: subjects then go through [`fold_guard`].
    pub icase: bool,
    /// The longest subject (in UTF-16 units) this pattern may be run on, when its shape can
    /// backtrack exponentially; `None` when it cannot.
    pub max_subject: Option<usize>,
}

/// Without the `u` flag JavaScript never folds a non-ASCII character to an ASCII one, so
/// `/s/i` does not match `ſ` and `/i/i` not `ı`; `regress` folds them. Under `i`, these two
/// code units are swapped, in the pattern and the subject alike, for noncharacters that
/// fold to nothing else (their positions are unchanged).
pub fn fold_guard(unit: u16) -> u16 {
    match unit {
        0x0131 => 0xFDD0,
        0x017F => 0xFDD1,
        u => u,
    }
}

#[derive(Debug, Clone)]
pub enum Kind {
    Path(Vec<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    Name(String),
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Wildcard,
    Descendant,
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    Block(Vec<Node>),
    Bind(String, Box<Node>),
    Regex(Arc<RegexLit>),
    /// Function call; `partial` when some argument is the `?` placeholder.
    Call {
        proc: Box<Node>,
        args: Vec<Node>,
        partial: bool,
    },
    Placeholder,
    /// The parent operator `%`.
    Parent(ParentSlot),
    Var(String),
    Lambda(Arc<Lambda>),
    Apply(Box<Node>, Box<Node>),
    Array(Vec<Node>),
    Object(Vec<(Node, Node)>),
    Sort(Vec<(Node, bool)>),
    /// `| location | update [, delete] |` transform.
    Transform(Box<Node>, Box<Node>, Option<Box<Node>>),
    // raw forms produced by the Pratt parser and rewritten by `process`
    RawDot(Box<Node>, Box<Node>),
    RawFilter(Box<Node>, Box<Node>),
    RawGroup(Box<Node>, Vec<(Node, Node)>),
    RawSort(Box<Node>, Vec<(Node, bool)>),
    RawFocus(Box<Node>, String),
    RawIndex(Box<Node>, String),
    /// The end of the source where an operand was expected: an error once the parse is
    /// complete (S0207), unless the parser reports a missing token first, as the reference.
    RawEnd,
}

#[derive(Debug)]
pub struct Lambda {
    pub params: Vec<String>,
    pub signature: Option<Signature>,
    pub body: Node,
}

impl Node {
    pub fn new(kind: Kind, pos: usize) -> Node {
        Node {
            kind,
            pos,
            keep_array: false,
            cons_array: false,
            predicate: Vec::new(),
            stages: Vec::new(),
            group: None,
            focus: None,
            index: None,
            tuple: false,
            ancestor: None,
            seeking: Vec::new(),
        }
    }
}
