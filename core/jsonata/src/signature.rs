//! Function signature syntax such as `<s-nn?:s>` (reference `signature.js`), parsed for
//! built-ins at registration and for lambdas at parse time. Checking arguments against a
//! signature needs values, so it lives with the evaluator (`eval/coerce.rs`).

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
}
