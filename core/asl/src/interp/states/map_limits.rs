//! The numbers a Map state evaluates before it runs: how a `...Path` number must look, and
//! the limits the iterations (or a Map Run's children) run under.

/// How a number read through a `...Path` field must look.
#[derive(Clone, Copy)]
pub(super) enum Want {
    Integer,
    Float,
}

/// `MaxConcurrency` and the tolerated failures, evaluated.
pub(super) struct Limits {
    pub max: Option<f64>,
    pub count: Option<f64>,
    pub pct: Option<f64>,
}
