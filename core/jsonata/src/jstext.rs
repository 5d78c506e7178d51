//! Text the way JavaScript writes it: numbers as `Number.prototype.toString` and strings as
//! `JSON.stringify`. The reference fills its error messages with these renderings, so the
//! lexer, the parser and the evaluator all need them.

use std::fmt::Write as _;

/// Formats a number as JavaScript's `Number.prototype.toString` does.
pub fn js_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if n == 0.0 {
        return "0".into();
    }
    // integers below 2^53 are exact and written as plain digits: skip the float formatter
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return (n as i64).to_string();
    }
    // shortest round-trip digits and decimal exponent
    let e = format!("{:e}", n.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let point = exp + 1; // position of the decimal point relative to the digits
    let mut s = String::new();
    if n < 0.0 {
        s.push('-');
    }
    if k <= point && point <= 21 {
        s.push_str(&digits);
        for _ in 0..(point - k) {
            s.push('0');
        }
    } else if 0 < point && point <= 21 {
        s.push_str(&digits[..point as usize]);
        s.push('.');
        s.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        s.push_str("0.");
        for _ in 0..(-point) {
            s.push('0');
        }
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let _ = write!(s, "e{}{}", if point > 0 { "+" } else { "-" }, (point - 1).abs());
    }
    s
}

/// A string as `JSON.stringify` writes it (quoted, with JSON's escapes).
pub fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json_quote_into(s, &mut out);
    out
}

/// `json_quote`, appended to `out` (no string of its own for each value written).
pub fn json_quote_into(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
