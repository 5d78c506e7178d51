//! `States.UUID`: a version 4 UUID whose random bits come from the execution's entropy.

use crate::entropy::Entropy;
use serde_json::Value;

/// `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx` in lower case, `y` one of `8`, `9`, `a`, `b`.
pub(super) fn uuid_v4(rng: &mut dyn Entropy) -> Value {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{b:02x}"));
    }
    Value::String(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SplitMix64;

    pub(crate) fn is_v4(s: &str) -> bool {
        let parts: Vec<&str> = s.split('-').collect();
        parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
            && s.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
            && parts[2].starts_with('4')
            && parts[3].starts_with(['8', '9', 'a', 'b'])
    }

    #[test]
    fn version_4_format_from_the_entropy() {
        let mut a = SplitMix64(42);
        let mut b = SplitMix64(42);
        let x = uuid_v4(&mut a);
        assert_eq!(x, uuid_v4(&mut b));
        assert!(is_v4(x.as_str().unwrap()), "{x}");
        assert_ne!(x, uuid_v4(&mut a));
        for _ in 0..100 {
            assert!(is_v4(uuid_v4(&mut a).as_str().unwrap()));
        }
    }
}
