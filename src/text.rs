//! Words for what the binary prints.

/// `1 problem`, `2 problems`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(super::count(0, "spec", "specs"), "0 specs");
        assert_eq!(super::count(1, "spec", "specs"), "1 spec");
        assert_eq!(super::count(2, "problem", "problems"), "2 problems");
    }
}
