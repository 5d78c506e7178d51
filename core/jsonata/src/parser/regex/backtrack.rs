//! Which patterns can backtrack exponentially, and how long a subject they may then be run on.
//!
//! The ECMAScript engine is a classical backtracker without a step budget (as JavaScript's
//! own engines are): `(a+)+b` against a run of `a`s doubles its work with every character.
//! The exponential shapes are a repetition (a quantifier allowing more than one iteration)
//! of a group that itself holds a repetition, a back-reference, or alternatives that may
//! start alike (`(a|ab)*`). Such a pattern is only run on subjects short enough for the
//! worst case to stay well under a second.

/// Longest subject for a pattern with repetitions nested two deep.
const NESTED_TWICE: usize = 20;
/// Longest subject for a pattern with repetitions nested three or more deep.
const NESTED_DEEPER: usize = 12;

/// One group while scanning (also the last atom seen): how deep the repetitions inside it
/// nest, whether it holds a back-reference, and what its alternatives start with.
#[derive(Default, Clone)]
struct Group {
    height: usize,
    backref: bool,
    /// The first character of each alternative when it is a plain literal, else `None`.
    firsts: Vec<Option<char>>,
    /// How many atoms the current alternative has had.
    atoms: usize,
}

impl Group {
    /// Alternatives that may begin with the same character make repetition ambiguous.
    fn ambiguous_alternatives(&self) -> bool {
        if self.firsts.len() < 2 {
            return false;
        }
        let mut seen = Vec::new();
        for f in &self.firsts {
            match f {
                Some(c) if !seen.contains(c) => seen.push(*c),
                _ => return true,
            }
        }
        false
    }

    /// Records the first atom of the current alternative (`None`: not a plain literal).
    fn atom(&mut self, literal: Option<char>) {
        if self.atoms == 0 {
            self.firsts.push(literal);
        }
        self.atoms += 1;
    }

    /// Ends the current alternative (an empty one starts with nothing certain).
    fn end_alternative(&mut self) {
        if self.atoms == 0 {
            self.firsts.push(None);
        }
        self.atoms = 0;
    }
}

/// The longest subject the pattern may run on, or `None` when no repetition is nested.
pub fn max_subject(pattern: &str) -> Option<usize> {
    match star_height(pattern) {
        0 | 1 => None,
        2 => Some(NESTED_TWICE),
        _ => Some(NESTED_DEEPER),
    }
}

/// How deeply repetitions nest in the pattern; a back-reference or ambiguous alternatives
/// inside a repeated group count as one more level.
fn star_height(pattern: &str) -> usize {
    let chars: Vec<char> = pattern.chars().collect();
    let mut stack: Vec<Group> = vec![Group::default()];
    let mut max = 0;
    // the last atom, which a quantifier applies to (None: nothing to quantify)
    let mut last: Option<Group> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let next = chars.get(i).copied();
                let backref = match next {
                    Some('1'..='9') => true,
                    Some('k') => chars.get(i + 1) == Some(&'<'),
                    _ => false,
                };
                i += 1;
                let literal = next.filter(|n| !n.is_ascii_alphanumeric());
                if let Some(top) = stack.last_mut() {
                    top.atom(literal);
                    top.backref |= backref;
                }
                // repeating one back-reference repeats a fixed text: only a repeated group
                // holding one is ambiguous
                last = Some(Group::default());
            }
            '[' => {
                i = class_end(&chars, i);
                if let Some(top) = stack.last_mut() {
                    top.atom(None);
                }
                last = Some(Group::default());
            }
            '(' => {
                if chars.get(i) == Some(&'?') {
                    i += 1;
                    match chars.get(i) {
                        Some('<') if !matches!(chars.get(i + 1), Some('=' | '!')) => {
                            while i < chars.len() && chars[i] != '>' {
                                i += 1;
                            }
                            i += 1;
                        }
                        Some('<') => i += 2,
                        Some(_) => i += 1,
                        None => {}
                    }
                }
                if let Some(top) = stack.last_mut() {
                    top.atom(None);
                }
                stack.push(Group::default());
                last = None;
            }
            ')' => {
                let mut g = if stack.len() > 1 { stack.pop().unwrap_or_default() } else { Group::default() };
                g.end_alternative();
                if let Some(top) = stack.last_mut() {
                    top.height = top.height.max(g.height);
                    top.backref |= g.backref;
                }
                last = Some(g);
            }
            '*' | '+' | '?' | '{' => {
                let (repeats, next) = quantifier(&chars, i - 1);
                let Some(next) = next else {
                    if let Some(top) = stack.last_mut() {
                        top.atom(Some(c));
                    }
                    last = Some(Group::default());
                    continue;
                };
                i = next;
                if chars.get(i) == Some(&'?') {
                    i += 1;
                }
                if let Some(top) = stack.last_mut() {
                    // a quantified first atom may be skipped or repeated: it tells nothing
                    if top.atoms == 1 {
                        if let Some(f) = top.firsts.last_mut() {
                            *f = None;
                        }
                    }
                }
                if let (Some(atom), true) = (last.take(), repeats) {
                    let height =
                        atom.height + 1 + usize::from(atom.backref) + usize::from(atom.ambiguous_alternatives());
                    max = max.max(height);
                    if let Some(top) = stack.last_mut() {
                        top.height = top.height.max(height);
                    }
                }
            }
            '|' => {
                if let Some(top) = stack.last_mut() {
                    top.end_alternative();
                }
                last = None;
            }
            '^' | '$' => last = None,
            _ => {
                if let Some(top) = stack.last_mut() {
                    top.atom(Some(c));
                }
                last = Some(Group::default());
            }
        }
    }
    max
}

