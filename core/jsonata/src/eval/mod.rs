//! The evaluator: walks the processed tree over borrowed input (reference `jsonata.js` `evaluate`).

pub mod path;
pub mod value;

use super::ast::{BinOp, Kind, Node, Stage};
use super::functions;
use super::{Bindings, JsonataError};
use crate::Random;
use std::cell::RefCell;
use std::rc::Rc;
use value::{deep_equal, to_boolean};
pub use value::{Flags, Func, Str, V};

/// Result of evaluating a node; `None` is JSONata's undefined.
pub type R<'a> = Result<Option<V<'a>>, JsonataError>;

/// Maximum nesting of evaluation calls (expression depth times recursion of lambdas).
const MAX_DEPTH: usize = 2000;
/// Stack the evaluator may use before reporting U1001 instead of overflowing.
const STACK_BUDGET: usize = 900 * 1024;

pub fn rt(code: &str, message: impl Into<String>) -> JsonataError {
    JsonataError::Runtime { code: code.to_string(), message: message.into() }
}

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

/// One evaluation: the root input, outside bindings, randomness and the clock.
pub struct Evaluator<'a, 'e> {
    pub root: Option<V<'a>>,
    pub bindings: &'a dyn Bindings,
    pub rng: &'e mut dyn Random,
    pub now_millis: i64,
    stack_base: usize,
    depth: usize,
}

fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

impl<'a, 'e> Evaluator<'a, 'e> {
    pub fn new(root: Option<V<'a>>, bindings: &'a dyn Bindings, rng: &'e mut dyn Random, now_millis: i64) -> Self {
        Evaluator { root, bindings, rng, now_millis, stack_base: stack_addr(), depth: 0 }
    }

    fn enter(&mut self) -> Result<(), JsonataError> {
        if self.depth >= MAX_DEPTH || self.stack_base.abs_diff(stack_addr()) > STACK_BUDGET {
            return Err(rt(
                "U1001",
                "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.",
            ));
        }
        self.depth += 1;
        Ok(())
    }

    pub fn eval(&mut self, node: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        self.enter()?;
        let r = self.eval_inner(node, input, frame);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, node: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let result = self.eval_kind(node, input, frame)?;
        if node.predicate.is_empty() && (node.group.is_none() || matches!(node.kind, Kind::Path(_))) {
            return Ok(collapse(result, node.keep_array));
        }
        self.post_process(node, result, input, frame)
    }

    /// Dispatch on the node kind; every arm is out of line so that this frame stays small
    /// (recursion depth is bounded by stack use).
    fn eval_kind(&mut self, node: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        match &node.kind {
            Kind::Path(steps) => self.eval_path(node, steps, input, frame),
            Kind::Binary(op, l, r) => self.eval_binary(*op, l, r, input, frame),
            Kind::Neg(e) => self.eval_neg(e, input, frame),
            Kind::Name(n) => Ok(input.as_ref().and_then(|i| path::lookup_field(i, n))),
            Kind::Str(s) => Ok(Some(V::Str(Str::B(s)))),
            Kind::Num(n) => Ok(Some(V::Num(*n))),
            Kind::Bool(b) => Ok(Some(V::Bool(*b))),
            Kind::Null => Ok(Some(V::Null)),
            Kind::Wildcard => Ok(path::wildcard(input.as_ref())),
            Kind::Descendant => path::descendants(input.as_ref()),
            Kind::Condition(c, t, e) => self.eval_condition(c, t, e.as_deref(), input, frame),
            Kind::Block(items) => self.eval_block(items, input, frame),
            Kind::Bind(name, rhs) => self.eval_bind(name, rhs, input, frame),
            Kind::Regex(re) => Ok(Some(V::Func(Rc::new(Func::Regex(re))))),
            Kind::Call { proc, args, partial } => self.eval_call(proc, args, *partial, input, frame),
            Kind::Placeholder => Err(rt("S0201", "Syntax error: ?")),
            Kind::Var(name) => Ok(self.eval_var(name, input, frame)),
            Kind::Lambda(l) => {
                Ok(Some(V::Func(Rc::new(Func::Lambda { def: l, env: frame.clone(), input: input.clone() }))))
            }
            Kind::Apply(l, r) => self.eval_apply(l, r, input, frame),
            Kind::Array(items) => self.eval_array(node, items, input, frame),
            Kind::Object(pairs) => self.eval_object(pairs, input, frame),
            Kind::Sort(terms) => self.eval_sort(terms, input, frame),
            Kind::Transform(..) => Ok(Some(V::Func(Rc::new(Func::Transform { node, env: frame.clone() })))),
            Kind::RawDot(..)
            | Kind::RawFilter(..)
            | Kind::RawGroup(..)
            | Kind::RawSort(..)
            | Kind::RawFocus(..)
            | Kind::RawIndex(..) => Err(rt("S0206", "Unknown expression type")),
        }
    }

