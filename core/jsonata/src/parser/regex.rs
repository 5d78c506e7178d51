//! Regex literals: JavaScript syntax translated once, at parse time, into `regex_lite`'s.

use super::guard::err;
use crate::ast::RegexLit;
use crate::error::JsonataError;

/// Translates a JavaScript regex into `regex_lite` syntax and compiles it.
pub fn compile_regex(pattern: &str, flags: &str, pos: usize) -> Result<RegexLit, JsonataError> {
    let mut out = String::new();
    if flags.contains('i') || flags.contains('m') {
        out.push_str("(?");
        if flags.contains('i') {
            out.push('i');
        }
        if flags.contains('m') {
            out.push('m');
        }
        out.push(')');
    }
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push_str("\\\\");
            break;
        };
        if e == 'u' {
            let hex: String = chars.clone().take(4).collect();
            if hex.len() == 4 && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                for _ in 0..4 {
                    chars.next();
                }
                out.push_str(&format!("\\x{{{hex}}}"));
                continue;
            }
        }
        if e.is_ascii_alphanumeric() || "\\.+*?()|[]{}^$#&-~".contains(e) {
            out.push('\\');
            out.push(e);
        } else {
            out.push(e);
        }
    }
    match regex_lite::Regex::new(&out) {
        Ok(re) => Ok(RegexLit { source: pattern.to_string(), re }),
        Err(e) => Err(err("S0302", pos, format!("Invalid regular expression: {e}"))),
    }
}
