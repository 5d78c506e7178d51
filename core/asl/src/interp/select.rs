//! `ItemSelector` applied to one item outside the interpreter's loop: a Map Run's driver
//! reads items itself (`ItemReader`) and selects each as the Map state would have.

use super::errors::Failure;
use super::jsonata::{Vars, QUERY_ERROR};
use super::map_run::SelectScope;
use crate::entropy::SplitMix64;
use crate::model::{StateId, StateKind, StateMachine};
use crate::path::Scope;
use crate::time::Millis;
use serde_json::{json, Value};
use stepline_jsonata::Env;

/// The child input of item `index` of the Map state `sid`: its `ItemSelector` applied
/// with `$$.Map.Item`, or the item itself. `seed` seeds what the selector may draw
/// (`States.UUID`): the same item selects the same way on a rerun.
pub fn select_item(
    m: &StateMachine,
    sid: StateId,
    scope: &SelectScope,
    index: usize,
    item: &Value,
    now: Millis,
    seed: u64,
) -> Result<Value, Failure> {
    let st = &m.states[sid];
    let StateKind::Map(map) = &st.kind else {
        return Ok(item.clone());
    };
    let selector_ata = st.jsonata.as_ref().and_then(|j| j.item_selector.as_ref());
    if map.item_selector.is_none() && selector_ata.is_none() {
        return Ok(item.clone());
    }
    let mut context = match &scope.context {
        Value::Object(o) => o.clone(),
        _ => Default::default(),
    };
    context.insert("Map".into(), json!({"Item": {"Index": index, "Value": item}}));
    let context = Value::Object(context);
    let vars = scope.vars.as_deref().cloned().unwrap_or_default();
    let mut rng = SplitMix64(seed);
    let fail = |error: &str, message: String| {
        let cause = format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {message}",
            st.name, scope.entered_event
        );
        Failure::new(error, cause)
    };
    if let Some(t) = selector_ata {
        let states = json!({"input": &*scope.input, "context": context});
        let bindings = Vars { states: &states, vars: &vars };
        let mut env = Env { rng: &mut rng, now_millis: now };
        return t.eval("ItemSelector", &scope.input, &bindings, &mut env).map_err(|msg| fail(QUERY_ERROR, msg));
    }
    let t = map.item_selector.as_ref().expect("checked above");
    let s = Scope { input: &scope.input, context: &context, vars: &vars };
    super::io::apply_template(t, &s, &mut rng).map_err(|(error, message)| fail(&error, message))
}