    #[inline(never)]
    fn post_process(
        &mut self,
        node: &'a Node,
        mut result: Option<V<'a>>,
        _input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        for stage in &node.predicate {
            if let Stage::Filter(p) = stage {
                result = self.filter(p, result, frame)?;
            }
        }
        if !matches!(node.kind, Kind::Path(_)) {
            if let Some(g) = &node.group {
                let items = match result {
                    Some(v) if v.is_array() => v.items().unwrap_or_default().into_iter().map(Some).collect(),
                    other => vec![other],
                };
                result = Some(self.eval_group(&g.pairs, path::GroupInput::Values(items), frame)?);
            }
        }
        Ok(collapse(result, node.keep_array))
    }

    #[inline(never)]
    fn eval_neg(&mut self, e: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        match self.eval(e, input, frame)? {
            None => Ok(None),
            Some(V::Num(n)) => Ok(Some(V::Num(-n))),
            Some(v) => Err(rt("D1002", format!("Cannot negate a non-numeric value: {}", show(&v)))),
        }
    }

    #[inline(never)]
    fn eval_condition(
        &mut self,
        c: &'a Node,
        t: &'a Node,
        e: Option<&'a Node>,
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        let cv = self.eval(c, input, frame)?;
        if to_boolean(cv.as_ref()).unwrap_or(false) {
            self.eval(t, input, frame)
        } else if let Some(e) = e {
            self.eval(e, input, frame)
        } else {
            Ok(None)
        }
    }

    #[inline(never)]
    fn eval_block(&mut self, items: &'a [Node], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let f = Frame::child(frame);
        let mut r = None;
        for i in items {
            r = self.eval(i, input, &f)?;
        }
        Ok(r)
    }

    #[inline(never)]
    fn eval_bind(&mut self, name: &'a str, rhs: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let v = self.eval(rhs, input, frame)?;
        frame.bind(name, v.clone());
        Ok(v)
    }

    #[inline(never)]
    fn eval_var(&mut self, name: &str, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> Option<V<'a>> {
        match name {
            "" => match input {
                Some(V::Arr(a, f)) if f.outer => a.first().cloned(),
                other => other.clone(),
            },
            "$" => self.root.clone(),
            _ => self.lookup_var(name, frame),
        }
    }

    #[inline(never)]
    fn eval_array(&mut self, node: &'a Node, items: &'a [Node], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let mut out = Vec::new();
        for it in items {
            if let Some(v) = self.eval(it, input, frame)? {
                if matches!(it.kind, Kind::Array(_)) {
                    out.push(v);
                } else {
                    append_into(&mut out, v);
                }
            }
        }
        Ok(Some(V::Arr(Rc::new(out), Flags { cons: node.cons_array, ..Flags::PLAIN })))
    }

