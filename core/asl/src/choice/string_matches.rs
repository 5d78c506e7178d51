//! `StringMatches` patterns: `*` matches any run of characters (also none); `\*` is a
//! literal asterisk and `\\` a literal backslash. The pattern is split into its literal
//! parts once, at compile time, so matching is a few substring searches.

/// A compiled `StringMatches` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pattern {
    /// The literal text between wildcards: `a*b\*c*` is `["a", "b*c", ""]`. There is one
    /// more part than there are wildcards, so one part means "no wildcard at all".
    parts: Vec<String>,
}

impl Pattern {
    /// Compiles a pattern. Every text is a valid pattern: a backslash takes the next
    /// character literally whatever it is, and a trailing backslash stands for itself.
    pub(super) fn new(text: &str) -> Pattern {
        let mut parts = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '*' => parts.push(std::mem::take(&mut current)),
                '\\' => current.push(chars.next().unwrap_or('\\')),
                c => current.push(c),
            }
        }
        parts.push(current);
        Pattern { parts }
    }

    /// True when the whole of `s` matches. With only `*` as a wildcard, taking each middle
    /// part at its leftmost occurrence is optimal, so no backtracking is needed.
    pub(super) fn matches(&self, s: &str) -> bool {
        let (first, rest) = match self.parts.split_first() {
            Some(split) => split,
            None => return s.is_empty(),
        };
        let Some((last, middle)) = rest.split_last() else {
            return s == first;
        };
        let Some(s) = s.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some(mut s) = s.strip_suffix(last.as_str()) else {
            return false;
        };
        for part in middle {
            match s.find(part.as_str()) {
                Some(at) => s = &s[at + part.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(pattern: &str, s: &str) -> bool {
        Pattern::new(pattern).matches(s)
    }

    #[test]
    fn wildcards_match_any_run() {
        assert!(m("log-*.txt", "log-2024.txt"));
        assert!(m("log-*.txt", "log-.txt"));
        assert!(!m("log-*.txt", "log-2024.txt.bak"));
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("**", "x"));
        assert!(m("a*b*c", "abc"));
        assert!(m("a*b*c", "a-b-b-c"));
        assert!(!m("a*b*c", "acb"));
        assert!(m("*.txt", "a.txt"));
        assert!(!m("*.txt", "a.tx"));
        assert!(!m("ab*ba", "aba"));
        assert!(m("ab*ba", "abba"));
        assert!(m("", ""));
        assert!(!m("", "x"));
        assert!(m("é*ü", "éaü"));
    }

    #[test]
    fn escapes_are_literal() {
        // JSON "a\\*b" is the pattern text `a\*b`: a literal asterisk.
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("a\\\\*", "a\\anything"));
        assert!(!m("a\\\\*", "a"));
        assert!(m("\\*", "*"));
        assert!(m("x\\", "x\\"));
        assert!(m("\\q", "q"));
    }

    /// A dynamic-programming matcher to check the substring-search one against.
    fn reference(pattern: &str, s: &str) -> bool {
        #[derive(PartialEq)]
        enum T {
            Star,
            Ch(char),
        }
        let mut toks = Vec::new();
        let mut it = pattern.chars();
        while let Some(c) = it.next() {
            toks.push(match c {
                '*' => T::Star,
                '\\' => T::Ch(it.next().unwrap_or('\\')),
                c => T::Ch(c),
            });
        }
        let s: Vec<char> = s.chars().collect();
        let mut dp = vec![vec![false; s.len() + 1]; toks.len() + 1];
        dp[0][0] = true;
        for i in 1..=toks.len() {
            for j in 0..=s.len() {
                dp[i][j] = match toks[i - 1] {
                    T::Star => dp[i - 1][j] || (j > 0 && dp[i][j - 1]),
                    T::Ch(c) => j > 0 && dp[i - 1][j - 1] && s[j - 1] == c,
                };
            }
        }
        dp[toks.len()][s.len()]
    }

    proptest! {
        #[test]
        fn agrees_with_a_reference_matcher(pattern in "[ab*\\\\]{0,8}", s in "[ab*\\\\]{0,10}") {
            prop_assert_eq!(m(&pattern, &s), reference(&pattern, &s), "pattern {:?} on {:?}", pattern, s);
        }

        #[test]
        fn never_panics(pattern in any::<String>(), s in any::<String>()) {
            let _ = m(&pattern, &s);
        }
    }
}