/// Index just past the `]` closing a class whose body starts at `i`.
fn class_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            ']' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// A quantifier at `at`: whether it chooses among counts above one, and the index after it;
/// `None` when the text is not a quantifier (Annex B reads such a `{` as a literal).
fn quantifier(chars: &[char], at: usize) -> (bool, Option<usize>) {
    match chars[at] {
        '*' | '+' => (true, Some(at + 1)),
        '?' => (false, Some(at + 1)),
        _ => {
            let mut i = at + 1;
            let digits = |i: &mut usize| -> Option<u64> {
                let start = *i;
                while *i < chars.len() && chars[*i].is_ascii_digit() {
                    *i += 1;
                }
                let text: String = chars[start..*i].iter().collect();
                if text.is_empty() {
                    None
                } else {
                    Some(text.parse().unwrap_or(u64::MAX))
                }
            };
            let Some(min) = digits(&mut i) else { return (false, None) };
            let mut max = min;
            if chars.get(i) == Some(&',') {
                i += 1;
                max = digits(&mut i).unwrap_or(u64::MAX);
            }
            if chars.get(i) != Some(&'}') {
                return (false, None);
            }
            (max > 1 && max > min, Some(i + 1))
        }
    }
}

#[cfg(test)]
#[test]
fn nested_repetitions_are_found() {
    assert_eq!(star_height("abc"), 0);
    assert_eq!(star_height("a*b+c{2,}"), 1);
    assert_eq!(star_height("(a*)*b"), 2);
    assert_eq!(star_height("(a|aa)+"), 2);
    assert_eq!(star_height("(a|b)+"), 1);
    assert_eq!(star_height("(?:\\.|,)+"), 1);
    assert_eq!(star_height("(?:[a-z]|\\d)+"), 2);
    assert_eq!(star_height("(a?|b)+"), 2);
    assert_eq!(star_height("(ab|ac)+"), 2);
    assert_eq!(star_height("(?:\\w+\\s?)*$"), 2);
    assert_eq!(star_height("((a+)+)+"), 3);
    assert_eq!(star_height("(a)\\1*"), 1);
    assert_eq!(star_height("((a)\\2)+"), 2);
    assert_eq!(star_height("[(*]+"), 1);
    assert_eq!(star_height("(a{2})+"), 1);
    assert_eq!(star_height("(a{1,3})+"), 2);
    assert_eq!(star_height("(a?)+"), 1);
    assert_eq!(star_height("a{,3}"), 0);
    assert_eq!(star_height("(?<n>a+)+"), 2);
    assert_eq!(star_height("(?<=a+)b*"), 1);
}
