//! Analysing a date/time picture (XPath F&O 3.1 §9.8.4 as the reference implements it):
//! literals, `[[`/`]]` escapes, and variable markers `[component presentation,width]`.

use super::error::PictureError;
use super::integer::{analyse, Case, IntegerFormat};
use super::js::parse_int;

/// A width modifier (`,min-max`); `*` or a missing bound is `None`, a bound that is not a
/// number is `NaN` (as the reference's `parseInt` leaves it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Width {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// One variable marker.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub component: char,
    pub width: Option<Width>,
    pub presentation1: String,
    pub presentation2: Option<char>,
    /// Month/day names and their case, for `N`, `n` and `Nn`.
    pub names: Option<Case>,
    /// How a numeric component (and the time zone) is written.
    pub integer: Option<IntegerFormat>,
    /// For years: keep only this many low digits (`-1`: all), as §9.8.4.4 says.
    pub year_digits: f64,
}

/// A piece of an analysed picture.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Literal(String),
    Marker(Marker),
}

/// The default presentation of each component.
fn default_presentation(component: char) -> Option<&'static str> {
    Some(match component {
        'Y' | 'M' | 'D' | 'd' | 'W' | 'w' | 'X' | 'x' | 'H' | 'h' | 'f' => "1",
        'F' | 'P' | 'C' | 'E' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => return None,
    })
}

/// JavaScript's `substring(a, b)` on characters: bounds clipped, swapped when reversed.
fn substring(chars: &[char], a: usize, b: usize) -> String {
    let (a, b) = (a.min(chars.len()), b.min(chars.len()));
    let (a, b) = if a > b { (b, a) } else { (a, b) };
    chars[a..b].iter().collect()
}

fn width_bound(text: Option<String>) -> Option<f64> {
    match text.as_deref() {
        None | Some("*") => None,
        Some(t) => Some(parse_int(t)),
    }
}

fn marker(text: &str) -> Result<Marker, PictureError> {
    let chars: Vec<char> = text.chars().filter(|c| !super::js::is_js_space(*c)).collect();
    let Some(&component) = chars.first() else { return Err(PictureError::UnknownComponent(String::new())) };
    let (width, pres): (Option<Width>, String) = match chars.iter().rposition(|&c| c == ',') {
        Some(comma) => {
            let w = &chars[comma + 1..];
            let (min, max) = match w.iter().position(|&c| c == '-') {
                None => (Some(w.iter().collect::<String>()), None),
                Some(dash) => (Some(w[..dash].iter().collect()), Some(w[dash + 1..].iter().collect())),
            };
            (Some(Width { min: width_bound(min), max: width_bound(max) }), substring(&chars, 1, comma))
        }
        None => (None, substring(&chars, 1, chars.len())),
    };
    let pres_chars: Vec<char> = pres.chars().collect();
    let (presentation1, presentation2) = match pres_chars.len() {
        0 => match default_presentation(component) {
            Some(p) => (p.to_string(), None),
            None => return Err(PictureError::UnknownComponent(component.to_string())),
        },
        1 => (pres, None),
        n => match pres_chars[n - 1] {
            last @ ('a' | 't' | 'c' | 'o') => (pres_chars[..n - 1].iter().collect(), Some(last)),
            _ => (pres, None),
        },
    };
    let mut m =
        Marker { component, width, presentation1, presentation2, names: None, integer: None, year_digits: -1.0 };
    let mut p1 = m.presentation1.chars();
    match (p1.next(), p1.next()) {
        (Some('n'), _) => m.names = Some(Case::Lower),
        (Some('N'), Some('n')) => m.names = Some(Case::Title),
        (Some('N'), _) => m.names = Some(Case::Upper),
        _ if "YMDdFWwXxHhmsf".contains(component) => {
            let mut pattern = m.presentation1.clone();
            if let Some(p2) = m.presentation2 {
                pattern.push(';');
                pattern.push(p2);
            }
            let mut f = analyse(&pattern)?;
            if let Some(min) = width.and_then(|w| w.min) {
                if f.mandatory_digits.is_some_and(|d| d < min) {
                    f.mandatory_digits = Some(min);
                }
            }
            if "YMD".contains(component) {
                if let Some(max) = width.and_then(|w| w.max) {
                    m.year_digits = max;
                    f.mandatory_digits = Some(max);
                } else {
                    let w = f.mandatory_digits.unwrap_or(f64::NAN) + f.optional_digits.unwrap_or(f64::NAN);
                    if w >= 2.0 {
                        m.year_digits = w;
                    }
                }
                f.parse_width = Some(m.year_digits);
            }
            m.integer = Some(f);
        }
        _ => {}
    }
    if component == 'Z' || component == 'z' {
        m.integer = Some(analyse(&m.presentation1)?);
    }
    Ok(m)
}

/// Splits a picture into literals and analysed markers.
pub fn analyse_picture(picture: &str) -> Result<Vec<Part>, PictureError> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let flush = |literal: &mut String, parts: &mut Vec<Part>| {
        if !literal.is_empty() {
            parts.push(Part::Literal(std::mem::take(literal).replace("]]", "]")));
        }
    };
    let mut rest = picture;
    while let Some(open) = rest.find('[') {
        literal.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(tail) = after.strip_prefix('[') {
            flush(&mut literal, &mut parts);
            parts.push(Part::Literal("[".into()));
            rest = tail;
            continue;
        }
        flush(&mut literal, &mut parts);
        let Some(close) = after.find(']') else { return Err(PictureError::UnclosedMarker) };
        parts.push(Part::Marker(marker(&after[..close])?));
        rest = &after[close + 1..];
    }
    literal.push_str(rest);
    flush(&mut literal, &mut parts);
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use crate::picture::datetime_picture::*;

    #[test]
    fn markers_and_literals() {
        let parts = analyse_picture("[[[Y0001]]]-[M01]").expect("valid");
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], Part::Literal("[".into()));
        assert!(matches!(&parts[1], Part::Marker(m) if m.component == 'Y' && m.year_digits == 4.0));
        assert_eq!(parts[2], Part::Literal("]-".into()));
        assert_eq!(analyse_picture("[Y"), Err(PictureError::UnclosedMarker));
        assert_eq!(analyse_picture("[q]"), Err(PictureError::UnknownComponent("q".into())));
    }
}
