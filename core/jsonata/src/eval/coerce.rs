//! Checking a call's arguments against a function signature (reference `signature.js`):
//! context substitution, wrapping single values where an array is expected, and the error
//! codes T0410/T0411/T0412.

use super::types::V;
use crate::error::{rt, JsonataError};
use crate::jstext::json_quote;
use crate::signature::Signature;

/// Greedy backtracking match of the argument symbols against the parameters; fills
/// `caps` with the matched range of each parameter.
fn matches(
    signature: &Signature,
    pi: usize,
    sig: &[char],
    si: usize,
    caps: &mut Vec<(usize, usize)>,
    anchored: bool,
) -> bool {
    if pi == signature.params.len() {
        return !anchored || si == sig.len();
    }
    let p = &signature.params[pi];
    let (min, max) = if p.variadic {
        (if p.optional { 0 } else { 1 }, usize::MAX)
    } else if p.optional || p.context {
        (0, 1)
    } else {
        (1, 1)
    };
    let mut avail = 0;
    while si + avail < sig.len() && avail < max && p.allowed.contains(sig[si + avail]) {
        avail += 1;
    }
    if avail < min {
        return false;
    }
    for n in (min..=avail).rev() {
        caps.truncate(pi);
        caps.push((si, si + n));
        if matches(signature, pi + 1, sig, si + n, caps, anchored) {
            return true;
        }
    }
    false
}

/// The common case without backtracking: each argument fits the plain parameter at its
/// position and every parameter after them may be left out without standing for the
/// context. The matcher would pair them the same way (it tries one argument per parameter
/// first), so the arguments stand as they are, padded with `None`: returns how many.
fn direct_fit(signature: &Signature, sig: &[char]) -> Option<usize> {
    if sig.len() > signature.params.len() {
        return None;
    }
    let (given, rest) = signature.params.split_at(sig.len());
    let plain = |p: &crate::signature::Param| !p.variadic && !p.is_array;
    let fits = given.iter().zip(sig).all(|(p, &s)| plain(p) && p.allowed.contains(s));
    let omissible = rest.iter().all(|p| plain(p) && p.optional && !p.context);
    (fits && omissible).then_some(rest.len())
}

/// Checks arguments against the signature, substituting the context and wrapping
/// non-array values where an array is expected.
pub fn validate<'a>(
    signature: &Signature,
    mut args: Vec<Option<V<'a>>>,
    context: &Option<V<'a>>,
    name: &str,
) -> Result<Vec<Option<V<'a>>>, JsonataError> {
    // most calls have few arguments: their symbols live on the stack
    let mut small = ['m'; 8];
    let heap: Vec<char>;
    let sig: &[char] = if args.len() <= small.len() {
        for (slot, a) in small.iter_mut().zip(&args) {
            *slot = V::symbol(a.as_ref());
        }
        &small[..args.len()]
    } else {
        heap = args.iter().map(|a| V::symbol(a.as_ref())).collect();
        &heap
    };
    if let Some(direct) = direct_fit(signature, sig) {
        args.resize(args.len() + direct, None);
        return Ok(args);
    }
    // the reference names the function as invoked, `undefined` when it was not named;
    // built only when an error needs it
    let name = || if name.is_empty() { "undefined".to_string() } else { json_quote(name) };
    let mut caps = Vec::with_capacity(signature.params.len());
    if !matches(signature, 0, sig, 0, &mut caps, true) {
        // find the first argument that does not fit
        let mut good_to = 0;
        for k in 1..=signature.params.len() {
            let partial = Signature { params: signature.params[..k].to_vec() };
            let mut c = Vec::new();
            if !matches(&partial, 0, sig, 0, &mut c, false) {
                break;
            }
            good_to = c.last().map(|x| x.1).unwrap_or(0);
        }
        return Err(rt(
            "T0410",
            format!("Argument {} of function {} does not match function signature", good_to + 1, name()),
        ));
    }
    let mut out = Vec::with_capacity(signature.params.len());
    let mut arg_index = 0;
    for (pi, p) in signature.params.iter().enumerate() {
        let (s, e) = caps[pi];
        if s == e {
            if p.context {
                let sym = V::symbol(context.as_ref());
                if p.allowed.contains(sym) {
                    out.push(context.clone());
                } else {
                    return Err(rt(
                        "T0411",
                        format!(
                            "Context value is not a compatible type with argument {} of function {}",
                            arg_index + 1,
                            name()
                        ),
                    ));
                }
            } else {
                out.push(args.get_mut(arg_index).and_then(Option::take));
                arg_index += 1;
            }
            continue;
        }
        for &single in &sig[s..e] {
            let arg = args.get_mut(arg_index).and_then(Option::take);
            if p.is_array {
                if single == 'm' {
                    out.push(None);
                } else {
                    let arg = arg.unwrap_or(V::Null);
                    if let Some(sub) = p.subtype {
                        let ok = if single != 'a' {
                            single == sub
                        } else {
                            let items = arg.items().unwrap_or_default();
                            match items.first() {
                                None => true,
                                Some(first) => {
                                    let t = V::symbol(Some(first));
                                    t == sub && items.iter().all(|x| V::symbol(Some(x)) == t)
                                }
                            }
                        };
                        if !ok {
                            let tname = match sub {
                                's' => "strings",
                                'n' => "numbers",
                                'b' => "booleans",
                                'o' => "objects",
                                'a' => "arrays",
                                'f' => "functions",
                                _ => "values",
                            };
                            return Err(rt(
                                "T0412",
                                format!(
                                    "Argument {} of function {} must be an array of \"{tname}\"",
                                    arg_index + 1,
                                    name()
                                ),
                            ));
                        }
                    }
                    out.push(Some(if single != 'a' { V::arr(vec![arg]) } else { arg }));
                }
            } else {
                out.push(arg);
            }
            arg_index += 1;
        }
    }
    Ok(out)
}
