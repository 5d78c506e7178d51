//! `States.MathAdd` and `States.MathRandom`.

use super::call::{runtime, Function, IntrinsicError};
use crate::entropy::Entropy;
use serde_json::Value;

/// A number rounded to an integer with Java's `Math.round` (half up: `2.5` gives 3,
/// `-2.5` gives -2), which AWS applies to non-integer arguments: recorded on AWS,
/// `MathAdd(1.49, 1.5)` is 3 and `MathAdd(-0.5, 0.5)` is 1.
fn rounded(f: Function, index: usize, v: &Value) -> Result<i64, IntrinsicError> {
    let n = v.as_number().ok_or_else(|| runtime(f, format!("argument {} must be a number", index + 1)))?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    if n.is_u64() {
        return Err(runtime(f, format!("argument {} is too large: {n}", index + 1)));
    }
    Ok(java_round(n.as_f64().unwrap_or(0.0)))
}

/// `Math.round(double)`: the closest integer, ties towards positive infinity, saturating.
fn java_round(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    let floor = x.floor();
    let r = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    r as i64
}

/// The sum of two integers (arguments rounded first, see [`rounded`]).
pub(super) fn add(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let f = Function::MathAdd;
    let a = rounded(f, 0, args.first().unwrap_or(&Value::Null))?;
    let b = rounded(f, 1, args.get(1).unwrap_or(&Value::Null))?;
    a.checked_add(b).map(Value::from).ok_or_else(|| runtime(f, format!("the sum of {a} and {b} is out of range")))
}

/// A random integer from `start` (inclusive) to `end` (exclusive). Without a seed it comes
/// from the execution's entropy; with a seed it depends on the seed alone, drawn as
/// `new java.util.Random(seed).nextInt(end - start) + start` would.
pub(super) fn random(args: Vec<Value>, rng: &mut dyn Entropy) -> Result<Value, IntrinsicError> {
    let f = Function::MathRandom;
    let start = rounded(f, 0, args.first().unwrap_or(&Value::Null))?;
    let end = rounded(f, 1, args.get(1).unwrap_or(&Value::Null))?;
    let seed = match args.get(2) {
        Some(v) => Some(rounded(f, 2, v)?),
        None => None,
    };
    let bound = i128::from(end) - i128::from(start);
    if bound <= 0 {
        return Err(runtime(f, format!("the end ({end}) must be greater than the start ({start})")));
    }
    let bound = bound as u64;
    let offset = match seed {
        Some(seed) => JavaRandom::new(seed).below(bound),
        None => ((u128::from(rng.next_u64()) * u128::from(bound)) >> 64) as u64,
    };
    Ok(Value::from((i128::from(start) + i128::from(offset)) as i64))
}

/// `java.util.Random`: the 48-bit linear congruential generator.
struct JavaRandom(u64);

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        JavaRandom((seed as u64 ^ Self::MULTIPLIER) & Self::MASK)
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.0 = (self.0.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        (self.0 >> (48 - bits)) as i32
    }

    /// `nextInt(bound)` for `bound` up to `i32::MAX`; past that (AWS takes `int`s, so only
    /// reachable here) `nextLong()` reduced modulo the bound.
    fn below(&mut self, bound: u64) -> u64 {
        let Ok(bound) = i32::try_from(bound) else {
            let hi = i64::from(self.next(32)) << 32;
            let long = hi.wrapping_add(i64::from(self.next(32)));
            return (long as u64) % bound;
        };
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as u64;
        }
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r as u64;
            }
            u = self.next(31);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SplitMix64;
    use serde_json::json;

    #[test]
    fn add_rounds_like_java_then_adds() {
        for (a, b, sum) in [
            (json!(1.49), json!(1.5), 3),
            (json!(-1.5), json!(0), -1),
            (json!(-1.51), json!(0), -2),
            (json!(0.5), json!(0), 1),
            (json!(-0.5), json!(0.5), 1),
            (json!(-0.5), json!(0), 0),
            (json!(-2.5), json!(0), -2),
            (json!(111), json!(-1), 110),
            (json!(0.49999999999999994), json!(0), 0),
        ] {
            assert_eq!(add(vec![a.clone(), b.clone()]).unwrap(), json!(sum), "{a} + {b}");
        }
        assert!(add(vec![json!(i64::MAX), json!(1)]).is_err());
        assert!(add(vec![json!(u64::MAX), json!(1)]).is_err());
        assert_eq!(add(vec![json!(-1e300), json!(0)]).unwrap(), json!(i64::MIN));
    }

    #[test]
    fn java_random_matches_the_jdk() {
        // Checked against OpenJDK 17: `new Random(seed).nextInt(bound)`.
        assert_eq!(JavaRandom::new(42).below(100), 30);
        assert_eq!(JavaRandom::new(0).below(10), 0);
        assert_eq!(JavaRandom::new(1).below(100), 85);
        assert_eq!(JavaRandom::new(7).below(1000), 236);
        assert_eq!(JavaRandom::new(7).below(998), 852);
        assert_eq!(JavaRandom::new(42).below(16), 11);
        // `new Random(0).nextInt()` and `new Random(42).nextInt()`.
        assert_eq!(JavaRandom::new(0).next(32), -1155484576);
        assert_eq!(JavaRandom::new(42).next(32), -1170105035);
    }

    #[test]
    fn seeded_random_depends_on_the_seed_alone() {
        let mut a = SplitMix64(1);
        let mut b = SplitMix64(2);
        let x = random(vec![json!(1), json!(999), json!(7)], &mut a).unwrap();
        let y = random(vec![json!(1), json!(999), json!(7)], &mut b).unwrap();
        assert_eq!(x, y);
        assert_eq!(x, json!(853));
    }

    #[test]
    fn unseeded_random_stays_in_range() {
        let mut rng = SplitMix64(3);
        for _ in 0..1000 {
            let v = random(vec![json!(-2), json!(3)], &mut rng).unwrap().as_i64().unwrap();
            assert!((-2..3).contains(&v));
        }
        assert!(random(vec![json!(i64::MIN), json!(i64::MAX)], &mut rng).unwrap().is_i64());
        assert_eq!(
            random(vec![json!(5), json!(5)], &mut rng).unwrap_err().to_string(),
            "Invalid arguments in States.MathRandom: the end (5) must be greater than the start (5)"
        );
    }
}