    #[inline(never)]
    fn eval_object(&mut self, pairs: &'a [(Node, Node)], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let items = match input {
            Some(v) if v.is_array() => v.items().unwrap_or_default().into_iter().map(Some).collect(),
            other => vec![other.clone()],
        };
        Ok(Some(self.eval_group(pairs, path::GroupInput::Values(items), frame)?))
    }

    #[inline(never)]
    fn eval_sort(&mut self, terms: &'a [(Node, bool)], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let items = match input {
            Some(v) if v.is_array() => v.items().unwrap_or_default(),
            Some(v) => vec![v.clone()],
            None => vec![],
        };
        Ok(Some(V::seq(self.sort_values(terms, items, frame)?)))
    }

    pub fn lookup_var(&self, name: &str, frame: &Rc<Frame<'a>>) -> Option<V<'a>> {
        if let Some(v) = frame.lookup(name) {
            return v;
        }
        if let Some(j) = self.bindings.get(name) {
            return Some(V::from_json(j));
        }
        functions::lookup(name).map(V::Builtin)
    }

    #[inline(never)]
    fn eval_binary(
        &mut self,
        op: BinOp,
        l: &'a Node,
        r: &'a Node,
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        let lhs = self.eval(l, input, frame)?;
        match op {
            BinOp::And => {
                if !to_boolean(lhs.as_ref()).unwrap_or(false) {
                    return Ok(Some(V::Bool(false)));
                }
                let rhs = self.eval(r, input, frame)?;
                return Ok(Some(V::Bool(to_boolean(rhs.as_ref()).unwrap_or(false))));
            }
            BinOp::Or => {
                if to_boolean(lhs.as_ref()).unwrap_or(false) {
                    return Ok(Some(V::Bool(true)));
                }
                let rhs = self.eval(r, input, frame)?;
                return Ok(Some(V::Bool(to_boolean(rhs.as_ref()).unwrap_or(false))));
            }
            _ => {}
        }
        let rhs = self.eval(r, input, frame)?;
        let sym = op.symbol();
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                let ln = match &lhs {
                    None => None,
                    Some(V::Num(n)) if !n.is_nan() => Some(*n),
                    Some(_) => {
                        return Err(rt(
                            "T2001",
                            format!("The left side of the {sym} operator must evaluate to a number"),
                        ))
                    }
                };
                let rn = match &rhs {
                    None => None,
                    Some(V::Num(n)) if !n.is_nan() => Some(*n),
                    Some(_) => {
                        return Err(rt(
                            "T2002",
                            format!("The right side of the {sym} operator must evaluate to a number"),
                        ))
                    }
                };
                let (Some(a), Some(b)) = (ln, rn) else { return Ok(None) };
                let v = match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    _ => a % b,
                };
                Ok(Some(V::Num(v)))
            }
            BinOp::Eq | BinOp::Ne => {
                let (Some(a), Some(b)) = (&lhs, &rhs) else { return Ok(Some(V::Bool(false))) };
                let eq = deep_equal(a, b);
                Ok(Some(V::Bool(if op == BinOp::Eq { eq } else { !eq })))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let comparable = |v: &Option<V<'_>>| matches!(v, None | Some(V::Num(_)) | Some(V::Str(_)));
                if !comparable(&lhs) || !comparable(&rhs) {
                    return Err(rt(
                        "T2010",
                        format!(
                            "The expressions either side of operator {sym} must evaluate to numeric or string values"
                        ),
                    ));
                }
                let (Some(a), Some(b)) = (&lhs, &rhs) else { return Ok(None) };
                let ord = match (a, b) {
                    (V::Num(x), V::Num(y)) => x.partial_cmp(y),
                    (V::Str(x), V::Str(y)) => Some(cmp_js_str(x, y)),
                    _ => {
                        return Err(rt(
                            "T2009",
                            format!(
                                "The values {} and {} either side of operator {sym} must be of the same data type",
                                show(a),
                                show(b)
                            ),
                        ))
                    }
                };
                use std::cmp::Ordering::*;
                let res = match (op, ord) {
                    (_, None) => false,
                    (BinOp::Lt, Some(o)) => o == Less,
                    (BinOp::Le, Some(o)) => o != Greater,
                    (BinOp::Gt, Some(o)) => o == Greater,
                    (_, Some(o)) => o != Less,
                };
                Ok(Some(V::Bool(res)))
            }
            BinOp::Concat => {
                let mut s = String::new();
                if let Some(a) = &lhs {
                    s.push_str(&functions::string::to_string(a)?);
                }
                if let Some(b) = &rhs {
                    s.push_str(&functions::string::to_string(b)?);
                }
                Ok(Some(V::str(s)))
            }
            BinOp::In => {
                let (Some(a), Some(b)) = (&lhs, &rhs) else { return Ok(Some(V::Bool(false))) };
                // JavaScript `===`: arrays and objects are never equal to a fresh value
                let strict = |x: &V<'_>| !x.is_array() && !x.is_object() && deep_equal(x, a);
                let found = match b.items() {
                    Some(items) => items.iter().any(strict),
                    None => strict(b),
                };
                Ok(Some(V::Bool(found)))
            }
            BinOp::Range => {
                let int = |v: &Option<V<'_>>| match v {
                    None => Ok(None),
                    Some(V::Num(n)) if n.fract() == 0.0 && n.is_finite() => Ok(Some(*n)),
                    Some(_) => Err(()),
                };
                let a = int(&lhs)
                    .map_err(|_| rt("T2003", "The left side of the range operator (..) must evaluate to an integer"))?;
                let b = int(&rhs).map_err(|_| {
                    rt("T2004", "The right side of the range operator (..) must evaluate to an integer")
                })?;
                let (Some(a), Some(b)) = (a, b) else { return Ok(None) };
                if a > b {
                    return Ok(None);
                }
                let size = b - a + 1.0;
                if size > 1e7 {
                    return Err(rt(
                        "D2014",
                        format!(
                            "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate {}.",
                            value::js_number(size)
                        ),
                    ));
                }
                let n = size as i64;
                Ok(Some(V::seq((0..n).map(|i| V::Num(a + i as f64)).collect())))
            }
            BinOp::And | BinOp::Or => Ok(None),
        }
    }

    #[inline(never)]
    fn eval_call(
        &mut self,
        proc: &'a Node,
        args: &'a [Node],
        partial: bool,
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        let f = self.eval(proc, input, frame)?;
        let name = proc_name(proc);
        if f.is_none() {
            if let Kind::Path(steps) = &proc.kind {
                if let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind) {
                    if self.lookup_var(n, frame).is_some() {
                        let (code, what) = if partial { ("T1007", "partially apply") } else { ("T1005", "invoke") };
                        return Err(rt(code, format!("Attempted to {what} a non-function. Did you mean ${n}?")));
                    }
                }
            }
        }
        if partial {
            let Some(f) = f.filter(|f| f.is_func()) else {
                return Err(rt("T1008", "Attempted to partially apply a non-function"));
            };
            let mut pargs = Vec::with_capacity(args.len());
            for a in args {
                if matches!(a.kind, Kind::Placeholder) {
                    pargs.push(None);
                } else {
                    pargs.push(Some(self.eval(a, input, frame)?));
                }
            }
            return Ok(Some(V::Func(Rc::new(Func::Partial { f, args: pargs }))));
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a, input, frame)?);
        }
        match f {
            Some(f) => self.apply_named(&f, vals, input, &name),
            None => Err(rt("T1006", "Attempted to invoke a non-function")),
        }
    }

    #[inline(never)]
    fn eval_apply(&mut self, l: &'a Node, r: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let lhs = self.eval(l, input, frame)?;
        if let Kind::Call { proc, args, partial: false } = &r.kind {
            let f = self.eval(proc, input, frame)?;
            let mut vals = Vec::with_capacity(args.len() + 1);
            vals.push(lhs);
            for a in args {
                vals.push(self.eval(a, input, frame)?);
            }
            return match f {
                Some(f) => self.apply_named(&f, vals, input, &proc_name(proc)),
                None => Err(rt("T1006", "Attempted to invoke a non-function")),
            };
        }
        let func = self.eval(r, input, frame)?;
        let Some(func) = func.filter(|f| f.is_func()) else {
            return Err(rt("T2006", "The right side of the function application operator ~> must be a function"));
        };
        match lhs {
            Some(l) if l.is_func() => Ok(Some(V::Func(Rc::new(Func::Chain(l, func))))),
            other => self.apply(&func, vec![other], &None),
        }
    }

    /// Invokes a function value with evaluated arguments; `input` is the calling context
    /// (substituted for a missing first argument where the signature allows it).
    pub fn apply(&mut self, f: &V<'a>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
        self.apply_named(f, args, input, "")
    }

    fn apply_named(&mut self, f: &V<'a>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>, name: &str) -> R<'a> {
        self.enter()?;
        let r = self.apply_inner(f, args, input, name);
        self.depth -= 1;
        r
    }

    #[inline(never)]
    fn apply_inner(&mut self, f: &V<'a>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>, name: &str) -> R<'a> {
        match f {
            V::Builtin(b) => {
                let args = b.sig.validate(args, input, b.name)?;
                (b.f)(self, args, input)
            }
            V::Func(func) => match &**func {
                Func::Lambda { def, env, input: captured } => {
                    let args = match &def.signature {
                        Some(sig) => sig.validate(args, input, name)?,
                        None => args,
                    };
                    let scope = Frame::child(env);
                    let mut it = args.into_iter();
                    for p in &def.params {
                        scope.bind(p, it.next().flatten());
                    }
                    let body: &'a Node = &def.body;
                    self.eval(body, captured, &scope)
                }
                Func::Partial { f, args: pargs } => {
                    let mut it = args.into_iter();
                    let full: Vec<Option<V<'a>>> = pargs
                        .iter()
                        .map(|p| match p {
                            None => it.next().flatten(),
                            Some(v) => v.clone(),
                        })
                        .collect();
                    self.apply_named(f, full, input, name)
                }
                Func::Regex(re) => match args.into_iter().next().flatten() {
                    Some(V::Str(s)) => Ok(functions::regex::match_object(re, &s, 0)?),
                    Some(_) => Err(rt("T0410", "Argument 1 of function regex does not match function signature")),
                    None => Ok(None),
                },
                Func::Chain(f1, f2) => {
                    let x = self.apply(f1, args, input)?;
                    self.apply(f2, vec![x], input)
                }
                Func::Transform { node, env } => {
                    let arg = args.into_iter().next().flatten();
                    self.transform(node, env, arg)
                }
            },
            _ => Err(rt("T1006", "Attempted to invoke a non-function")),
        }
    }

    /// Applies a transform (`|pattern|update, delete|`) to a copy of `arg`.
    #[inline(never)]
    fn transform(&mut self, node: &'a Node, env: &Rc<Frame<'a>>, arg: Option<V<'a>>) -> R<'a> {
        let Kind::Transform(pattern, update, delete) = &node.kind else { return Ok(None) };
        let Some(arg) = arg else { return Ok(None) };
        if !arg.is_array() && !arg.is_object() {
            return Err(rt("T0410", "Argument 1 of function transform does not match function signature"));
        }
        let copy = Some(deep_clone(&arg, 0)?);
        let matches = self.eval(pattern, &copy, env)?;
        let matches = match matches {
            None => Vec::new(),
            Some(m) => m.items().unwrap_or_else(|| vec![m]),
        };
        let mut edits: Vec<Edit<'a>> = Vec::new();
        for m in matches {
            let V::Obj(map) = &m else { continue };
            let ctx = Some(m.clone());
            let upd = match self.eval(update, &ctx, env)? {
                None => Vec::new(),
                Some(u) if u.is_object() => u.entries().unwrap_or_default(),
                Some(u) => {
                    return Err(rt(
                        "T2011",
                        format!(
                            "The insert/update clause of the transform expression must evaluate to an object: {}",
                            show(&u)
                        ),
                    ))
                }
            };
            let mut del = Vec::new();
            if let Some(d) = delete {
                if let Some(dv) = self.eval(d, &ctx, env)? {
                    let items = dv.items().unwrap_or_else(|| vec![dv.clone()]);
                    if !items.iter().all(|x| x.as_str().is_some()) {
                        return Err(rt(
                            "T2012",
                            format!(
                                "The delete clause of the transform expression must evaluate to a string or array of strings: {}",
                                show(&dv)
                            ),
                        ));
                    }
                    del = items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect();
                }
            }
            edits.push((Rc::as_ptr(map), upd, del));
        }
        let Some(copy) = copy else { return Ok(None) };
        Ok(Some(apply_edits(&copy, &edits, 0)?))
    }

    /// Applies a predicate to a value (reference `evaluateFilter`), returning a sequence.
    pub fn filter(&mut self, pred: &'a Node, input: Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let items = match &input {
            Some(v) if v.is_array() => v.items().unwrap_or_default(),
            Some(v) => vec![v.clone()],
            None => vec![],
        };
        let mut out = Vec::new();
        if let Kind::Num(n) = pred.kind {
            let mut idx = n.floor();
            if idx < 0.0 {
                idx += items.len() as f64;
            }
            if idx >= 0.0 && (idx as usize) < items.len() {
                let item = items[idx as usize].clone();
                if item.is_array() {
                    return Ok(Some(item));
                }
                out.push(item);
            }
            return Ok(Some(V::seq(out)));
        }
        let len = items.len();
        for (index, item) in items.into_iter().enumerate() {
            let ctx = Some(item);
            let res = self.eval(pred, &ctx, frame)?;
            if let (true, Some(item)) = (matches_predicate(&res, index, len), ctx) {
                out.push(item);
            }
        }
        Ok(Some(V::seq(out)))
    }
}

/// A deep copy with fresh identities for every array and object (the reference `$clone`).
pub fn deep_clone<'a>(v: &V<'a>, depth: usize) -> Result<V<'a>, JsonataError> {
    if depth > value::MAX_VALUE_DEPTH {
        return Err(rt("U1001", "Value nested too deeply"));
    }
    Ok(if let Some(items) = v.items() {
        let mut out = Vec::with_capacity(items.len());
        for i in &items {
            out.push(deep_clone(i, depth + 1)?);
        }
        V::arr(out)
    } else if let Some(entries) = v.entries() {
        let mut out = value::ObjMap::new();
        for (k, x) in entries {
            out.insert(k, deep_clone(&x, depth + 1)?);
        }
        V::obj(out)
    } else {
        v.clone()
    })
}

