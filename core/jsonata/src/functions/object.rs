//! Object functions (`$keys`, `$lookup`, `$spread`, `$merge`, `$sift`, `$each`, `$type`) and
//! `$error` / `$assert`.

use super::args::{arg, arity, items_arg, ok_str, str_arg, Entry};
use crate::error::rt;
use crate::eval::path::lookup_field;
use crate::eval::{to_boolean, ObjMap, V};
use crate::eval::{Evaluator, R};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("keys", "<x-:a<s>>", keys));
    r.push(("lookup", "<x-s:x>", lookup));
    r.push(("spread", "<x-:a<o>>", spread));
    r.push(("merge", "<a<o>:o>", merge));
    r.push(("sift", "<o-f?:o>", sift));
    r.push(("each", "<o-f:a>", each));
    r.push(("error", "<s?:x>", error));
    r.push(("assert", "<bs?:x>", assert));
    r.push(("type", "<x:s>", type_of));
    r.push(("clone", "<(oa)-:o>", clone));
}

fn key_list(v: &V<'_>, out: &mut Vec<String>) {
    if let Some(items) = v.items() {
        for i in items {
            key_list(&i, out);
        }
    } else if let Some(entries) = v.entries() {
        for (k, _) in entries {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
}

fn keys<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let mut out = Vec::new();
    if let Some(v) = arg(&args, 0) {
        if let Some(items) = v.items() {
            for i in items {
                if i.is_object() {
                    key_list(&i, &mut out);
                }
            }
        } else {
            key_list(v, &mut out);
        }
    }
    Ok(Some(V::seq(out.into_iter().map(V::str).collect())))
}

fn lookup<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let (Some(v), Some(k)) = (arg(&args, 0), str_arg(&args, 1)) else { return Ok(None) };
    Ok(lookup_field(v, k))
}

fn spread_into<'a>(v: &V<'a>, out: &mut Vec<V<'a>>) {
    if let Some(items) = v.items() {
        for i in items {
            spread_into(&i, out);
        }
    } else if let Some(entries) = v.entries() {
        for (k, x) in entries {
            let mut o = ObjMap::new();
            o.insert(k, x);
            out.push(V::obj(o));
        }
    } else {
        out.push(v.clone());
    }
}

fn spread<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(v) = arg(&args, 0) else { return Ok(None) };
    if !v.is_array() && !v.is_object() {
        return Ok(Some(v.clone()));
    }
    let mut out = Vec::new();
    spread_into(v, &mut out);
    Ok(Some(V::seq(out)))
}

fn merge<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let mut out = ObjMap::new();
    for i in items {
        for (k, v) in i.entries().unwrap_or_default() {
            out.insert(k, v);
        }
    }
    Ok(Some(V::obj(out)))
}

/// Arguments for `$sift`/`$each` callbacks: value, then key and object if the callee takes them.
fn hof_args<'a>(f: &V<'a>, v: V<'a>, k: &str, obj: &V<'a>) -> Vec<Option<V<'a>>> {
    let n = arity(f);
    let mut a = vec![Some(v)];
    if n >= 2 {
        a.push(Some(V::str(k)));
    }
    if n >= 3 {
        a.push(Some(obj.clone()));
    }
    a
}

fn sift<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let (Some(o), Some(f)) = (arg(&args, 0), arg(&args, 1)) else { return Ok(None) };
    let mut out = ObjMap::new();
    for (k, v) in o.entries().unwrap_or_default() {
        let r = ev.apply(f, hof_args(f, v.clone(), &k, o), input)?;
        if to_boolean(r.as_ref()).unwrap_or(false) {
            out.insert(k, v);
        }
    }
    if out.is_empty() {
        return Ok(None);
    }
    Ok(Some(V::obj(out)))
}

fn each<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let (Some(o), Some(f)) = (arg(&args, 0), arg(&args, 1)) else { return Ok(None) };
    let mut out = Vec::new();
    for (k, v) in o.entries().unwrap_or_default() {
        if let Some(r) = ev.apply(f, hof_args(f, v, &k, o), input)? {
            out.push(r);
        }
    }
    Ok(Some(V::seq(out)))
}

fn error<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let msg = str_arg(&args, 0).unwrap_or("$error() function evaluated");
    Err(rt("D3137", msg))
}

fn assert<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    if !matches!(arg(&args, 0), Some(V::Bool(true))) {
        let msg = str_arg(&args, 1).unwrap_or("$assert() statement failed");
        return Err(rt("D3141", msg));
    }
    Ok(None)
}

fn type_of<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match arg(&args, 0) {
        Some(v) => ok_str(v.type_name()),
        None => Ok(None),
    }
}

fn clone<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match arg(&args, 0) {
        Some(v) => Ok(Some(crate::eval::deep_clone(v, 0)?)),
        None => Ok(None),
    }
}
