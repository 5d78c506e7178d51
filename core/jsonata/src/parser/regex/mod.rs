//! Regex literals: the JavaScript pattern compiled once, at parse time, with the flags the
//! reference accepts (`i`, `m`; it adds `g` itself, which here is the matching loop).

mod backtrack;

use super::guard::err;
use crate::ast::{fold_guard, RegexLit};
use crate::error::JsonataError;

/// Compiles a JavaScript regex. The pattern is handed over as UTF-16 code units and compiled
/// without the `u` flag, as `new RegExp(pattern, flags)` does in the reference: `.` matches
/// one code unit, `\p{..}` is the letter `p`, and Annex B's lenient syntax applies.
pub fn compile_regex(pattern: &str, flags: &str, pos: usize) -> Result<RegexLit, JsonataError> {
    let options =
        regress::Flags { icase: flags.contains('i'), multiline: flags.contains('m'), ..regress::Flags::default() };
    let source = without_braced_unicode_escapes(pattern);
    let units = source.encode_utf16().map(|u| u32::from(if options.icase { fold_guard(u) } else { u }));
    match regress::Regex::from_unicode(units, options) {
        Ok(re) => Ok(RegexLit {
            source: pattern.to_string(),
            re,
            icase: options.icase,
            max_subject: backtrack::max_subject(pattern),
        }),
        Err(e) => Err(err("S0302", pos, format!("Invalid regular expression: /{pattern}/{flags}: {e}"))),
    }
}

/// Without the `u` flag, `\u{e9}` is not a code point escape: `\u` is the letter `u`, and
/// `{e9}` what follows it (a quantifier when it reads as one). `regress` reads the braced form
/// whatever the flags, so the backslash is dropped before it compiles.
fn without_braced_unicode_escapes(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains("\\u{") {
        return pattern.into();
    }
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') if chars.peek() == Some(&'{') => out.push('u'),
            Some(e) => {
                out.push('\\');
                out.push(e);
            }
            None => out.push('\\'),
        }
    }
    out.into()
}
