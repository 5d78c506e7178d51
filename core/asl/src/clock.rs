//! Where drivers get the time from: the interpreter never reads a clock (time comes in with
//! each event), but the engine, the runner and the tools that drive it do, through this
//! trait, so a test can move time on instead of sleeping.

use crate::time::Millis;
use std::fmt::Debug;

/// A source of the current time in milliseconds since the epoch.
pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> Millis;
}

/// The wall clock (0 if it is before the epoch).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as Millis)
    }
}

/// A clock that stands still until a test moves it.
#[cfg(any(test, feature = "test-util"))]
#[derive(Debug, Default)]
pub struct MockClock(std::sync::atomic::AtomicI64);

#[cfg(any(test, feature = "test-util"))]
impl MockClock {
    pub fn at(ms: Millis) -> MockClock {
        MockClock(std::sync::atomic::AtomicI64::new(ms))
    }

    /// Moves the clock on by `ms`.
    pub fn advance(&self, ms: Millis) {
        self.0.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Clock for MockClock {
    fn now(&self) -> Millis {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mock_clock_moves_only_when_told() {
        let c = MockClock::at(1_000);
        assert_eq!(c.now(), 1_000);
        c.advance(500);
        assert_eq!(c.now(), 1_500);
        assert!(SystemClock.now() > 1_600_000_000_000);
    }
}
