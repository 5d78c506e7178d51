//! The function library: the registry of built-ins, one module per family, and the argument
//! helpers they share. Built-ins use the evaluator; the evaluator only sees the registry the
//! crate root hands it, so nothing under `eval/` names this module.

mod aggregate;
mod args;
mod array;
mod aws;
mod boolean;
mod datetime;
mod dynamic;
mod higher_order;
mod integer_picture;
mod number_picture;
mod numeric;
mod object;
mod regex;
mod string;

use crate::eval::Builtin;
use crate::signature::Signature;
use args::Entry;
use std::collections::HashMap;
use std::sync::OnceLock;

fn registry() -> &'static HashMap<&'static str, Builtin> {
    static REG: OnceLock<HashMap<&'static str, Builtin>> = OnceLock::new();
    REG.get_or_init(|| {
        let mut entries: Vec<Entry> = Vec::new();
        aggregate::register(&mut entries);
        array::register(&mut entries);
        boolean::register(&mut entries);
        datetime::register(&mut entries);
        dynamic::register(&mut entries);
        higher_order::register(&mut entries);
        integer_picture::register(&mut entries);
        numeric::register(&mut entries);
        object::register(&mut entries);
        regex::register(&mut entries);
        string::register(&mut entries);
        aws::register(&mut entries);
        entries
            .into_iter()
            .map(|(name, sig, f)| {
                let sig = Signature::parse(sig).unwrap_or_default();
                (name, Builtin { name, sig, f })
            })
            .collect()
    })
}

/// The built-in function bound to `$name`, if any.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    registry().get(name)
}
