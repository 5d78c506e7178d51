//! Integer pictures (XPath `fn:format-integer` as the reference implements it): analysing a
//! picture into an [`IntegerFormat`] and formatting with it. Date/time components format
//! their numbers through the same code.

use super::error::PictureError;
use super::js::{text, units};
use super::letters::to_letters;
use super::roman::to_roman;
use super::words::to_words;
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

fn format_decimal(value: f64, f: &IntegerFormat) -> Result<String, PictureError> {
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
    match &f.grouping {
        Some(Grouping::Regular(sep)) if sep.position > 0 => {
            let n = u.len().saturating_sub(1) / sep.position;
            for ii in (1..=n).rev() {
                let pos = u.len() as i64 - (ii * sep.position) as i64;
                u = insert_at(&u, pos, sep.character);
            }
        }
        Some(Grouping::Irregular(seps)) => {
            for sep in seps.iter().rev() {
                let pos = u.len() as i64 - sep.position as i64;
                u = insert_at(&u, pos, sep.character);
            }
        }
        _ => {}
    }
    if f.ordinal {
        let last = u.last().copied();
        let before_last = u.len().checked_sub(2).and_then(|i| u.get(i)).copied();
        let suffix = match last.and_then(|c| char::from_u32(u32::from(c))) {
            _ if before_last == Some(u16::from(b'1')) => "th",
            Some('1') => "st",
            Some('2') => "nd",
            Some('3') => "rd",
            _ => "th",
        };
        u.extend(suffix.encode_utf16());
    }
    Ok(text(&u))
}

/// Formats an integer (already floored) with an analysed picture.
pub fn format(value: f64, f: &IntegerFormat) -> Result<String, PictureError> {
    let negative = value < 0.0;
    let value = value.abs();
    let body = match f.primary {
        Primary::Letters => to_letters(value, if f.case == Case::Upper { b'A' } else { b'a' }),
        Primary::Roman => {
            let r = to_roman(value)?;
            if f.case == Case::Upper {
                r.to_uppercase()
            } else {
                r
            }
        }
        Primary::Words => {
            let w = to_words(value, f.ordinal);
            match f.case {
                Case::Upper => w.to_uppercase(),
                Case::Lower => w.to_lowercase(),
                Case::Title => w,
            }
        }
        Primary::Decimal => format_decimal(value, f)?,
        Primary::Sequence => return Err(PictureError::Sequence(f.token.clone())),
    };
    Ok(if negative { format!("-{body}") } else { body })
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
