//! English number words (`w`, `W`, `Ww` pictures and their ordinals): "Two Thousand and
//! Twenty-Three", "Twenty-Third", and reading such words back.

use std::collections::HashMap;
use std::sync::OnceLock;

const FEW: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const ORDINALS: [&str; 20] = [
    "Zeroth",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
];
const DECADES: [&str; 9] = ["Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"];
const MAGNITUDES: [&str; 4] = ["Thousand", "Million", "Billion", "Trillion"];

/// A non-negative integer in title-case English words, cardinal or ordinal.
#[cfg(test)]
pub fn to_words(value: f64, ordinal: bool) -> String {
    let mut out = String::new();
    to_words_into(value, ordinal, &mut out);
    out
}

/// [`to_words`], appended to `out`.
pub fn to_words_into(value: f64, ordinal: bool, out: &mut String) {
    if !value.is_finite() {
        // the reference recurses without end here; the number's own text is the honest answer
        out.push_str(&crate::eval::value::js_number(value));
        return;
    }
    // "Seven Hundred and Seventy-Seven Thousand, ..." rarely needs more
    out.reserve(64);
    lookup(value, false, ordinal, out);
}

fn lookup(num: f64, prev: bool, ord: bool, out: &mut String) {
    if num <= 19.0 {
        if prev {
            out.push_str(" and ");
        }
        let i = num.max(0.0) as usize;
        out.push_str(if ord { ORDINALS[i.min(19)] } else { FEW[i.min(19)] });
    } else if num < 100.0 {
        let tens = (num / 10.0).floor() as usize;
        let remainder = num % 10.0;
        if prev {
            out.push_str(" and ");
        }
        let decade = DECADES[tens.saturating_sub(2).min(DECADES.len() - 1)];
        if remainder > 0.0 {
            out.push_str(decade);
            out.push('-');
            lookup(remainder, false, ord, out);
        } else if ord {
            out.push_str(&decade[..decade.len() - 1]);
            out.push_str("ieth");
        } else {
            out.push_str(decade);
        }
    } else if num < 1000.0 {
        let hundreds = (num / 100.0).floor() as usize;
        let remainder = num % 100.0;
        if prev {
            out.push_str(", ");
        }
        out.push_str(FEW[hundreds.min(9)]);
        out.push_str(" Hundred");
        if remainder > 0.0 {
            lookup(remainder, true, ord, out);
        } else if ord {
            out.push_str("th");
        }
    } else {
        let mag = ((num.log10() / 3.0).floor() as usize).min(MAGNITUDES.len());
        let factor = 10f64.powi(mag as i32 * 3);
        let mant = (num / factor).floor();
        let remainder = num - mant * factor;
        if prev {
            out.push_str(", ");
        }
        lookup(mant, false, false, out);
        out.push(' ');
        out.push_str(MAGNITUDES[mag.max(1) - 1]);
        if remainder > 0.0 {
            lookup(remainder, true, ord, out);
        } else if ord {
            out.push_str("th");
        }
    }
}

/// Every word the reader knows with its value, in the reference's order (the order the
/// alternatives of the parsing pattern are tried in).
pub fn word_values() -> &'static [(String, f64)] {
    static WORDS: OnceLock<Vec<(String, f64)>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<(String, f64)> = Vec::new();
        let mut set = |w: String, v: f64| match words.iter_mut().find(|(k, _)| *k == w) {
            Some(entry) => entry.1 = v,
            None => words.push((w, v)),
        };
        for (i, w) in FEW.iter().enumerate() {
            set(w.to_lowercase(), i as f64);
        }
        for (i, w) in ORDINALS.iter().enumerate() {
            set(w.to_lowercase(), i as f64);
        }
        for (i, w) in DECADES.iter().enumerate() {
            let lw = w.to_lowercase();
            let v = ((i + 2) * 10) as f64;
            let ieth = format!("{}ieth", &lw[..lw.len() - 1]);
            set(lw, v);
            set(ieth, v);
        }
        set("hundredth".into(), 100.0);
        for (i, w) in MAGNITUDES.iter().enumerate() {
            let lw = w.to_lowercase();
            let v = 10f64.powi((i as i32 + 1) * 3);
            let th = format!("{lw}th");
            set(lw, v);
            set(th, v);
        }
        words
    })
}

fn word_value(word: &str) -> Option<f64> {
    static MAP: OnceLock<HashMap<&'static str, f64>> = OnceLock::new();
    MAP.get_or_init(|| word_values().iter().map(|(k, v)| (k.as_str(), *v)).collect()).get(word).copied()
}

/// Splits as the reference's `/,\s|\sand\s|[\s\\-]/`: ", ", " and ", or one space,
/// backslash or hyphen; empty pieces between adjacent separators are kept.
fn split_words(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|c| c.1);
    let mut parts = Vec::new();
    let (mut start, mut i) = (0usize, 0usize);
    while i < chars.len() {
        let c = chars[i].1;
        let sep = if c == ',' && at(i + 1).is_some_and(char::is_whitespace) {
            2
        } else if c.is_whitespace()
            && at(i + 1) == Some('a')
            && at(i + 2) == Some('n')
            && at(i + 3) == Some('d')
            && at(i + 4).is_some_and(char::is_whitespace)
        {
            5
        } else if c.is_whitespace() || c == '\\' || c == '-' {
            1
        } else {
            0
        };
        if sep == 0 {
            i += 1;
            continue;
        }
        parts.push(&text[start..chars[i].0]);
        i += sep;
        start = chars.get(i).map_or(text.len(), |c| c.0);
    }
    parts.push(&text[start..]);
    parts
}

/// The value of lower-case number words; an unknown word makes it `NaN`, as in the reference.
pub fn from_words(text: &str) -> f64 {
    let mut segs: Vec<f64> = vec![0.0];
    for part in split_words(text) {
        match word_value(part) {
            Some(value) if value < 100.0 => {
                let mut top = segs.pop().unwrap_or(0.0);
                if top >= 1000.0 {
                    segs.push(top);
                    top = 0.0;
                }
                segs.push(top + value);
            }
            Some(value) => {
                let top = segs.pop().unwrap_or(0.0);
                segs.push(top * value);
            }
            None => {
                segs.pop();
                segs.push(f64::NAN);
            }
        }
    }
    segs.iter().sum()
}

#[cfg(test)]
mod tests {
    use crate::picture::words::*;

    #[test]
    fn words_both_ways() {
        assert_eq!(to_words(2023.0, false), "Two Thousand and Twenty-Three");
        assert_eq!(to_words(20.0, true), "Twentieth");
        assert_eq!(to_words(101.0, true), "One Hundred and First");
        assert_eq!(from_words("two thousand and twenty-three"), 2023.0);
        assert_eq!(from_words("one million, two hundred thousand"), 1_200_000.0);
        assert!(from_words("twenty-bogus").is_nan());
    }
}
