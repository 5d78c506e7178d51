//! `$match` and `$replace`; the matching itself is in `eval/regex.rs`.

use super::args::{arg, num_arg, ok_str, str_arg, Entry};
use crate::error::rt;
use crate::eval::regex::{all_matches, groups_value, utf16_index, Match, RegexRef};
use crate::eval::{Evaluator, ObjMap, R, V};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("match", "<s-f<s:o>n?:a<o>>", match_fn));
    r.push(("replace", "<s-(sf)(sf)n?:s>", replace));
}

fn match_fn<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let limit = num_arg(&args, 2);
    if limit.is_some_and(|l| l < 0.0) {
        return Err(rt("D3040", "Third argument of match function must evaluate to a positive number"));
    }
    let Some(re) = arg(&args, 1) else { return Ok(None) };
    let re = RegexRef::of(re)?;
    if limit.is_some_and(|l| l == 0.0) {
        return Ok(None);
    }
    let ms = all_matches(ev, &re, s, limit.map(|l| l.ceil() as usize))?;
    let out = ms
        .iter()
        .map(|m| {
            let mut o = ObjMap::new();
            o.insert("match".into(), V::str(m.text.as_str()));
            o.insert("index".into(), V::Num(utf16_index(s, m.start)));
            o.insert("groups".into(), groups_value(&m.groups));
            V::obj(o)
        })
        .collect();
    Ok(Some(V::seq(out)))
}

/// Expands `$0`, `$1`.. and `$$` in a replacement string (reference `$replace`).
fn expand(replacement: &str, m: &Match) -> String {
    let mut out = String::new();
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    let ngroups = m.groups.len();
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        match chars.get(i) {
            Some('$') => {
                out.push('$');
                i += 1;
            }
            Some('0') => {
                out.push_str(&m.text);
                i += 1;
            }
            _ => {
                let max_digits = if ngroups == 0 { 1 } else { (ngroups as f64).log10().floor() as usize + 1 };
                let take = |n: usize| -> Option<usize> {
                    let d: String = chars[i..].iter().take(n).collect();
                    let d: String = d.chars().take_while(|c| c.is_ascii_digit()).collect();
                    d.parse().ok()
                };
                let mut index = take(max_digits);
                if max_digits > 1 && index.is_some_and(|x| x > ngroups) {
                    index = take(max_digits - 1);
                }
                match index {
                    Some(ix) => {
                        if ngroups > 0 && ix >= 1 {
                            if let Some(Some(g)) = m.groups.get(ix - 1) {
                                out.push_str(g);
                            }
                        }
                        i += ix.to_string().len();
                    }
                    None => out.push('$'),
                }
            }
        }
    }
    out
}

fn replace<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    if str_arg(&args, 1) == Some("") {
        return Err(rt("D3010", "Second argument of replace function cannot be an empty string"));
    }
    let limit = num_arg(&args, 3);
    if limit.is_some_and(|l| l < 0.0) {
        return Err(rt("D3011", "Fourth argument of replace function must evaluate to a positive number"));
    }
    if limit.is_some_and(|l| l == 0.0) {
        return ok_str(s);
    }
    let limit = limit.map(|l| l.ceil() as usize);
    let Some(pattern) = arg(&args, 1) else { return Ok(None) };
    let Some(replacement) = arg(&args, 2).cloned() else { return Ok(None) };
    if let V::Str(p) = pattern {
        let V::Str(rep) = &replacement else {
            return Err(rt("D3012", "Attempted to replace a matched string with a non-string value"));
        };
        let mut out = String::new();
        let mut pos = 0;
        let mut count = 0;
        while let Some(i) = s[pos..].find(&**p) {
            if limit.is_some_and(|l| count >= l) {
                break;
            }
            out.push_str(&s[pos..pos + i]);
            out.push_str(rep);
            pos += i + p.len();
            count += 1;
        }
        out.push_str(&s[pos..]);
        return ok_str(out);
    }
    let re = RegexRef::of(pattern)?;
    let ms = all_matches(ev, &re, s, limit)?;
    let mut out = String::new();
    let mut pos = 0;
    for m in &ms {
        out.push_str(&s[pos..m.start]);
        let with = match &replacement {
            V::Str(rep) => expand(rep, m),
            f => {
                let mut o = ObjMap::new();
                o.insert("match".into(), V::str(m.text.as_str()));
                o.insert("index".into(), V::Num(utf16_index(s, m.start)));
                o.insert("groups".into(), groups_value(&m.groups));
                match ev.apply(f, vec![Some(V::obj(o))], input)? {
                    Some(V::Str(x)) => x.to_string(),
                    _ => {
                        return Err(rt("D3012", "Attempted to replace a matched string with a non-string value"));
                    }
                }
            }
        };
        out.push_str(&with);
        pos = m.end;
    }
    out.push_str(&s[pos..]);
    ok_str(out)
}
