//! Operations on values as the reference defines them: conversion from and to JSON,
//! truthiness, deep equality, JavaScript number formatting, serialisation (`$string`, `&`)
//! and the short renderings in error messages.

use super::types::{Flags, ObjMap, Str, V};
use crate::error::{rt, JsonataError};
use serde_json::{Map, Number, Value as Json};
use std::rc::Rc;

pub use crate::jstext::js_number;

/// Bounds the recursion of helpers walking nested values (equality, serialisation).
pub const MAX_VALUE_DEPTH: usize = 500;

impl<'a> V<'a> {
    pub fn from_json(j: &'a Json) -> V<'a> {
        match j {
            Json::Null => V::Null,
            Json::Bool(b) => V::Bool(*b),
            Json::Number(n) => V::Num(n.as_f64().unwrap_or(f64::NAN)),
            Json::String(s) => V::Str(Str::B(s)),
            Json::Array(a) => V::JArr(a),
            Json::Object(o) => V::JObj(o),
        }
    }

    pub fn str(s: impl Into<Rc<str>>) -> V<'a> {
        V::Str(Str::O(s.into()))
    }

    pub fn seq(items: Vec<V<'a>>) -> V<'a> {
        V::Arr(Rc::new(items), Flags::SEQ)
    }

    pub fn arr(items: Vec<V<'a>>) -> V<'a> {
        V::Arr(Rc::new(items), Flags::PLAIN)
    }

    pub fn obj(m: ObjMap<'a>) -> V<'a> {
        V::Obj(Rc::new(m))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, V::Arr(..) | V::JArr(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self, V::Arr(_, f) if f.seq)
    }

    pub fn is_func(&self) -> bool {
        matches!(self, V::Func(_) | V::Builtin(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            V::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn flags(&self) -> Flags {
        match self {
            V::Arr(_, f) => *f,
            _ => Flags::PLAIN,
        }
    }

    /// Array length, if this is an array.
    pub fn arr_len(&self) -> Option<usize> {
        match self {
            V::Arr(a, _) => Some(a.len()),
            V::JArr(a) => Some(a.len()),
            _ => None,
        }
    }

    /// The items of an array (borrowed items become borrowed values); `None` when not an array.
    pub fn items(&self) -> Option<Vec<V<'a>>> {
        match self {
            V::Arr(a, _) => Some(a.as_ref().clone()),
            V::JArr(a) => Some(a.iter().map(V::from_json).collect()),
            _ => None,
        }
    }

    /// One item of an array.
    pub fn item(&self, i: usize) -> Option<V<'a>> {
        match self {
            V::Arr(a, _) => a.get(i).cloned(),
            V::JArr(a) => a.get(i).map(V::from_json),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, V::Obj(_) | V::JObj(_))
    }

    /// Looks a key up in an object.
    pub fn get(&self, key: &str) -> Option<V<'a>> {
        match self {
            V::JObj(o) => o.get(key).map(V::from_json),
            V::Obj(o) => o.get(key).cloned(),
            _ => None,
        }
    }

    /// Entries of an object in JavaScript's property order: keys that are array indices
    /// first, ascending, then the others in insertion order (`$keys`, `*`, `$string`, ...
    /// all see objects this way in the reference).
    pub fn entries(&self) -> Option<Vec<(String, V<'a>)>> {
        let mut entries: Vec<(String, V<'a>)> = match self {
            V::JObj(o) => o.iter().map(|(k, v)| (k.clone(), V::from_json(v))).collect(),
            V::Obj(o) => o.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => return None,
        };
        js_property_order(&mut entries);
        Some(entries)
    }

    pub fn obj_len(&self) -> Option<usize> {
        match self {
            V::JObj(o) => Some(o.len()),
            V::Obj(o) => Some(o.len()),
            _ => None,
        }
    }

    /// The signature symbol of a value (reference `getSymbol`).
    pub fn symbol(v: Option<&V<'_>>) -> char {
        match v {
            None => 'm',
            Some(V::Null) => 'l',
            Some(V::Bool(_)) => 'b',
            Some(V::Num(_)) => 'n',
            Some(V::Str(_)) => 's',
            Some(V::JArr(_) | V::Arr(..)) => 'a',
            Some(V::JObj(_) | V::Obj(_)) => 'o',
            Some(V::Func(_) | V::Builtin(_)) => 'f',
        }
    }

    /// JSONata type name (`$type`).
    pub fn type_name(&self) -> &'static str {
        match self {
            V::Null => "null",
            V::Bool(_) => "boolean",
            V::Num(_) => "number",
            V::Str(_) => "string",
            V::JArr(_) | V::Arr(..) => "array",
            V::JObj(_) | V::Obj(_) => "object",
            V::Func(_) | V::Builtin(_) => "function",
        }
    }

    /// Converts to JSON. A function becomes `""`; inside an array `null` and inside an object
    /// nothing, as `JSON.stringify` of the reference's result gives;
    /// non-finite numbers are an error (D1001).
    pub fn to_json(&self) -> Result<Json, String> {
        self.to_json_depth(0)
    }

    fn to_json_depth(&self, depth: usize) -> Result<Json, String> {
        if depth > MAX_VALUE_DEPTH {
            return Err("value nested too deeply".into());
        }
        Ok(match self {
            V::Null => Json::Null,
            V::Bool(b) => Json::Bool(*b),
            V::Num(n) => num_to_json(*n).map(Json::Number).unwrap_or(Json::Null),
            V::Str(s) => Json::String(s.to_string()),
            V::JArr(a) => Json::Array(a.to_vec()),
            V::JObj(o) => Json::Object((*o).clone()),
            // inside arrays and objects, functions are what JSON.stringify makes of them
            V::Arr(a, _) => {
                let mut out = Vec::with_capacity(a.len());
                for v in a.iter() {
                    out.push(if v.is_func() { Json::Null } else { v.to_json_depth(depth + 1)? });
                }
                Json::Array(out)
            }
            V::Obj(_) => {
                let mut out = Map::new();
                for (k, v) in self.entries().unwrap_or_default().into_iter().filter(|(_, v)| !v.is_func()) {
                    out.insert(k, v.to_json_depth(depth + 1)?);
                }
                Json::Object(out)
            }
            V::Func(_) | V::Builtin(_) => Json::String(String::new()),
        })
    }
}

/// The index a property key stands for when JavaScript treats it as an array index: the
/// canonical decimal form of an integer below 2^32 - 1.
fn array_index(key: &str) -> Option<u32> {
    let canonical = !key.is_empty()
        && key.len() <= 10
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key.len() == 1 || !key.starts_with('0'));
    if !canonical {
        return None;
    }
    key.parse::<u64>().ok().filter(|&n| n < u32::MAX as u64).map(|n| n as u32)
}

/// Reorders entries as JavaScript lists an object's properties (stable for the others).
fn js_property_order<T>(entries: &mut [(String, T)]) {
    if entries.iter().any(|(k, _)| array_index(k).is_some()) {
        entries.sort_by_key(|(k, _)| match array_index(k) {
            Some(n) => (0u8, n),
            None => (1u8, 0),
        });
    }
}

/// A JSON number for `n`: integral values within ±2^53 become integers (JSONata prints `3`).
pub fn num_to_json(n: f64) -> Option<Number> {
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return Some(Number::from(n as i64));
    }
    Number::from_f64(n)
}

