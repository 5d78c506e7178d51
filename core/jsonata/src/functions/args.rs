//! What the built-ins share: the registration entry, reading validated arguments, wrapping
//! results, and the arity of a function value.

use crate::eval::{BuiltinFn, Func, R, V};

/// Registration entry: name, signature text, implementation.
pub type Entry = (&'static str, &'static str, BuiltinFn);

/// Number of arguments a function value takes, for higher-order functions that pass
/// optional (index, array) arguments only when the callee declares them.
pub fn arity(f: &V<'_>) -> usize {
    match f {
        V::Builtin(b) => b.sig.params.iter().filter(|p| !p.optional).count(),
        V::Func(func) => match &**func {
            Func::Lambda { def, .. } => def.params.len(),
            Func::Partial { args, .. } => args.iter().filter(|a| a.is_none()).count(),
            // the reference's regex closure is `function (str, fromIndex)`, its `next` takes none
            Func::Regex(_) => 2,
            Func::RegexNext { .. } => 0,
            Func::Chain(..) | Func::Transform { .. } => 1,
        },
        _ => 0,
    }
}

/// The i-th validated argument.
pub fn arg<'v, 'a>(args: &'v [Option<V<'a>>], i: usize) -> Option<&'v V<'a>> {
    args.get(i).and_then(|a| a.as_ref())
}

pub fn str_arg<'v>(args: &'v [Option<V<'_>>], i: usize) -> Option<&'v str> {
    arg(args, i).and_then(|v| v.as_str())
}

pub fn num_arg(args: &[Option<V<'_>>], i: usize) -> Option<f64> {
    arg(args, i).and_then(|v| v.as_num())
}

/// Items of an array argument (validated `a` parameters are arrays or undefined).
pub fn items_arg<'a>(args: &[Option<V<'a>>], i: usize) -> Option<Vec<V<'a>>> {
    arg(args, i).map(|v| v.items().unwrap_or_else(|| vec![v.clone()]))
}

pub fn ok_str<'a>(s: impl Into<std::rc::Rc<str>>) -> R<'a> {
    Ok(Some(V::str(s)))
}

pub fn ok_num<'a>(n: f64) -> R<'a> {
    Ok(Some(V::Num(n)))
}
