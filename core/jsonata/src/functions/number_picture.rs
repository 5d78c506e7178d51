//! Validation of a `$formatNumber` sub-picture (XPath F&O 4.7.3, as the reference checks
//! it): the rules D3081 to D3093. The last rule broken is the one reported, like the
//! reference, which tests them all before throwing.

use crate::error::{rt, JsonataError};

/// The characters of the picture language, after the options are applied.
pub struct PictureChars {
    pub decimal_sep: char,
    pub group_sep: char,
    pub exp_sep: char,
    pub percent: char,
    pub per_mille: char,
    pub zero: char,
    pub digit: char,
    pub pattern_sep: char,
}

impl PictureChars {
    fn is_digit_family(&self, c: char) -> bool {
        (c as u32) >= self.zero as u32 && (c as u32) < self.zero as u32 + 10
    }

    fn is_active(&self, c: char) -> bool {
        self.is_digit_family(c)
            || c == self.decimal_sep
            || c == self.exp_sep
            || c == self.group_sep
            || c == self.digit
            || c == self.pattern_sep
    }
}

fn index_of(s: &[char], c: char) -> Option<usize> {
    s.iter().position(|&x| x == c)
}

fn count(s: &[char], c: char) -> usize {
    s.iter().filter(|&&x| x == c).count()
}

/// Checks one sub-picture, splitting it as the reference's `splitParts` does.
pub fn validate(sub: &str, p: &PictureChars) -> Result<(), JsonataError> {
    let pic: Vec<char> = sub.chars().collect();
    let anchor = |c: &char| p.is_active(*c) && *c != p.exp_sep;
    let prefix_len = pic.iter().position(anchor).unwrap_or(pic.len());
    let suffix_start = pic.iter().rposition(anchor).map_or(pic.len(), |i| i + 1);
    let active: &[char] = pic.get(prefix_len..suffix_start.max(prefix_len)).unwrap_or(&[]);
    let suffix: &[char] = pic.get(suffix_start..).unwrap_or(&[]);
    // the reference finds the exponent in the whole sub-picture but cuts the active part
    // at that position
    let exp_pos = pic.iter().skip(prefix_len).position(|&c| c == p.exp_sep).map(|i| i + prefix_len);
    let (mantissa, exponent): (&[char], Option<&[char]>) = match exp_pos {
        Some(e) if e <= suffix_start => {
            (active.get(..e).unwrap_or(active), Some(active.get((e + 1).min(active.len())..).unwrap_or(&[])))
        }
        _ => (active, None),
    };
    let (integer, fractional): (&[char], &[char]) = match index_of(mantissa, p.decimal_sep) {
        Some(d) => (&mantissa[..d], &mantissa[d + 1..]),
        None => (mantissa, suffix),
    };

    let mut error = None;
    if count(&pic, p.decimal_sep) > 1 {
        error = Some((
            "D3081",
            "The sub-picture must not contain more than one instance of the 'decimal-separator' character",
        ));
    }
    if count(&pic, p.percent) > 1 {
        error = Some(("D3082", "The sub-picture must not contain more than one instance of the 'percent' character"));
    }
    if count(&pic, p.per_mille) > 1 {
        error = Some(("D3083", "The sub-picture must not contain more than one instance of the 'per-mille' character"));
    }
    let has_percent = pic.contains(&p.percent);
    let has_per_mille = pic.contains(&p.per_mille);
    if has_percent && has_per_mille {
        error = Some(("D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character"));
    }
    if !mantissa.iter().any(|&c| p.is_digit_family(c) || c == p.digit) {
        error = Some((
            "D3085",
            "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'",
        ));
    }
    if active.iter().any(|&c| !p.is_active(c)) {
        error = Some((
            "D3086",
            "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character",
        ));
    }
    match index_of(&pic, p.decimal_sep) {
        Some(d) => {
            let before = d.checked_sub(1).and_then(|i| pic.get(i));
            if before == Some(&p.group_sep) || pic.get(d + 1) == Some(&p.group_sep) {
                error = Some((
                    "D3087",
                    "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character",
                ));
            }
        }
        None => {
            if integer.last() == Some(&p.group_sep) {
                error = Some((
                    "D3088",
                    "The sub-picture must not contain a 'grouping-separator' at the end of the integer part",
                ));
            }
        }
    }
    if pic.windows(2).any(|w| w[0] == p.group_sep && w[1] == p.group_sep) {
        error = Some((
            "D3089",
            "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character",
        ));
    }
    if let Some(o) = index_of(integer, p.digit) {
        if integer[..o].iter().any(|&c| p.is_digit_family(c)) {
            error = Some((
                "D3090",
                "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'",
            ));
        }
    }
    if let Some(o) = fractional.iter().rposition(|&c| c == p.digit) {
        if fractional[o..].iter().any(|&c| p.is_digit_family(c)) {
            error = Some((
                "D3091",
                "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'",
            ));
        }
    }
    if let Some(exp) = exponent {
        if !exp.is_empty() && (has_percent || has_per_mille) {
            error = Some((
                "D3092",
                "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'",
            ));
        }
        if exp.is_empty() || exp.iter().any(|&c| !p.is_digit_family(c)) {
            error = Some((
                "D3093",
                "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'",
            ));
        }
    }
    match error {
        Some((code, message)) => Err(rt(code, message)),
        None => Ok(()),
    }
}
