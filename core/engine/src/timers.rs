//! Due times of the timers every live execution waits on, earliest first.

use std::collections::BTreeSet;
use stepline_asl::interp::WaitId;
use stepline_asl::time::Millis;

#[derive(Default)]
pub(crate) struct Timers(BTreeSet<(Millis, String, WaitId)>);

impl Timers {
    /// How many timers are set.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
    pub(crate) fn insert(&mut self, at: Millis, arn: &str, id: WaitId) {
        self.0.insert((at, arn.to_string(), id));
    }

    pub(crate) fn remove(&mut self, at: Millis, arn: &str, id: WaitId) {
        self.0.remove(&(at, arn.to_string(), id));
    }

    /// When the earliest timer is due.
    pub(crate) fn next_due(&self) -> Option<Millis> {
        self.0.iter().next().map(|(at, _, _)| *at)
    }

    /// Takes out the earliest timer if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Millis) -> Option<(Millis, String, WaitId)> {
        let first = self.0.iter().next()?;
        if first.0 > now {
            return None;
        }
        let first = first.clone();
        self.0.remove(&first);
        Some(first)
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}
