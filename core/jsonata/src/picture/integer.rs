//! Integer pictures (XPath `fn:format-integer` as the reference implements it): analysing a
//! picture into an [`IntegerFormat`] and formatting with it. Date/time components format
//! their numbers through the same code.

use super::error::PictureError;
use super::js::{text, units};
use super::letters::to_letters;
use super::roman::to_roman;
use super::words::to_words_into;
use crate::eval::value::js_number;

/// How the number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primary {
    Decimal,
    Letters,
    Roman,
    Words,
    /// Any other token: a numbering sequence the reference does not support (D3130).
    Sequence,
}

/// Letter case of letters, roman numerals and words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Upper,
    Lower,
    Title,
}

/// One grouping separator: its character and how many digit positions lie to its right.
#[derive(Debug, Clone, PartialEq)]
pub struct Separator {
    pub position: usize,
    pub character: char,
}

/// Where a decimal pattern puts grouping separators.
#[derive(Debug, Clone, PartialEq)]
pub enum Grouping {
    /// The same character every `position` digits (`#,##0`), repeated over the whole number.
    Regular(Separator),
    /// Separators exactly where the picture has them (`#,##,##0` or mixed characters).
    Irregular(Vec<Separator>),
}

/// An analysed integer picture. Digit counts are numbers because a date/time width
/// modifier may set them to `NaN`, which the reference then carries through.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegerFormat {
    pub primary: Primary,
    pub case: Case,
    pub ordinal: bool,
    /// The code point of the digit zero of the decimal digit family.
    pub zero_code: u32,
    pub mandatory_digits: Option<f64>,
    pub optional_digits: Option<f64>,
    /// Decimal patterns only.
    pub grouping: Option<Grouping>,
    /// The unsupported token, for D3130.
    pub token: String,
    /// The exact digit count a date component is parsed with (years, months, days).
    pub parse_width: Option<f64>,
}

/// The zero of every Unicode decimal digit family the reference knows.
const DECIMAL_GROUPS: [u32; 37] = [
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
    0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
    0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
];

/// Longest zero padding an evaluation may ask for.
const MAX_PADDING: f64 = 100_000.0;

