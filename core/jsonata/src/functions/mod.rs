//! The function library: signatures (validated like the reference `signature.js`, including
//! context substitution and error codes T0410/T0411/T0412) and the registry of built-ins.

pub mod aggregate;
pub mod array;
pub mod aws;
pub mod boolean;
pub mod datetime;
pub mod higher_order;
pub mod numeric;
pub mod object;
pub mod regex;
pub mod string;

use super::eval::{rt, Evaluator, R, V};
use super::JsonataError;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A built-in implementation: validated arguments and the calling context.
pub type BuiltinFn = for<'a, 'e> fn(&mut Evaluator<'a, 'e>, Vec<Option<V<'a>>>, &Option<V<'a>>) -> R<'a>;

pub struct Builtin {
    pub name: &'static str,
    pub sig: Signature,
    pub f: BuiltinFn,
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "${}", self.name)
    }
}

/// Registration entry: name, signature text, implementation.
pub type Entry = (&'static str, &'static str, BuiltinFn);

fn registry() -> &'static HashMap<&'static str, Builtin> {
    static REG: OnceLock<HashMap<&'static str, Builtin>> = OnceLock::new();
    REG.get_or_init(|| {
        let mut entries: Vec<Entry> = Vec::new();
        aggregate::register(&mut entries);
        array::register(&mut entries);
        boolean::register(&mut entries);
        datetime::register(&mut entries);
        higher_order::register(&mut entries);
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

/// Number of arguments a function value takes, for higher-order functions that pass
/// optional (index, array) arguments only when the callee declares them.
pub fn arity(f: &V<'_>) -> usize {
    use super::eval::Func;
    match f {
        V::Builtin(b) => b.sig.params.iter().filter(|p| !p.optional).count(),
        V::Func(func) => match &**func {
            Func::Lambda { def, .. } => def.params.len(),
            Func::Partial { args, .. } => args.iter().filter(|a| a.is_none()).count(),
            Func::Regex(_) => 1,
            Func::Chain(..) | Func::Transform { .. } => 1,
        },
        _ => 0,
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Param {
    /// Accepted value symbols (always including `m`, undefined, except for functions).
    pub allowed: String,
    pub optional: bool,
    pub variadic: bool,
    /// `-`: the context value stands in when the argument is missing.
    pub context: bool,
    pub is_array: bool,
    pub subtype: Option<char>,
}

/// A parsed function signature such as `<s-nn?:s>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    pub params: Vec<Param>,
}

impl Signature {
    pub fn parse(text: &str) -> Result<Signature, String> {
        let inner = text.trim().trim_start_matches('<');
        let inner = inner.strip_suffix('>').unwrap_or(inner);
        let chars: Vec<char> = inner.chars().collect();
        let mut params: Vec<Param> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                's' | 'n' | 'b' | 'l' | 'o' => params.push(Param { allowed: format!("{c}m"), ..Param::default() }),
                'a' => params.push(Param { allowed: "asnblfom".into(), is_array: true, ..Param::default() }),
                'f' => params.push(Param { allowed: "f".into(), ..Param::default() }),
                'j' => params.push(Param { allowed: "asnblom".into(), ..Param::default() }),
                'x' => params.push(Param { allowed: "asnblfom".into(), ..Param::default() }),
                '(' => {
                    let end = chars[i..].iter().position(|&x| x == ')').ok_or("Unclosed choice in signature")?;
                    let choice: String = chars[i + 1..i + end].iter().collect();
                    params.push(Param { allowed: format!("{choice}m"), ..Param::default() });
                    i += end;
                }
                '<' => {
                    let last =
                        params.last_mut().ok_or("Type parameters can only be applied to functions and arrays")?;
                    let mut depth = 1;
                    let mut j = i + 1;
                    while j < chars.len() && depth > 0 {
                        if chars[j] == '<' {
                            depth += 1;
                        } else if chars[j] == '>' {
                            depth -= 1;
                        }
                        j += 1;
                    }
                    if last.is_array {
                        last.subtype = chars.get(i + 1).copied().filter(|c| c.is_ascii_alphabetic());
                    } else if last.allowed != "f" {
                        return Err("Type parameters can only be applied to functions and arrays".into());
                    }
                    i = j;
                    continue;
                }
                '?' => {
                    if let Some(p) = params.last_mut() {
                        p.optional = true;
                    }
                }
                '+' => {
                    if let Some(p) = params.last_mut() {
                        p.variadic = true;
                    }
                }
                '-' => {
                    if let Some(p) = params.last_mut() {
                        p.context = true;
                    }
                }
                ':' => break,
                _ => {}
            }
            i += 1;
        }
        Ok(Signature { params })
    }

    /// Greedy backtracking match of the argument symbols against the parameters; fills
    /// `caps` with the matched range of each parameter.
    fn matches(&self, pi: usize, sig: &[char], si: usize, caps: &mut Vec<(usize, usize)>, anchored: bool) -> bool {
        if pi == self.params.len() {
            return !anchored || si == sig.len();
        }
        let p = &self.params[pi];
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
            if self.matches(pi + 1, sig, si + n, caps, anchored) {
                return true;
            }
        }
        false
    }

    /// Checks arguments against the signature, substituting the context and wrapping
    /// non-array values where an array is expected.
    pub fn validate<'a>(
        &self,
        args: Vec<Option<V<'a>>>,
        context: &Option<V<'a>>,
        name: &str,
    ) -> Result<Vec<Option<V<'a>>>, JsonataError> {
        let sig: Vec<char> = args.iter().map(|a| V::symbol(a.as_ref())).collect();
        let mut caps = Vec::new();
        if !self.matches(0, &sig, 0, &mut caps, true) {
            // find the first argument that does not fit
            let mut good_to = 0;
            for k in 1..=self.params.len() {
                let partial = Signature { params: self.params[..k].to_vec() };
                let mut c = Vec::new();
                if !partial.matches(0, &sig, 0, &mut c, false) {
                    break;
                }
                good_to = c.last().map(|x| x.1).unwrap_or(0);
            }
            return Err(rt(
                "T0410",
                format!("Argument {} of function {name} does not match function signature", good_to + 1),
            ));
        }
        let mut out = Vec::with_capacity(self.params.len());
        let mut arg_index = 0;
        for (pi, p) in self.params.iter().enumerate() {
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
                                "Context value is not a compatible type with argument {} of function {name}",
                                arg_index + 1
                            ),
                        ));
                    }
                } else {
                    out.push(args.get(arg_index).cloned().flatten());
                    arg_index += 1;
                }
                continue;
            }
            for &single in &sig[s..e] {
                let arg = args.get(arg_index).cloned().flatten();
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
                                        "Argument {} of function {name} must be an array of {tname}",
                                        arg_index + 1
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
}

/// The i-th validated argument.
pub fn arg<'v, 'a>(args: &'v [Option<V<'a>>], i: usize) -> Option<&'v V<'a>> {
    args.get(i).and_then(|a| a.as_ref())
}

pub fn str_arg<'v>(args: &'v [Option<V<'_>>], i: usize) -> Option<&'v str> {
    arg(args, i).and_then(|v| v.as_str())
}

pub fn num_arg(args: &[Option<V<'_>>], i: usize) -> Option<f64> {
    arg(args, i).and_then(|v| v.as_num())
}

/// Items of an array argument (validated `a` parameters are arrays or undefined).
pub fn items_arg<'a>(args: &[Option<V<'a>>], i: usize) -> Option<Vec<V<'a>>> {
    arg(args, i).map(|v| v.items().unwrap_or_else(|| vec![v.clone()]))
}

pub fn ok_str<'a>(s: impl Into<std::rc::Rc<str>>) -> R<'a> {
    Ok(Some(V::str(s)))
}

pub fn ok_num<'a>(n: f64) -> R<'a> {
    Ok(Some(V::Num(n)))
}
