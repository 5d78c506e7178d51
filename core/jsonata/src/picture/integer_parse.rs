//! Reading integers written with a picture (`$parseInteger`, and the numeric components of
//! `$toMillis`): the pattern a component matches inside a timestamp, and its value.

use super::error::PictureError;
use super::integer::{analyse, Case, Grouping, IntegerFormat, Primary};
use super::js::{parse_int, text, units};
use super::letters::from_letters;
use super::roman::from_roman;
use super::words::{from_words, word_values};

/// Longest exact digit count a pattern may require.
const MAX_WIDTH: f64 = 10_000.0;

/// The regular expression (ECMAScript syntax, run on `regress` as the reference runs it
/// on JavaScript's engine) a value written with `f` matches.
pub fn pattern(f: &IntegerFormat) -> Result<String, PictureError> {
    let upper = f.case == Case::Upper;
    Ok(match f.primary {
        Primary::Letters => if upper { "[A-Z]+" } else { "[a-z]+" }.to_string(),
        Primary::Roman => if upper { "[MDCLXVI]+" } else { "[mdclxvi]+" }.to_string(),
        Primary::Words => {
            let mut alts: Vec<&str> = word_values().iter().map(|(w, _)| w.as_str()).collect();
            alts.push("and");
            alts.push(r"[\-, ]");
            format!("(?:{})+", alts.join("|"))
        }
        Primary::Decimal => {
            let occurrences = match f.parse_width {
                Some(n) if n > MAX_WIDTH => return Err(PictureError::TooLarge),
                Some(n) if n > 0.0 => {
                    let optional = f.optional_digits.unwrap_or(f64::NAN);
                    if optional == 0.0 {
                        format!("{{{n}}}")
                    } else if n - optional >= 0.0 {
                        format!("{{{},{n}}}", n - optional)
                    } else {
                        // JavaScript reads a quantifier with a negative bound as plain text
                        format!(r"\{{{},{n}\}}", n - optional)
                    }
                }
                _ => "+".to_string(),
            };
            let mut p = format!("[0-9]{occurrences}");
            if f.ordinal {
                p.push_str("(?:th|st|nd|rd)");
            }
            p
        }
        Primary::Sequence => return Err(PictureError::Sequence(f.token.clone())),
    })
}

/// The value of text written with `f` (not checked against [`pattern`], as in the
/// reference): `NaN` when it does not read as a number.
pub fn value(f: &IntegerFormat, s: &str) -> f64 {
    let upper = f.case == Case::Upper;
    match f.primary {
        Primary::Letters => from_letters(s, if upper { b'A' } else { b'a' }),
        Primary::Roman if upper => from_roman(s),
        Primary::Roman => from_roman(&s.to_uppercase()),
        Primary::Words => from_words(&s.to_lowercase()),
        Primary::Decimal => decimal_value(f, s),
        Primary::Sequence => f64::NAN,
    }
}

fn decimal_value(f: &IntegerFormat, s: &str) -> f64 {
    let mut u = units(s);
    if f.ordinal {
        u.truncate(u.len().saturating_sub(2));
    }
    let mut digits = text(&u);
    match &f.grouping {
        // the reference strips only commas from a regular pattern, whatever its separator
        Some(Grouping::Regular(_)) => digits.retain(|c| c != ','),
        Some(Grouping::Irregular(seps)) => {
            for sep in seps {
                digits.retain(|c| c != sep.character);
            }
        }
        None => {}
    }
    if f.zero_code != 0x30 {
        digits = digits
            .chars()
            .map(|c| {
                u32::from(c)
                    .checked_sub(f.zero_code)
                    .and_then(|d| char::from_u32(d + 0x30))
                    .unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect();
    }
    parse_int(&digits)
}

/// `$parseInteger(string, picture)`.
pub fn parse_integer(s: &str, picture: &str) -> Result<f64, PictureError> {
    let f = analyse(picture)?;
    pattern(&f)?;
    Ok(value(&f, s))
}

#[cfg(test)]
mod tests {
    use crate::picture::integer_parse::*;

    #[test]
    fn reads_each_kind() {
        assert_eq!(parse_integer("1,234,567", "#,##0"), Ok(1234567.0));
        assert_eq!(parse_integer("12th", "0;o"), Ok(12.0));
        assert_eq!(parse_integer("MCMXCIX", "I"), Ok(1999.0));
        assert_eq!(parse_integer("ab", "a"), Ok(28.0));
        assert_eq!(parse_integer("one hundred and one", "w"), Ok(101.0));
        assert_eq!(parse_integer("٠١٢", "٠٠٠"), Ok(12.0));
        assert_eq!(parse_integer("12", "x"), Err(PictureError::Sequence("x".into())));
    }
}