fn digit_family(c: char) -> Option<u32> {
    let cp = u32::from(c);
    DECIMAL_GROUPS.iter().copied().find(|&zero| cp >= zero && cp <= zero + 9)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The interval of evenly spaced, identical separators (each multiple of it up to their
/// count present), or 0 when they are not regular.
fn regular_interval(seps: &[Separator]) -> usize {
    let Some(first) = seps.first() else { return 0 };
    if seps.iter().any(|s| s.character != first.character) {
        return 0;
    }
    let factor = seps.iter().map(|s| s.position).reduce(gcd).unwrap_or(0);
    let all = (1..=seps.len()).all(|i| seps.iter().any(|s| s.position == i * factor));
    if all {
        factor
    } else {
        0
    }
}

impl IntegerFormat {
    fn new(primary: Primary, case: Case, ordinal: bool) -> Self {
        IntegerFormat {
            primary,
            case,
            ordinal,
            zero_code: 0x30,
            mandatory_digits: None,
            optional_digits: None,
            grouping: None,
            token: String::new(),
            parse_width: None,
        }
    }
}

/// Analyses an integer picture: `primary[;modifier]`, where the modifier `o` asks for
/// ordinals and the primary is `a`, `A`, `i`, `I`, `w`, `W`, `Ww` or a decimal pattern.
pub fn analyse(picture: &str) -> Result<IntegerFormat, PictureError> {
    let (primary, ordinal) = match picture.rfind(';') {
        None => (picture, false),
        Some(i) => (&picture[..i], picture[i + 1..].starts_with('o')),
    };
    let named = |p, c| Ok(IntegerFormat::new(p, c, ordinal));
    match primary {
        "A" => return named(Primary::Letters, Case::Upper),
        "a" => return named(Primary::Letters, Case::Lower),
        "I" => return named(Primary::Roman, Case::Upper),
        "i" => return named(Primary::Roman, Case::Lower),
        "W" => return named(Primary::Words, Case::Upper),
        "Ww" => return named(Primary::Words, Case::Title),
        "w" => return named(Primary::Words, Case::Lower),
        _ => {}
    }
    let mut zero: Option<u32> = None;
    let (mut mandatory, mut optional, mut position) = (0usize, 0usize, 0usize);
    let mut separators = Vec::new();
    for c in primary.chars().rev() {
        if let Some(family) = digit_family(c) {
            mandatory += 1;
            position += 1;
            match zero {
                None => zero = Some(family),
                Some(z) if z != family => return Err(PictureError::MixedDigitFamilies),
                Some(_) => {}
            }
        } else if c == '#' {
            position += 1;
            optional += 1;
        } else {
            separators.push(Separator { position, character: c });
        }
    }
    let mut format = IntegerFormat::new(Primary::Decimal, Case::Lower, ordinal);
    if mandatory == 0 {
        format.primary = Primary::Sequence;
        format.token = primary.to_string();
        return Ok(format);
    }
    format.zero_code = zero.unwrap_or(0x30);
    format.mandatory_digits = Some(mandatory as f64);
    format.optional_digits = Some(optional as f64);
    let interval = regular_interval(&separators);
    format.grouping = Some(match separators.first() {
        Some(first) if interval > 0 => Grouping::Regular(Separator { position: interval, character: first.character }),
        _ => Grouping::Irregular(separators),
    });
    Ok(format)
}

/// Inserts `sep` before the code unit `pos` counted JavaScript's way (`substr`), so a
/// position left of the start overlaps the text as the reference's does.
fn insert_at(s: &[u16], pos: i64, sep: char) -> Vec<u16> {
    let mut buf = [0u16; 2];
    let sep = sep.encode_utf16(&mut buf);
    let mut out = super::js::substr(s, 0, Some(pos)).to_vec();
    out.extend_from_slice(sep);
    out.extend_from_slice(super::js::substr(s, pos, None));
    out
}

fn format_decimal(value: f64, f: &IntegerFormat, out: &mut String) -> Result<(), PictureError> {
    match &f.grouping {
        Some(Grouping::Irregular(seps)) if !seps.is_empty() => {
            out.push_str(&format_decimal_irregular(value, f, seps)?);
            Ok(())
        }
        Some(Grouping::Regular(sep)) => format_decimal_regular(value, f, Some(sep), out),
        _ => format_decimal_regular(value, f, None, out),
    }
}

/// The digits of a non-negative number as JavaScript writes it; integers (the usual case)
/// without going through the float formatter.
fn write_number(value: f64, buf: &mut [u8; 20]) -> Option<&str> {
    if !(value.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&value)) {
        return None;
    }
    let mut n = value as u64;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).ok()
}

