//! Calling functions: call syntax, partial application, `~>`, and invoking each kind of
//! function value (built-ins, lambdas, partials, regexes, chains, transforms).

use super::types::{Evaluator, Frame, Func, R, V};
use super::{coerce, regex};
use crate::ast::{Kind, Node};
use crate::error::rt;
use std::rc::Rc;

impl<'a> Evaluator<'a, '_> {
    #[inline(never)]
    pub(super) fn eval_call(
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
            Some(f) => self.apply_in(frame, &f, vals, input, name),
            None => Err(rt("T1006", "Attempted to invoke a non-function")),
        }
    }

    /// Applies a function called from `frame`, which built-ins such as `$eval` see.
    fn apply_in(
        &mut self,
        frame: &Rc<Frame<'a>>,
        f: &V<'a>,
        args: Vec<Option<V<'a>>>,
        input: &Option<V<'a>>,
        name: &str,
    ) -> R<'a> {
        let saved = self.call_frame.replace(frame.clone());
        let r = self.apply_named(f, args, input, name);
        self.call_frame = saved;
        r
    }

    #[inline(never)]
    pub(super) fn eval_apply(
        &mut self,
        l: &'a Node,
        r: &'a Node,
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        let lhs = self.eval(l, input, frame)?;
        if let Kind::Call { proc, args, partial: false } = &r.kind {
            let f = self.eval(proc, input, frame)?;
            let mut vals = Vec::with_capacity(args.len() + 1);
            vals.push(lhs);
            for a in args {
                vals.push(self.eval(a, input, frame)?);
            }
            return match f {
                Some(f) => self.apply_in(frame, &f, vals, input, proc_name(proc)),
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
        self.leave();
        r
    }

    #[inline(never)]
    fn apply_inner(&mut self, f: &V<'a>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>, name: &str) -> R<'a> {
        match f {
            V::Builtin(b) => {
                // errors name the function as it was invoked (`$f := $sum; $f("a")` names f)
                let shown = if name.is_empty() { b.name } else { name };
                let args = coerce::validate(&b.sig, args, input, shown)?;
                (b.f)(self, args, input).map_err(|e| regex::matcher_error_named(e, b.name, name))
            }
            V::Func(func) => match &**func {
                Func::Lambda { def, env, input: captured } => {
                    let args = match &def.signature {
                        Some(sig) => coerce::validate(sig, args, input, name)?,
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
                Func::Regex(re) => regex::invoke_regex(re, args),
                Func::RegexNext { re, subject } => regex::regex_next(re, subject),
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
}

/// The name under which a procedure was invoked, for error messages.
fn proc_name(proc: &Node) -> &str {
    match &proc.kind {
        Kind::Var(v) => v,
        Kind::Path(steps) => match steps.first().map(|s| &s.kind) {
            Some(Kind::Name(n)) | Some(Kind::Var(n)) => n,
            _ => "",
        },
        _ => "",
    }
}
