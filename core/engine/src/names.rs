//! How the engine names things: AWS's rule for names, generated execution names
//! (version 7 UUIDs) and ARNs in the engine's region and account.

use crate::error::EngineError;
use crate::store::StateMachineRecord;
use stepline_asl::entropy::{Entropy, SplitMix64};
use stepline_asl::interp::ExecutionInfo;
use stepline_asl::time::Millis;

/// Names generated on the engine thread, and ARNs.
pub(crate) struct Names {
    region: String,
    account: String,
    rng: SplitMix64,
    /// Time and counter of the last generated execution name (names sort by creation).
    last: (Millis, u16),
}

impl Names {
    pub(crate) fn new(region: &str, account: &str, seed: u64) -> Names {
        Names { region: region.into(), account: account.into(), rng: SplitMix64(seed), last: (0, 0) }
    }

    /// `arn:aws:states:<region>:<account>:<kind>:<rest>`.
    pub(crate) fn arn(&self, kind: &str, rest: &str) -> String {
        format!("arn:aws:states:{}:{}:{kind}:{rest}", self.region, self.account)
    }

    /// A new execution name, later than every one made before.
    pub(crate) fn execution_name(&mut self, now: Millis) -> String {
        uuid_v7(&mut self.rng, &mut self.last, now)
    }

    /// A roll in `0..100` for an alias's weighted routing.
    pub(crate) fn roll(&mut self) -> u32 {
        (self.rng.next_u64() % 100) as u32
    }

    /// A seed for a new execution's random source.
    pub(crate) fn seed(&mut self) -> u64 {
        self.rng.next_u64()
    }
}

/// The identity an execution of `sm` named `name` starts with.
pub(crate) fn execution_info(sm: &StateMachineRecord, arn: String, name: String, now: Millis) -> ExecutionInfo {
    ExecutionInfo {
        arn,
        name,
        state_machine_arn: sm.arn.clone(),
        state_machine_name: sm.name.clone(),
        role_arn: sm.role_arn.clone(),
        start_time: now,
        redrive_count: 0,
    }
}

/// AWS's rule for state machine, activity and execution names.
pub(crate) fn valid_name(name: &str) -> Result<(), EngineError> {
    let bad = name.is_empty()
        || name.chars().count() > 80
        || name.chars().any(|c| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c));
    if bad {
        return Err(EngineError::InvalidName(name.into()));
    }
    Ok(())
}

/// A version 7 UUID: milliseconds first, then a counter, then random bits. Names made in
/// order sort in order, so a new execution's rows land at the end of each table instead of
/// on a random page (far fewer pages rewritten per commit).
fn uuid_v7(rng: &mut SplitMix64, last: &mut (Millis, u16), now: Millis) -> String {
    let (ms, seq) = if now > last.0 {
        (now, 0)
    } else if last.1 < 0x0fff {
        (last.0, last.1 + 1)
    } else {
        (last.0 + 1, 0)
    };
    *last = (ms, seq);
    format_v7(ms as u64, seq, rng.next_u64())
}

/// Lays out a version 7 UUID from milliseconds, a 12-bit counter and random bits.
pub(crate) fn format_v7(ms: u64, seq: u16, random: u64) -> String {
    let ms = ms & 0xffff_ffff_ffff;
    let b = (random & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        ms >> 16,
        ms & 0xffff,
        0x7000 | (seq & 0x0fff) as u64,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_are_v7_uuids_in_creation_order() {
        let mut rng = SplitMix64(7);
        let mut last = (0, 0);
        let names: Vec<String> =
            [5, 5, 5, 4, 9].iter().map(|&t| uuid_v7(&mut rng, &mut last, 1_700_000_000_000 + t)).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        for n in &names {
            assert_eq!(n.len(), 36);
            assert_eq!(&n[14..15], "7", "version nibble of {n}");
            assert!(matches!(&n[19..20], "8" | "9" | "a" | "b"), "variant of {n}");
        }
    }

    #[test]
    fn names_follow_aws_rules() {
        assert!(valid_name("order-42_a.b").is_ok());
        for bad in ["", "a b", "a/b", "a:b", &"x".repeat(81)] {
            assert!(matches!(valid_name(bad), Err(EngineError::InvalidName(_))), "{bad:?}");
        }
    }
}
