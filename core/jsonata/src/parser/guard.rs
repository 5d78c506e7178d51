//! What both parser passes share: the bounds on depth and stack use, and syntax errors.

use crate::error::JsonataError;

/// How deep the syntax tree may grow before parsing gives up (guards the stack, also when
/// the tree is later evaluated or dropped).
pub const MAX_PARSE_DEPTH: usize = 1000;
/// Stack the parser may use before giving up, whatever the depth.
pub const STACK_BUDGET: usize = 700 * 1024;

pub fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

pub fn too_deep(pos: usize) -> JsonataError {
    err("S0201", pos, "Syntax error: expression nested too deeply")
}

pub fn err(code: &'static str, pos: usize, message: impl Into<String>) -> JsonataError {
    JsonataError::Syntax { code: code.to_string(), position: pos, message: message.into() }
}
