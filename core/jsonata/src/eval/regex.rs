//! Regexes as functions and the matcher protocol of the reference.
//!
//! A regex literal evaluates to a function `(str, fromIndex)` returning
//! `{match, start, end, groups, next}` or undefined; `next()` resumes at the regex's
//! `lastIndex`. `$match`, `$replace`, `$split` and `$contains` drive any function that follows
//! this protocol (a user's lambda too), so they all go through [`call_matcher`]. Positions
//! are UTF-16 code units, as in JavaScript; subjects are matched as UTF-16 code units.

use super::types::{Evaluator, Func, ObjMap, RegexFn, Subject, R, V};
use super::value::js_number;
use crate::ast::fold_guard;
use crate::error::{rt, JsonataError};
use std::rc::Rc;

/// Invokes a regex value with the caller's arguments (reference `evaluateRegex`'s closure).
pub fn invoke_regex<'a>(re: &Rc<RegexFn<'a>>, args: Vec<Option<V<'a>>>) -> R<'a> {
    let mut it = args.into_iter();
    let units: Vec<u16> = js_string(it.next().flatten().as_ref()).encode_utf16().collect();
    let searched = (re.lit.icase && units.iter().any(|&u| fold_guard(u) != u))
        .then(|| units.iter().map(|&u| fold_guard(u)).collect());
    let from = it.next().flatten().map(|v| to_length(&v)).unwrap_or(0);
    exec(re, Rc::new(Subject { units, searched }), from)
}

/// The `next()` of a match object: the following match, undefined at the end of the subject,
/// error D1004 when the regex would match the empty string again and never progress.
pub fn regex_next<'a>(re: &Rc<RegexFn<'a>>, subject: &Rc<Subject>) -> R<'a> {
    let from = re.last_index.get();
    if from >= subject.units.len() {
        return Ok(None);
    }
    let next = exec(re, subject.clone(), from)?;
    if next.as_ref().and_then(|m| m.get("match")).is_some_and(|m| m.as_str() == Some("")) {
        return Err(rt("D1004", "Regular expression matches zero length string"));
    }
    Ok(next)
}

/// `RegExp.prototype.exec` with the `g` flag from `from`: sets `lastIndex` to the end of the
/// match, or back to 0 when there is none.
fn exec<'a>(re: &Rc<RegexFn<'a>>, subject: Rc<Subject>, from: usize) -> R<'a> {
    let units = &subject.units;
    if let Some(max) = re.lit.max_subject {
        if units.len() > max {
            return Err(rt(
                "U1002",
                format!(
                    "Regular expression /{}/ has nested quantifiers and may take exponential time: it runs on strings of at most {max} characters, not {}",
                    re.lit.source,
                    units.len()
                ),
            ));
        }
    }
    let searched: &[u16] = subject.searched.as_deref().unwrap_or(units);
    let found = if from > units.len() { None } else { re.lit.re.find_from_ucs2(searched, from).next() };
    let Some(m) = found else {
        re.last_index.set(0);
        return Ok(None);
    };
    re.last_index.set(m.end());
    let text = |r: std::ops::Range<usize>| V::str(String::from_utf16_lossy(units.get(r).unwrap_or_default()));
    let groups = m.captures.iter().map(|g| g.clone().map(text).unwrap_or(V::Null)).collect();
    let mut o = ObjMap::new();
    o.insert("match".into(), text(m.range()));
    o.insert("start".into(), V::Num(m.start() as f64));
    o.insert("end".into(), V::Num(m.end() as f64));
    o.insert("groups".into(), V::arr(groups));
    o.insert("next".into(), V::Func(Rc::new(Func::RegexNext { re: re.clone(), subject })));
    Ok(Some(V::obj(o)))
}

/// `String(v)`, as `exec` converts its argument.
fn js_string(v: Option<&V<'_>>) -> String {
    match v {
        None => "undefined".into(),
        Some(V::Null) => "null".into(),
        Some(V::Bool(b)) => b.to_string(),
        Some(V::Num(n)) => js_number(*n),
        Some(V::Str(s)) => s.to_string(),
        Some(a @ (V::Arr(..) | V::JArr(_))) => {
            let items = a.items().unwrap_or_default();
            let parts: Vec<String> =
                items.iter().map(|x| if matches!(x, V::Null) { String::new() } else { js_string(Some(x)) }).collect();
            parts.join(",")
        }
        Some(V::Obj(_) | V::JObj(_)) => "[object Object]".into(),
        Some(V::Func(_) | V::Builtin(_)) => String::new(),
    }
}

/// `ToLength(fromIndex || 0)`: a start position in UTF-16 units.
fn to_length(v: &V<'_>) -> usize {
    let n = match v {
        V::Num(n) => *n,
        V::Str(s) if s.trim().is_empty() => 0.0,
        V::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        V::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    };
    if n.is_nan() || n <= 0.0 {
        0
    } else {
        n.floor().min(usize::MAX as f64) as usize
    }
}