/// One match of a transform pattern: the object's identity, fields to merge, keys to delete.
type Edit<'a> = (*const value::ObjMap<'a>, Vec<(String, V<'a>)>, Vec<String>);

/// Rebuilds a cloned tree applying the edits to the objects they identify.
fn apply_edits<'a>(v: &V<'a>, edits: &[Edit<'a>], depth: usize) -> Result<V<'a>, JsonataError> {
    if depth > value::MAX_VALUE_DEPTH {
        return Err(rt("U1001", "Value nested too deeply"));
    }
    match v {
        V::Arr(items, f) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items.iter() {
                out.push(apply_edits(i, edits, depth + 1)?);
            }
            Ok(V::Arr(Rc::new(out), *f))
        }
        V::Obj(map) => {
            let mut out = value::ObjMap::new();
            for (k, x) in map.iter() {
                out.insert(k.clone(), apply_edits(x, edits, depth + 1)?);
            }
            let id = Rc::as_ptr(map);
            for (_, update, delete) in edits.iter().filter(|e| std::ptr::eq(e.0, id)) {
                for (k, x) in update {
                    out.insert(k.clone(), x.clone());
                }
                for k in delete {
                    out.shift_remove(k);
                }
            }
            Ok(V::obj(out))
        }
        other => Ok(other.clone()),
    }
}

/// Collapses a result sequence: empty is undefined, a singleton is its item (unless kept).
fn collapse<'a>(mut result: Option<V<'a>>, keep_array: bool) -> Option<V<'a>> {
    if let Some(V::Arr(a, f)) = &mut result {
        if f.seq {
            if keep_array {
                f.keep = true;
            }
            if a.is_empty() {
                return None;
            }
            if a.len() == 1 && !f.keep {
                return a.first().cloned();
            }
        }
    }
    result
}