/// No separators or a regular one: every character of the digits (ASCII from the number's
/// text, shifted into a digit family of the Basic Multilingual Plane) is one UTF-16 code
/// unit, so the reference's code-unit arithmetic is plain character counting here and the
/// text is written straight into `out`.
fn format_decimal_regular(
    value: f64,
    f: &IntegerFormat,
    sep: Option<&Separator>,
    out: &mut String,
) -> Result<(), PictureError> {
    let mut buf = [0u8; 20];
    let owned;
    let digits = match write_number(value, &mut buf) {
        Some(d) => d,
        None => {
            owned = js_number(value);
            owned.as_str()
        }
    };
    let pad = f.mandatory_digits.map_or(f64::NAN, |m| m - digits.len() as f64);
    if pad > MAX_PADDING {
        return Err(PictureError::TooLarge);
    }
    let pad = if pad > 0.0 { pad as usize } else { 0 };
    let len = pad + digits.len();
    let start = out.len();
    out.reserve(len + len / 2 + 2);
    let shift = f.zero_code - 0x30;
    let all = std::iter::repeat_n(b'0', pad).chain(digits.bytes());
    for (i, b) in all.enumerate() {
        if let Some(sep) = sep.filter(|s| s.position > 0) {
            if i > 0 && (len - i) % sep.position == 0 {
                out.push(sep.character);
            }
        }
        if shift == 0 {
            out.push(char::from(b));
        } else {
            out.push(char::from_u32(u32::from(b) + shift).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
    }
    if f.ordinal {
        let mut written = out[start..].chars().rev();
        let (last, before_last) = (written.next(), written.next());
        out.push_str(ordinal_suffix(last, before_last));
    }
    Ok(())
}

/// The English ordinal suffix after the last two characters of a number.
fn ordinal_suffix(last: Option<char>, before_last: Option<char>) -> &'static str {
    match last {
        _ if before_last == Some('1') => "th",
        Some('1') => "st",
        Some('2') => "nd",
        Some('3') => "rd",
        _ => "th",
    }
}

/// Separators where the picture has them, counted in UTF-16 code units from the right
/// as the reference does (a position left of the start overlaps the text).
fn format_decimal_irregular(value: f64, f: &IntegerFormat, seps: &[Separator]) -> Result<String, PictureError> {
    let mut digits = units(&js_number(value));
    let pad = f.mandatory_digits.map_or(f64::NAN, |m| m - digits.len() as f64);
    if pad > MAX_PADDING {
        return Err(PictureError::TooLarge);
    }
    if pad > 0.0 {
        let mut padded = vec![u16::from(b'0'); pad as usize];
        padded.extend_from_slice(&digits);
        digits = padded;
    }
    let mut s = text(&digits);
    if f.zero_code != 0x30 {
        s = s
            .chars()
            .map(|c| char::from_u32(u32::from(c) + f.zero_code - 0x30).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
    }
    let mut u = units(&s);
    for sep in seps.iter().rev() {
        let pos = u.len() as i64 - sep.position as i64;
        u = insert_at(&u, pos, sep.character);
    }
    if f.ordinal {
        let last = u.last().and_then(|&c| char::from_u32(u32::from(c)));
        let before_last = u.len().checked_sub(2).and_then(|i| u.get(i)).and_then(|&c| char::from_u32(u32::from(c)));
        u.extend(ordinal_suffix(last, before_last).encode_utf16());
    }
    Ok(text(&u))
}

/// Formats an integer (already floored) with an analysed picture, appending to `out`.
pub fn format_into(value: f64, f: &IntegerFormat, out: &mut String) -> Result<(), PictureError> {
    let negative = value < 0.0;
    let value = value.abs();
    if let Primary::Sequence = f.primary {
        return Err(PictureError::Sequence(f.token.clone()));
    }
    let mut body = String::new();
    let target = if negative { &mut body } else { &mut *out };
    let start = target.len();
    match f.primary {
        Primary::Letters => target.push_str(&to_letters(value, if f.case == Case::Upper { b'A' } else { b'a' })),
        Primary::Roman => {
            target.push_str(&to_roman(value)?);
            if f.case == Case::Upper {
                target[start..].make_ascii_uppercase();
            }
        }
        Primary::Words => {
            // number words are ASCII, so ASCII case mapping is the whole case mapping
            to_words_into(value, f.ordinal, target);
            match f.case {
                Case::Upper => target[start..].make_ascii_uppercase(),
                Case::Lower => target[start..].make_ascii_lowercase(),
                Case::Title => {}
            }
        }
        Primary::Decimal => format_decimal(value, f, target)?,
        Primary::Sequence => {}
    }
    if negative {
        out.push('-');
        out.push_str(&body);
    }
    Ok(())
}

/// Formats an integer (already floored) with an analysed picture.
pub fn format(value: f64, f: &IntegerFormat) -> Result<String, PictureError> {
    let mut out = String::new();
    format_into(value, f, &mut out)?;
    Ok(out)
}

/// `$formatInteger(number, picture)`: the number rounded down, then formatted.
pub fn format_integer(value: f64, picture: &str) -> Result<String, PictureError> {
    format(value.floor(), &analyse(picture)?)
}

#[cfg(test)]
mod tests {
    use crate::picture::integer::*;

    fn fmt(v: f64, p: &str) -> String {
        format_integer(v, p).unwrap_or_else(|e| format!("{e:?}"))
    }

    #[test]
    fn decimal_patterns() {
        assert_eq!(fmt(1234567.0, "#,##0"), "1,234,567");
        assert_eq!(fmt(7.0, "000"), "007");
        assert_eq!(fmt(12.0, "٠٠٠"), "٠١٢");
        assert_eq!(fmt(1234567.0, "#,##,##0"), "12,34,567");
        assert_eq!(fmt(-12.0, "0;o"), "-12th");
        assert_eq!(fmt(22.0, "0;o"), "22nd");
        assert_eq!(fmt(3.0, "١0"), "MixedDigitFamilies");
    }

    #[test]
    fn named_patterns() {
        assert_eq!(fmt(28.0, "A"), "AB");
        assert_eq!(fmt(1999.0, "I"), "MCMXCIX");
        assert_eq!(fmt(21.0, "w;o"), "twenty-first");
        assert_eq!(fmt(5.0, "x"), "Sequence(\"x\")");
    }
}
