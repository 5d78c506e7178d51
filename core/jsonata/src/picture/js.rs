//! The JavaScript primitives the reference's picture code leans on, with their exact
//! quirks: `parseInt` and `String.prototype.substr` over UTF-16 code units.

/// Whitespace as JavaScript's `String.prototype.trim` and `parseInt` skip it.
pub fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// JavaScript's `parseInt(s)` without a radix: optional sign, `0x` for hexadecimal, the
/// longest run of digits; `NaN` when there is none.
pub fn parse_int(s: &str) -> f64 {
    let t = s.trim_start_matches(is_js_space);
    let (sign, t) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let (radix, t) = if t.starts_with("0x") || t.starts_with("0X") { (16, &t[2..]) } else { (10, t) };
    let digits: &str = &t[..t.find(|c: char| !c.is_digit(radix)).unwrap_or(t.len())];
    if digits.is_empty() {
        return f64::NAN;
    }
    let magnitude = if radix == 10 {
        digits.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        digits.chars().filter_map(|c| c.to_digit(16)).fold(0.0, |acc, d| acc * 16.0 + f64::from(d))
    };
    sign * magnitude
}

/// A string as UTF-16 code units, the unit JavaScript's lengths and indexes count.
pub fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// Code units back to text (a lone surrogate becomes U+FFFD).
pub fn text(u: &[u16]) -> String {
    String::from_utf16_lossy(u)
}

/// `s.substr(start, len)`: a negative start counts from the end, the length is clipped.
pub fn substr(s: &[u16], start: i64, len: Option<i64>) -> &[u16] {
    let n = s.len() as i64;
    let from = if start < 0 { (n + start).max(0) } else { start.min(n) };
    let count = len.unwrap_or(n - from).clamp(0, n - from);
    &s[from as usize..(from + count) as usize]
}
