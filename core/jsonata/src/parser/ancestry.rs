//! The parent operator `%` (reference `processAST`: `seekParent`, `resolveAncestry`).
//!
//! Each `%` gets a slot with a level (how many steps back its parent is). Walking back along
//! the steps of the enclosing paths, each name or wildcard step lowers the level and each
//! `%` raises it; the step where it reaches zero records its input under the slot's label
//! (its `ancestor`) and joins the tuple stream, so the `%` evaluates to that recorded value.
//! Slots that cannot be resolved within a path are handed up to the enclosing expression;
//! one still unresolved at the top is error S0217.

use super::guard::err;
use crate::ast::{Kind, Node, ParentSlot, Stage};
use crate::error::JsonataError;

/// One `%` being resolved: the label it will read and the steps still to go back.
#[derive(Debug)]
struct Slot {
    label: usize,
    level: i32,
}

/// The slots of one processed tree; labels are fixed by [`Ancestry::finish`].
#[derive(Debug, Default)]
pub struct Ancestry {
    slots: Vec<Slot>,
}

/// S0217: a `%` whose parent no step of the expression can provide.
pub fn underivable(pos: usize) -> JsonataError {
    err("S0217", pos, "The object representing the 'parent' cannot be derived from this expression")
}

impl Ancestry {
    /// A slot for a new `%`, one step back.
    pub fn new_slot(&mut self) -> ParentSlot {
        let index = self.slots.len();
        self.slots.push(Slot { label: index, level: 1 });
        ParentSlot { index, label: String::new() }
    }

    pub fn level(&self, slot: usize) -> i32 {
        self.slots.get(slot).map_or(0, |s| s.level)
    }

    pub fn lower(&mut self, slot: usize) {
        if let Some(s) = self.slots.get_mut(slot) {
            s.level -= 1;
        }
    }

    /// Goes one step back from `node` for `slot` (reference `seekParent`).
    pub fn seek(&mut self, node: &mut Node, slot: usize) -> Result<(), JsonataError> {
        match &mut node.kind {
            Kind::Name(_) | Kind::Wildcard => {
                self.lower(slot);
                if self.level(slot) == 0 {
                    if let Some(existing) = &node.ancestor {
                        // the step already binds a parent: share its label
                        let label = self.slots.get(existing.index).map_or(existing.index, |s| s.label);
                        if let Some(s) = self.slots.get_mut(slot) {
                            s.label = label;
                        }
                    }
                    node.ancestor = Some(ParentSlot { index: slot, label: String::new() });
                    node.tuple = true;
                }
                Ok(())
            }
            Kind::Parent(_) => {
                if let Some(s) = self.slots.get_mut(slot) {
                    s.level += 1;
                }
                Ok(())
            }
            Kind::Block(items) => {
                if let Some(last) = items.last_mut() {
                    node.tuple = true;
                    self.seek(last, slot)?;
                }
                Ok(())
            }
            Kind::Path(steps) => {
                node.tuple = true;
                for step in steps.iter_mut().rev() {
                    self.seek(step, slot)?;
                    if self.level(slot) <= 0 {
                        break;
                    }
                }
                Ok(())
            }
            _ => Err(underivable(node.pos)),
        }
    }

    /// Resolves the slots the last step of a path seeks against the steps before it; those
    /// that go back past the first step are left for the enclosing expression (reference
    /// `resolveAncestry`).
    pub fn resolve(&mut self, path: &mut Node) -> Result<(), JsonataError> {
        let Kind::Path(steps) = &mut path.kind else { return Ok(()) };
        let Some(last) = steps.last() else { return Ok(()) };
        let mut slots = last.seeking.clone();
        if let Kind::Parent(p) = &last.kind {
            slots.push(p.index);
        }
        let mut unresolved = Vec::new();
        for slot in slots {
            // the step before the last, counting back
            let mut index = steps.len() as isize - 2;
            while self.level(slot) > 0 {
                if index < 0 {
                    unresolved.push(slot);
                    break;
                }
                let mut at = index as usize;
                index -= 1;
                // contiguous steps that bind the focus count as one
                while index >= 0 && steps[at].focus.is_some() && steps[index as usize].focus.is_some() {
                    at = index as usize;
                    index -= 1;
                }
                self.seek(&mut steps[at], slot)?;
            }
        }
        path.seeking.extend(unresolved);
        Ok(())
    }

    /// Writes the final labels into the `%` operators and the steps that bind them.
    pub fn finish(&self, node: &mut Node) {
        let label = |slot: &mut ParentSlot| {
            let n = self.slots.get(slot.index).map_or(slot.index, |s| s.label);
            slot.label = format!("!{n}");
        };
        if let Kind::Parent(slot) = &mut node.kind {
            label(slot);
        }
        if let Some(slot) = &mut node.ancestor {
            label(slot);
        }
        node.seeking = Vec::new();
        for_each_child(node, &mut |child| self.finish(child));
    }
}

/// Calls `f` on every direct child of `node`, lambda bodies excepted (they are finished
/// when their definition is processed).
fn for_each_child(node: &mut Node, f: &mut dyn FnMut(&mut Node)) {
    for stage in node.predicate.iter_mut().chain(node.stages.iter_mut()) {
        if let Stage::Filter(p) = stage {
            f(p);
        }
    }
    if let Some(g) = &mut node.group {
        for (k, v) in &mut g.pairs {
            f(k);
            f(v);
        }
    }
    match &mut node.kind {
        Kind::Path(items) | Kind::Block(items) | Kind::Array(items) => items.iter_mut().for_each(f),
        Kind::Binary(_, l, r) | Kind::Apply(l, r) | Kind::RawDot(l, r) | Kind::RawFilter(l, r) => {
            f(l);
            f(r);
        }
        Kind::Neg(e) | Kind::Bind(_, e) | Kind::RawFocus(e, _) | Kind::RawIndex(e, _) => f(e),
        Kind::Condition(c, t, e) => {
            f(c);
            f(t);
            if let Some(e) = e {
                f(e);
            }
        }
        Kind::Call { proc, args, .. } => {
            f(proc);
            args.iter_mut().for_each(f);
        }
        Kind::Object(pairs) | Kind::RawGroup(_, pairs) => {
            for (k, v) in pairs {
                f(k);
                f(v);
            }
        }
        Kind::Sort(terms) | Kind::RawSort(_, terms) => terms.iter_mut().for_each(|(t, _)| f(t)),
        Kind::Transform(p, u, d) => {
            f(p);
            f(u);
            if let Some(d) = d {
                f(d);
            }
        }
        Kind::Name(_)
        | Kind::Str(_)
        | Kind::Num(_)
        | Kind::Bool(_)
        | Kind::Null
        | Kind::Wildcard
        | Kind::Descendant
        | Kind::Regex(_)
        | Kind::Placeholder
        | Kind::Parent(_)
        | Kind::Var(_)
        | Kind::Lambda(_)
        | Kind::RawEnd => {}
    }
}
