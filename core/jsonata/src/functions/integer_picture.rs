//! `$formatInteger` and `$parseInteger`: thin wrappers over [`crate::picture`].

use super::args::{num_arg, ok_num, ok_str, str_arg, Entry};
use crate::eval::V;
use crate::eval::{Evaluator, R};
use crate::picture::{format_integer, parse_integer};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("formatInteger", "<n-s:s>", format));
    r.push(("parseInteger", "<s-s:n>", parse));
}

fn format<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let (Some(n), Some(picture)) = (num_arg(&args, 0), str_arg(&args, 1)) else { return Ok(None) };
    ok_str(format_integer(n, picture)?)
}

fn parse<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let (Some(s), Some(picture)) = (str_arg(&args, 0), str_arg(&args, 1)) else { return Ok(None) };
    ok_num(parse_integer(s, picture)?)
}