/// Calls a matcher on a subject (or its `next` with no subject) and checks what it returned
/// (reference `evaluateMatcher`): undefined is no match; a truthy value must have a numeric
/// `start`, an array `groups` or a function `next`, else error T1010.
pub fn call_matcher<'a>(ev: &mut Evaluator<'a, '_>, matcher: &V<'a>, subject: Option<V<'a>>, fname: &str) -> R<'a> {
    let result = ev.apply(matcher, vec![subject], &None)?;
    let Some(r) = result else { return Ok(None) };
    let truthy = super::value::js_truthy(Some(&r));
    let shaped = r.get("start").is_some_and(|s| matches!(s, V::Num(_)))
        || r.get("groups").is_some_and(|g| g.is_array())
        || r.get("next").is_some_and(|n| n.is_func());
    if truthy && !shaped {
        return Err(bad_matcher(fname));
    }
    Ok(Some(r))
}

/// Error T1010 for a matcher whose result cannot be read as a match.
pub fn bad_matcher(fname: &str) -> JsonataError {
    rt(
        "T1010",
        format!(
            "The matcher function argument passed to function \"{fname}\" does not return the correct object structure"
        ),
    )
}

/// One match as the built-ins read it, from a matcher's result object.
pub struct Found<'a> {
    pub obj: V<'a>,
    fname: &'static str,
}

impl<'a> Found<'a> {
    pub fn new(obj: V<'a>, fname: &'static str) -> Result<Found<'a>, JsonataError> {
        if obj.is_object() {
            Ok(Found { obj, fname })
        } else {
            Err(bad_matcher(fname))
        }
    }

    pub fn field(&self, key: &str) -> Option<V<'a>> {
        self.obj.get(key)
    }

    /// The matched text (required where the built-in measures or copies it).
    pub fn text(&self) -> Result<String, JsonataError> {
        match self.field("match") {
            Some(V::Str(s)) => Ok(s.to_string()),
            _ => Err(bad_matcher(self.fname)),
        }
    }

    /// A numeric field (`start`, `end`), for `String.prototype.substring`.
    pub fn position(&self, key: &str) -> Option<f64> {
        self.field(key).and_then(|v| v.as_num())
    }

    /// The captured groups: text, or `None` for a group that did not take part.
    pub fn groups(&self) -> Vec<Option<String>> {
        let items = self.field("groups").and_then(|g| g.items()).unwrap_or_default();
        items.iter().map(|g| g.as_str().map(str::to_string)).collect()
    }

    /// The following match, through the result's `next` function.
    pub fn next(&self, ev: &mut Evaluator<'a, '_>) -> Result<Option<Found<'a>>, JsonataError> {
        let Some(next) = self.field("next").filter(|n| n.is_func()) else {
            return Err(bad_matcher(self.fname));
        };
        match call_matcher(ev, &next, None, self.fname)? {
            Some(v) => Found::new(v, self.fname).map(Some),
            None => Ok(None),
        }
    }
}

/// The first match of a matcher on `s`, as a [`Found`].
pub fn first_found<'a>(
    ev: &mut Evaluator<'a, '_>,
    matcher: &V<'a>,
    s: &str,
    fname: &'static str,
) -> Result<Option<Found<'a>>, JsonataError> {
    match call_matcher(ev, matcher, Some(V::str(s)), fname)? {
        Some(v) => Found::new(v, fname).map(Some),
        None => Ok(None),
    }
}

/// `String.prototype.substring` over UTF-16 units: positions clamped to the string, swapped
/// when out of order; an absent end is the end of the string.
pub fn utf16_slice(units: &[u16], start: Option<f64>, end: Option<f64>) -> String {
    let len = units.len();
    let clamp = |x: f64| if x.is_nan() || x <= 0.0 { 0 } else { (x.floor() as usize).min(len) };
    let a = clamp(start.unwrap_or(0.0));
    let b = end.map(clamp).unwrap_or(len);
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    String::from_utf16_lossy(&units[a..b])
}

/// A matcher can return at most one match per position of the subject (`positions` is its
/// length in UTF-16 units plus one) unless it fails to progress: a custom matcher whose
/// `next` never ends, or a regex whose `lastIndex` a replacement function reset. The
/// reference loops forever there; this is error U1003 instead.
pub fn check_progress(count: f64, positions: usize) -> Result<(), JsonataError> {
    if count > positions as f64 {
        return Err(rt(
            "U1003",
            format!(
                "The matcher returned more matches than the string has positions ({positions}): it does not progress"
            ),
        ));
    }
    Ok(())
}

/// Error T1010 names the function as it was invoked (`$c := $contains; $c(...)` says `"c"`);
/// built-ins raise it with their own name.
pub fn matcher_error_named(e: JsonataError, builtin: &str, invoked: &str) -> JsonataError {
    if e.code() != "T1010" || invoked.is_empty() || invoked == builtin {
        return e;
    }
    let message = e.message().replacen(&format!("function \"{builtin}\""), &format!("function \"{invoked}\""), 1);
    rt("T1010", message)
}
