//! What running one spec gave: the results `stepline test` prints and the JUnit report
//! renders, apart from both so that neither file reads the other's names.

use std::path::PathBuf;
use stepline_core::testing::{CaseReport, Coverage};

/// A spec's results.
pub struct SpecRun {
    pub name: String,
    pub file: PathBuf,
    /// Each case's report and how long it took to run (ms).
    pub cases: Vec<(CaseReport, f64)>,
    /// What its cases exercised.
    pub coverage: Option<Coverage>,
    /// Why the spec could not be run at all.
    pub error: Option<String>,
}
