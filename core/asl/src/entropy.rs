//! Randomness handed to the interpreter from outside (`States.UUID`, `States.MathRandom`,
//! retry jitter, JSONata's `$random`), so that a replay with the same seed yields the same
//! values. The trait is the JSONata library's own hook ([`stepline_jsonata::Random`]):
//! one source serves both languages, with no adapter between them.

pub use stepline_jsonata::{Random as Entropy, SplitMix64};
