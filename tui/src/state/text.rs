//! How the dashboard words things: an ARN's last part, a count with its noun, a capital
//! first letter, a long value clipped.

/// The last part of an ARN (an execution's name).
pub fn short(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// `n` and the noun that goes with it: `1 execution`, `2 executions`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

pub fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}