/// Whether a predicate result selects the item at `index` (numbers are positions).
pub fn matches_predicate(res: &Option<V<'_>>, index: usize, len: usize) -> bool {
    let hit = |n: f64| {
        let mut i = n.floor();
        if i < 0.0 {
            i += len as f64;
        }
        i == index as f64
    };
    match res {
        Some(V::Num(n)) => hit(*n),
        Some(v) if v.is_array() => {
            let items = v.items().unwrap_or_default();
            if items.iter().all(|x| matches!(x, V::Num(_))) {
                items.iter().any(|x| x.as_num().is_some_and(hit))
            } else {
                to_boolean(res.as_ref()).unwrap_or(false)
            }
        }
        other => to_boolean(other.as_ref()).unwrap_or(false),
    }
}

/// `fn.append` into a vector: arrays are spread, other values pushed.
pub fn append_into<'a>(out: &mut Vec<V<'a>>, v: V<'a>) {
    match v.items() {
        Some(items) => out.extend(items),
        None => out.push(v),
    }
}

/// The name under which a procedure was invoked, for error messages.
fn proc_name(proc: &Node) -> String {
    match &proc.kind {
        Kind::Var(v) => v.clone(),
        Kind::Path(steps) => match steps.first().map(|s| &s.kind) {
            Some(Kind::Name(n)) | Some(Kind::Var(n)) => n.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// Compares strings by UTF-16 code units, as JavaScript does.
pub fn cmp_js_str(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A short rendering of a value for error messages.
pub fn show(v: &V<'_>) -> String {
    let mut s = String::new();
    match v {
        V::Str(x) => {
            value::quote_json(x, &mut s);
        }
        other => {
            if value::stringify(other, false, &mut s).is_err() {
                s = "...".into();
            }
        }
    }
    s
}

/// Stable merge sort with a fallible "should `a` come after `b`" comparator, as the
/// reference `$sort` (so user comparators see the same pairs).
pub fn merge_sort<T: Clone, E>(items: Vec<T>, swap: &mut dyn FnMut(&T, &T) -> Result<bool, E>) -> Result<Vec<T>, E> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mid = items.len() / 2;
    let mut left = items;
    let right = left.split_off(mid);
    let left = merge_sort(left, swap)?;
    let right = merge_sort(right, swap)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if swap(&left[i], &right[j])? {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}
