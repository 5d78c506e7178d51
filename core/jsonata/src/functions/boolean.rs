//! Boolean functions (`$boolean`, `$not`, `$exists`).

use super::args::{arg, Entry};
use crate::eval::{to_boolean, V};
use crate::eval::{Evaluator, R};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("boolean", "<x-:b>", boolean));
    r.push(("not", "<x-:b>", not));
    r.push(("exists", "<x:b>", exists));
}

fn boolean<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    Ok(to_boolean(arg(&args, 0)).map(V::Bool))
}

fn not<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    Ok(to_boolean(arg(&args, 0)).map(|b| V::Bool(!b)))
}

fn exists<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    Ok(Some(V::Bool(arg(&args, 0).is_some())))
}
