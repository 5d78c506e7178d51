//! Regular-expression matching with JavaScript global-regex iteration semantics, used when
//! a regex is invoked directly and by `$match`, `$replace`, `$contains` and `$split`.

use super::types::{Evaluator, Func, ObjMap, R, V};
use crate::ast::RegexLit;
use crate::error::{rt, JsonataError};

/// A regex argument (only regex literals are supported as matchers).
pub struct RegexRef<'a>(&'a RegexLit);

impl<'a> RegexRef<'a> {
    pub fn of(v: &V<'a>) -> Result<RegexRef<'a>, JsonataError> {
        if let V::Func(f) = v {
            if let Func::Regex(re) = &**f {
                return Ok(RegexRef(re));
            }
        }
        Err(rt(
            "T1010",
            "The matcher function argument passed to function does not return the correct object structure",
        ))
    }
}

/// One match, byte offsets into the subject.
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub groups: Vec<Option<String>>,
}

fn exec(re: &RegexLit, s: &str, from: usize) -> Option<Match> {
    if from > s.len() || !s.is_char_boundary(from) {
        return None;
    }
    let caps = re.re.captures_at(s, from)?;
    let m = caps.get(0)?;
    Some(Match {
        start: m.start(),
        end: m.end(),
        text: m.as_str().to_string(),
        groups: (1..caps.len()).map(|i| caps.get(i).map(|g| g.as_str().to_string())).collect(),
    })
}

pub fn first_match(_: &mut Evaluator<'_, '_>, re: &RegexRef<'_>, s: &str) -> Result<Option<Match>, JsonataError> {
    Ok(exec(re.0, s, 0))
}

/// Successive matches as the reference's `next()` chain produces them: iteration stops at
/// the end of the subject, and a later empty match is error D1004.
pub fn all_matches(
    _: &mut Evaluator<'_, '_>,
    re: &RegexRef<'_>,
    s: &str,
    limit: Option<usize>,
) -> Result<Vec<Match>, JsonataError> {
    let mut out = Vec::new();
    let mut cur = exec(re.0, s, 0);
    while let Some(m) = cur {
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        let last = m.end;
        out.push(m);
        if last >= s.len() {
            break;
        }
        cur = exec(re.0, s, last);
        if cur.as_ref().is_some_and(|n| n.text.is_empty()) {
            return Err(rt("D1004", format!("Regular expression matches zero length string: {}", re.0.source)));
        }
    }
    Ok(out)
}

pub fn utf16_index(s: &str, byte: usize) -> f64 {
    s.get(..byte).map(|p| p.encode_utf16().count()).unwrap_or(0) as f64
}

pub fn groups_value<'a>(groups: &[Option<String>]) -> V<'a> {
    V::arr(groups.iter().map(|g| g.as_ref().map(|x| V::str(x.as_str())).unwrap_or(V::Null)).collect())
}

/// The object a regex returns when invoked directly: `{match, start, end, groups}`.
pub fn match_object<'a>(re: &RegexLit, s: &str, from: usize) -> R<'a> {
    let Some(m) = exec(re, s, from) else { return Ok(None) };
    let mut o = ObjMap::new();
    o.insert("match".into(), V::str(m.text.as_str()));
    o.insert("start".into(), V::Num(utf16_index(s, m.start)));
    o.insert("end".into(), V::Num(utf16_index(s, m.end)));
    o.insert("groups".into(), groups_value(&m.groups));
    Ok(Some(V::obj(o)))
}
