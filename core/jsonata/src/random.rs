//! Randomness handed in from outside (`$random()`, `$uuid()`), so that an evaluation
//! replayed with the same seed yields the same values. The embedding program owns the
//! source; Stepline's interpreter passes the one seeded per execution.

/// A source of random 64-bit words.
pub trait Random {
    fn next_u64(&mut self) -> u64;

    /// A float uniformly drawn from [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// SplitMix64: small, fast and good enough for ids and jitter; seeded by the caller.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl Random for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
