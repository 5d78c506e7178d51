//! The evaluator's types, in one module because they refer to each other: a value may be a
//! closure over a [`Frame`] or a [`Builtin`], a builtin is a function of the [`Evaluator`],
//! and the evaluator holds values. Operations on values are in `value.rs`, the walk over the
//! tree in the sibling modules.

use crate::ast::{Lambda, Node, RegexLit};
use crate::env::Bindings;
use crate::error::{rt, JsonataError};
use crate::random::Random;
use crate::signature::Signature;
use indexmap::IndexMap;
use serde_json::{Map, Value as Json};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Result of evaluating a node; `None` is JSONata's undefined.
pub type R<'a> = Result<Option<V<'a>>, JsonataError>;

/// Maximum nesting of evaluation calls (expression depth times recursion of lambdas).
const MAX_DEPTH: usize = 2000;
/// Stack the evaluator may use before reporting U1001 instead of overflowing.
const STACK_BUDGET: usize = 900 * 1024;

#[derive(Debug, Clone)]
pub enum Str<'a> {
    B(&'a str),
    O(Rc<str>),
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Str::B(s) => s,
            Str::O(s) => s,
        }
    }
}

/// Array flags of the reference: `sequence`, `keepSingleton`, `cons`, `outerWrapper`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub seq: bool,
    pub keep: bool,
    pub cons: bool,
    pub outer: bool,
}

impl Flags {
    pub const SEQ: Flags = Flags { seq: true, keep: false, cons: false, outer: false };
    pub const PLAIN: Flags = Flags { seq: false, keep: false, cons: false, outer: false };
}

pub type ObjMap<'a> = IndexMap<String, V<'a>>;

/// A value seen by the evaluator. Parts of the input and of the bindings are borrowed
/// (`JArr`, `JObj`, `Str::B`), so a path like `$states.input.x` clones nothing; values built
/// by the expression are reference counted. Sequences are arrays flagged `seq` (the
/// reference marks JavaScript arrays the same way).
#[derive(Debug, Clone)]
pub enum V<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(Str<'a>),
    JArr(&'a Vec<Json>),
    JObj(&'a Map<String, Json>),
    Arr(Rc<Vec<V<'a>>>, Flags),
    Obj(Rc<ObjMap<'a>>),
    Func(Rc<Func<'a>>),
    Builtin(&'static Builtin),
}

#[derive(Debug)]
pub enum Func<'a> {
    Lambda {
        def: &'a Lambda,
        env: Rc<Frame<'a>>,
        input: Option<V<'a>>,
    },
    /// Partial application: `None` marks a `?` placeholder.
    Partial {
        f: V<'a>,
        args: Vec<Option<Option<V<'a>>>>,
    },
    /// A regex literal's value: one per evaluation of the literal, as the reference builds a
    /// fresh `RegExp` each time, with its own `lastIndex`.
    Regex(Rc<RegexFn<'a>>),
    /// The `next` of a regex's match object: the following match in the same subject.
    RegexNext {
        re: Rc<RegexFn<'a>>,
        subject: Rc<Subject>,
    },
    /// `f ~> g` with two functions: `g(f(x))`.
    Chain(V<'a>, V<'a>),
    /// `|pattern|update[, delete]|`: a function returning a modified copy of its argument.
    Transform {
        node: &'a Node,
        env: Rc<Frame<'a>>,
    },
}

/// A regex as a function, with JavaScript's `lastIndex` (in UTF-16 units): where the next
/// search starts, shared by every match object the regex returned.
#[derive(Debug)]
pub struct RegexFn<'a> {
    pub lit: &'a RegexLit,
    pub last_index: std::cell::Cell<usize>,
}

/// A regex's subject in UTF-16 units, and the units searched when they differ (under `i`,
/// with `ast::fold_guard` applied), prepared once for a chain of `next()` calls.
#[derive(Debug)]
pub struct Subject {
    pub units: Vec<u16>,
    pub searched: Option<Vec<u16>>,
}

/// A built-in implementation: validated arguments and the calling context.
pub type BuiltinFn = for<'a, 'e> fn(&mut Evaluator<'a, 'e>, Vec<Option<V<'a>>>, &Option<V<'a>>) -> R<'a>;

/// A built-in function of the library (`$sum`, `$map`, ...).
pub struct Builtin {
    pub name: &'static str,
    pub sig: Signature,
    pub f: BuiltinFn,
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "${}", self.name)
    }
}

/// The registry of built-ins: the function bound to `$name`, if any.
pub type Builtins = fn(&str) -> Option<&'static Builtin>;

/// A scope of variable bindings (blocks and lambda invocations open a new one).
#[derive(Debug, Default)]
pub struct Frame<'a> {
    vars: RefCell<Vec<(&'a str, Option<V<'a>>)>>,
    parent: Option<Rc<Frame<'a>>>,
}

impl<'a> Frame<'a> {
    pub fn root() -> Rc<Frame<'a>> {
        Rc::new(Frame::default())
    }

    pub fn child(parent: &Rc<Frame<'a>>) -> Rc<Frame<'a>> {
        Rc::new(Frame { vars: RefCell::new(Vec::new()), parent: Some(parent.clone()) })
    }

    pub fn bind(&self, name: &'a str, v: Option<V<'a>>) {
        let mut vars = self.vars.borrow_mut();
        if let Some(slot) = vars.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = v;
        } else {
            vars.push((name, v));
        }
    }

    /// `Some(value)` when the name is bound in this scope chain (the value may be undefined).
    pub fn lookup(&self, name: &str) -> Option<Option<V<'a>>> {
        let mut f = self;
        loop {
            if let Some((_, v)) = f.vars.borrow().iter().rev().find(|(n, _)| *n == name) {
                return Some(v.clone());
            }
            match &f.parent {
                Some(p) => f = p,
                None => return None,
            }
        }
    }
}

