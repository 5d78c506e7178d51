//! Spreadsheet-style letter numbering (`a`/`A` pictures): 1 is `a`, 26 is `z`, 27 is `aa`.

/// Letters for a non-negative integer, starting at `a_char` (`'a'` or `'A'`); empty for 0.
pub fn to_letters(value: f64, a_char: u8) -> String {
    let mut letters = Vec::new();
    // an infinite value would never reach zero; the reference never ends either
    let mut v = if value.is_finite() { value } else { 0.0 };
    while v > 0.0 {
        let offset = ((v - 1.0) % 26.0) as u8;
        letters.push(char::from(a_char + offset));
        v = ((v - 1.0) / 26.0).floor();
    }
    letters.iter().rev().collect()
}

/// The number letters stand for; like the reference, any character counts by its code.
pub fn from_letters(letters: &str, a_char: u8) -> f64 {
    let units: Vec<u16> = letters.encode_utf16().collect();
    units.iter().rev().enumerate().map(|(i, &u)| (f64::from(u) - f64::from(a_char) + 1.0) * 26f64.powi(i as i32)).sum()
}

#[cfg(test)]
mod tests {
    use crate::picture::letters::*;

    #[test]
    fn letters_round_trip() {
        assert_eq!(to_letters(1.0, b'a'), "a");
        assert_eq!(to_letters(28.0, b'A'), "AB");
        assert_eq!(to_letters(702.0, b'a'), "zz");
        assert_eq!(from_letters("zz", b'a'), 702.0);
        assert_eq!(to_letters(0.0, b'a'), "");
    }
}
