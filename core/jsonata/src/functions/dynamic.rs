//! `$eval`: parses a string as an expression and evaluates it where the call is made, in the
//! caller's scope (its variables and functions) and against the caller's context or the
//! given one. Errors from either stage are wrapped (D3120 parsing, D3121 evaluating) with
//! the inner message, as the reference does.

use super::args::{arg, str_arg, Entry};
use crate::ast::Node;
use crate::error::rt;
use crate::eval::{Evaluator, Flags, Frame, Parsed, R, V};
use crate::jstext::json_quote;
use crate::parser::parse_source_within;
use std::rc::Rc;

pub fn register(r: &mut Vec<Entry>) {
    r.push(("eval", "<sx?:x>", eval));
}

fn eval<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let Some(src) = str_arg(&args, 0) else { return Ok(None) };
    let ctx = match arg(&args, 1) {
        // a plain array given as the context is one input, not a sequence of inputs
        Some(v) if v.is_array() && !v.is_seq() => {
            Some(V::Arr(Rc::new(vec![v.clone()]), Flags { seq: true, outer: true, ..Flags::PLAIN }))
        }
        Some(v) => Some(v.clone()),
        None => input.clone(),
    };
    let node: &'a Node = match ev.parsed_by_source.get(src) {
        Some(node) => node,
        None => {
            let node = parse_source_within(src, ev.stack_base()).map_err(|e| {
                rt("D3120", format!("Syntax error in expression passed to function eval: {}", inner(e.message())))
            })?;
            let parsed: &'a Parsed = ev.parsed;
            let node: &'a Node = parsed.alloc(node);
            ev.parsed_by_source.insert(src.to_string(), node);
            node
        }
    };
    let frame = ev.call_frame.clone().unwrap_or_else(Frame::root);
    ev.eval(node, &ctx, &frame).map_err(|e| {
        rt("D3121", format!("Dynamic error evaluating the expression passed to function eval: {}", inner(e.message())))
    })
}

/// Longest inner message quoted in full: `$eval` nested in `$eval` quotes each level's
/// message again, and escaping doubles the backslashes each time.
const MAX_INNER_MESSAGE: usize = 2000;

/// The inner error's message as the reference inserts it (JSON-quoted), cut short when long.
fn inner(message: &str) -> String {
    match message.char_indices().nth(MAX_INNER_MESSAGE) {
        Some((cut, _)) => json_quote(&format!("{}...", &message[..cut])),
        None => json_quote(message),
    }
}