/// Where expressions parsed during an evaluation (`$eval`) live: they must outlast every
/// value that refers to them, so they are freed with the evaluation, not before.
pub type Parsed = typed_arena::Arena<Node>;

/// One evaluation: the root input, outside bindings, randomness and the clock.
pub struct Evaluator<'a, 'e> {
    pub root: Option<V<'a>>,
    pub bindings: &'a dyn Bindings,
    pub rng: &'e mut dyn Random,
    pub now_millis: i64,
    /// The built-in function library, handed in by the crate root.
    pub(super) builtins: Builtins,
    /// Expressions parsed by `$eval` during this evaluation.
    pub parsed: &'a Parsed,
    /// The trees of `parsed` by source text, so a string evaluated many times (`$eval` in a
    /// path over many items) is parsed and stored once.
    pub parsed_by_source: HashMap<String, &'a Node>,
    /// The scope of the function call being made, which `$eval` evaluates in.
    pub call_frame: Option<Rc<Frame<'a>>>,
    stack_base: usize,
    depth: usize,
}

fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

impl<'a, 'e> Evaluator<'a, 'e> {
    pub fn new(
        root: Option<V<'a>>,
        bindings: &'a dyn Bindings,
        rng: &'e mut dyn Random,
        now_millis: i64,
        builtins: Builtins,
        parsed: &'a Parsed,
    ) -> Self {
        Evaluator {
            root,
            bindings,
            rng,
            now_millis,
            builtins,
            parsed,
            parsed_by_source: HashMap::new(),
            call_frame: None,
            stack_base: stack_addr(),
            depth: 0,
        }
    }

    /// Counts one level of nesting, failing with U1001 when depth or stack use runs out.
    pub(super) fn enter(&mut self) -> Result<(), JsonataError> {
        if self.depth >= MAX_DEPTH || self.stack_base.abs_diff(stack_addr()) > STACK_BUDGET {
            return Err(rt(
                "U1001",
                "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.",
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// Where the evaluation's stack budget is counted from.
    pub fn stack_base(&self) -> usize {
        self.stack_base
    }

    /// Ends a level opened by [`Evaluator::enter`].
    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }
}
