//! `$match` and `$replace`; the matching itself is in `eval/regex.rs`.

use super::args::{arg, num_arg, ok_str, str_arg, Entry};
use crate::error::rt;
use crate::eval::regex::{bad_matcher, check_progress, first_found, utf16_slice};
use crate::eval::{Evaluator, ObjMap, R, V};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("match", "<s-f<s:o>n?:a<o>>", match_fn));
    r.push(("replace", "<s-(sf)(sf)n?:s>", replace));
}

/// `$match`: the matches of a matcher, as `{match, index, groups}` objects.
fn match_fn<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let limit = num_arg(&args, 2);
    if limit.is_some_and(|l| l < 0.0) {
        return Err(rt("D3040", "Third argument of match function must evaluate to a positive number"));
    }
    let Some(matcher) = arg(&args, 1) else { return Ok(None) };
    let mut out = Vec::new();
    if limit.is_none_or(|l| l > 0.0) {
        let mut count = 0.0;
        let positions = s.encode_utf16().count() + 1;
        let mut cur = first_found(ev, matcher, s, "match")?;
        while let Some(m) = cur {
            if limit.is_some_and(|l| count >= l) {
                break;
            }
            check_progress(count, positions)?;
            let mut o = ObjMap::new();
            for (from, to) in [("match", "match"), ("start", "index"), ("groups", "groups")] {
                if let Some(v) = m.field(from) {
                    o.insert(to.into(), v);
                }
            }
            out.push(V::obj(o));
            // the reference asks for the next match before it tests the limit
            cur = m.next(ev)?;
            count += 1.0;
        }
    }
    Ok(Some(V::seq(out)))
}

/// Expands `$0`, `$1`.. and `$$` in a replacement string (reference `$replace`).
fn expand(replacement: &str, text: &str, groups: &[Option<String>]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    let ngroups = groups.len();
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
                out.push_str(text);
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
                            if let Some(Some(g)) = groups.get(ix - 1) {
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

fn replace<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
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
    let Some(pattern) = arg(&args, 1) else { return Ok(None) };
    let Some(replacement) = arg(&args, 2).cloned() else { return Ok(None) };
    if let V::Str(p) = pattern {
        let V::Str(rep) = &replacement else {
            return Err(rt("D3012", "Attempted to replace a matched string with a non-string value"));
        };
        let mut out = String::new();
        let mut pos = 0;
        let mut count = 0.0;
        while let Some(i) = s[pos..].find(&**p) {
            if limit.is_some_and(|l| count >= l) {
                break;
            }
            out.push_str(&s[pos..pos + i]);
            out.push_str(rep);
            pos += i + p.len();
            count += 1.0;
        }
        out.push_str(&s[pos..]);
        return ok_str(out);
    }
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = String::new();
    let mut pos = 0.0;
    let mut count = 0.0;
    let Some(mut cur) = first_found(ev, pattern, s, "replace")? else { return ok_str(s) };
    loop {
        if limit.is_some_and(|l| count >= l) {
            break;
        }
        check_progress(count, units.len() + 1)?;
        let start = cur.position("start").ok_or_else(|| bad_matcher("replace"))?;
        out.push_str(&utf16_slice(&units, Some(pos), Some(start)));
        let with = match &replacement {
            V::Str(rep) => expand(rep, &cur.text()?, &cur.groups()),
            f => match ev.apply(f, vec![Some(cur.obj.clone())], &None)? {
                Some(V::Str(x)) => x.to_string(),
                _ => return Err(rt("D3012", "Attempted to replace a matched string with a non-string value")),
            },
        };
        out.push_str(&with);
        pos = start + cur.text()?.encode_utf16().count() as f64;
        count += 1.0;
        match cur.next(ev)? {
            Some(n) => cur = n,
            None => break,
        }
    }
    out.push_str(&utf16_slice(&units, Some(pos), None));
    ok_str(out)
}
