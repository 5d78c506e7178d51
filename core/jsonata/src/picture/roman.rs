//! Roman numerals (`i`/`I` pictures), written and read as the reference does: subtractive
//! pairs when writing, and any letter outside `MDCLXVI` making the reading `NaN`.

use super::error::PictureError;

const NUMERALS: [(u64, &str); 13] = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
];

/// Above this the reference runs out of stack (one call per numeral); we refuse instead of
/// building megabytes of `m`.
const LARGEST: f64 = 1e8;

/// Lower-case roman numerals of a non-negative integer (empty for zero).
pub fn to_roman(value: f64) -> Result<String, PictureError> {
    if value > LARGEST {
        return Err(PictureError::TooLarge);
    }
    if value.is_nan() || value < 1.0 {
        return Ok(String::new());
    }
    let mut rest = value as u64;
    let mut out = String::new();
    for (n, s) in NUMERALS {
        while rest >= n {
            out.push_str(s);
            rest -= n;
        }
    }
    Ok(out)
}

fn numeral_value(unit: u16) -> Option<f64> {
    Some(match unit {
        0x4d => 1000.0, // M
        0x44 => 500.0,  // D
        0x43 => 100.0,  // C
        0x4c => 50.0,   // L
        0x58 => 10.0,   // X
        0x56 => 5.0,    // V
        0x49 => 1.0,    // I
        _ => return None,
    })
}

/// The value of upper-case roman numerals, read right to left: a numeral smaller than the
/// largest seen so far subtracts. Any other character makes it `NaN`, as in the reference.
pub fn from_roman(roman: &str) -> f64 {
    let mut decimal = 0.0;
    let mut max = 1.0;
    let units: Vec<u16> = roman.encode_utf16().collect();
    for &unit in units.iter().rev() {
        let Some(v) = numeral_value(unit) else { return f64::NAN };
        if v < max {
            decimal -= v;
        } else {
            max = v;
            decimal += v;
        }
    }
    decimal
}

#[cfg(test)]
mod tests {
    use crate::picture::roman::*;

    #[test]
    fn writes_and_reads_back() {
        assert_eq!(to_roman(1994.0).as_deref(), Ok("mcmxciv"));
        assert_eq!(to_roman(0.0).as_deref(), Ok(""));
        assert_eq!(from_roman("MCMXCIV"), 1994.0);
        assert!(from_roman("MCQ").is_nan());
        assert_eq!(to_roman(1e9), Err(PictureError::TooLarge));
    }
}