/// Effective boolean value (reference `fn.boolean`); `None` for undefined.
pub fn to_boolean(v: Option<&V<'_>>) -> Option<bool> {
    let v = v?;
    Some(match v {
        V::Arr(..) | V::JArr(_) => {
            let len = v.arr_len().unwrap_or(0);
            if len == 1 {
                to_boolean(v.item(0).as_ref()).unwrap_or(false)
            } else {
                (0..len).any(|i| to_boolean(v.item(i).as_ref()).unwrap_or(false))
            }
        }
        V::Str(s) => !s.is_empty(),
        V::Num(n) => *n != 0.0,
        V::Obj(o) => !o.is_empty(),
        V::JObj(o) => !o.is_empty(),
        V::Bool(b) => *b,
        V::Null | V::Func(_) | V::Builtin(_) => false,
    })
}

/// JavaScript truthiness (used where the reference tests a raw JS value, e.g. sort comparators).
pub fn js_truthy(v: Option<&V<'_>>) -> bool {
    match v {
        None | Some(V::Null) => false,
        Some(V::Bool(b)) => *b,
        Some(V::Num(n)) => *n != 0.0 && !n.is_nan(),
        Some(V::Str(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// Deep equality (reference `isDeepEqual`).
pub fn deep_equal(a: &V<'_>, b: &V<'_>) -> bool {
    deep_equal_depth(a, b, 0)
}

fn deep_equal_depth(a: &V<'_>, b: &V<'_>, depth: usize) -> bool {
    if depth > MAX_VALUE_DEPTH {
        return false;
    }
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Num(x), V::Num(y)) => x == y,
        (V::Str(x), V::Str(y)) => **x == **y,
        (V::JArr(x), V::JArr(y)) if std::ptr::eq(*x, *y) => true,
        (V::JObj(x), V::JObj(y)) if std::ptr::eq(*x, *y) => true,
        _ if a.is_array() && b.is_array() => {
            let n = a.arr_len().unwrap_or(0);
            n == b.arr_len().unwrap_or(0)
                && (0..n).all(|i| match (a.item(i), b.item(i)) {
                    (Some(x), Some(y)) => deep_equal_depth(&x, &y, depth + 1),
                    _ => false,
                })
        }
        _ if a.is_object() && b.is_object() => {
            let (Some(ea), Some(nb)) = (a.entries(), b.obj_len()) else { return false };
            ea.len() == nb
                && ea.iter().all(|(k, va)| match b.get(k) {
                    Some(vb) => deep_equal_depth(va, &vb, depth + 1),
                    None => false,
                })
        }
        (V::Func(x), V::Func(y)) => std::ptr::eq(Rc::as_ptr(x) as *const u8, Rc::as_ptr(y) as *const u8),
        (V::Builtin(x), V::Builtin(y)) => std::ptr::eq(*x, *y),
        _ => false,
    }
}

/// `Number(n.toPrecision(15))`: how `$string` renders numbers.
pub fn round15(n: f64) -> f64 {
    if !n.is_finite() || n == 0.0 {
        return n;
    }
    format!("{:.14e}", n).parse().unwrap_or(n)
}

/// `JSON.stringify` with the reference's replacer (numbers to 15 significant digits,
/// functions as `""`), optionally indented by two spaces.
pub fn stringify(v: &V<'_>, pretty: bool, out: &mut String) -> Result<(), JsonataError> {
    Stringify { pretty, round: true }.write(v, 0, out)
}

/// How a value is serialised: indented or not, numbers rounded to 15 significant digits
/// (`$string`) or written exactly (`JSON.stringify`, as in error messages).
#[derive(Clone, Copy)]
struct Stringify {
    pretty: bool,
    round: bool,
}

fn indent(out: &mut String, pretty: bool, level: usize) {
    if pretty {
        out.push('\n');
        for _ in 0..level {
            out.push_str("  ");
        }
    }
}

impl Stringify {
    fn write(self, v: &V<'_>, level: usize, out: &mut String) -> Result<(), JsonataError> {
        let pretty = self.pretty;
        if level > MAX_VALUE_DEPTH {
            return Err(rt("U1001", "Value nested too deeply"));
        }
        match v {
            V::Null => out.push_str("null"),
            V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            V::Num(n) => {
                if !n.is_finite() {
                    if self.round {
                        // the reference's replacer tests each number with `isNumeric`, which throws
                        return Err(rt("D1001", "Number out of range: null"));
                    }
                    out.push_str("null")
                } else if self.round {
                    out.push_str(&js_number(round15(*n)))
                } else {
                    out.push_str(&js_number(*n))
                }
            }
            V::Str(s) => quote_json(s, out),
            V::Func(_) | V::Builtin(_) => out.push_str("\"\""),
            V::Arr(..) | V::JArr(_) => {
                let n = v.arr_len().unwrap_or(0);
                out.push('[');
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, pretty, level + 1);
                    match v.item(i) {
                        Some(x) => self.write(&x, level + 1, out)?,
                        None => out.push_str("null"),
                    }
                }
                if n > 0 {
                    indent(out, pretty, level);
                }
                out.push(']');
            }
            V::Obj(_) | V::JObj(_) => {
                let entries = v.entries().unwrap_or_default();
                out.push('{');
                for (i, (k, x)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, pretty, level + 1);
                    quote_json(k, out);
                    out.push(':');
                    if pretty {
                        out.push(' ');
                    }
                    self.write(x, level + 1, out)?;
                }
                if !entries.is_empty() {
                    indent(out, pretty, level);
                }
                out.push('}');
            }
        }
        Ok(())
    }
}

pub fn quote_json(s: &str, out: &mut String) {
    crate::jstext::json_quote_into(s, out);
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
            quote_json(x, &mut s);
        }
        other => {
            if (Stringify { pretty: false, round: false }).write(other, 0, &mut s).is_err() {
                s = "...".into();
            }
        }
    }
    s
}

/// `$string` of a defined value (also used by `&`).
pub fn to_string(v: &V<'_>) -> Result<String, JsonataError> {
    to_string_pretty(v, false)
}

pub fn to_string_pretty(v: &V<'_>, pretty: bool) -> Result<String, JsonataError> {
    match v {
        V::Str(s) => Ok(s.to_string()),
        V::Func(_) | V::Builtin(_) => Ok(String::new()),
        V::Num(n) if !n.is_finite() => Err(rt("D3001", "Attempting to invoke string function on Infinity or NaN")),
        other => {
            let other = match other {
                V::Arr(a, f) if f.outer && !a.is_empty() => &a[0],
                o => o,
            };
            let mut s = String::new();
            stringify(other, pretty, &mut s)?;
            Ok(s)
        }
    }
}
