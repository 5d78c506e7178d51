//! Key encodings: big-endian numbers after a `\0` separator, so byte order is the order
//! the API lists things in (by machine, then start time).

pub fn arn_seq(arn: &str, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(arn.len() + 9);
    k.extend_from_slice(arn.as_bytes());
    k.push(0);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The range of all `arn_seq(arn, _)` keys.
pub fn arn_range(arn: &str) -> (Vec<u8>, Vec<u8>) {
    (arn_seq(arn, 0), arn_seq(arn, u64::MAX))
}

pub fn by_start(start_ms: i64, arn: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + arn.len());
    k.extend_from_slice(&(start_ms as u64).to_be_bytes());
    k.extend_from_slice(arn.as_bytes());
    k
}

/// `prefix \0 start_ms arn`, for the by-machine and by-status indexes.
pub fn prefixed(prefix: &str, start_ms: i64, arn: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + 9 + arn.len());
    k.extend_from_slice(prefix.as_bytes());
    k.push(0);
    k.extend_from_slice(&by_start(start_ms, arn));
    k
}

/// `machine_arn \0 STATUS`, the key of a count.
pub fn count(machine: &str, status: stepline_asl::interp::Status) -> Vec<u8> {
    let mut k = Vec::with_capacity(machine.len() + 12);
    k.extend_from_slice(machine.as_bytes());
    k.push(0);
    k.extend_from_slice(status.as_str().as_bytes());
    k
}

pub fn parse_count(key: &[u8]) -> Option<(String, stepline_asl::interp::Status)> {
    let at = key.iter().rposition(|b| *b == 0)?;
    let machine = std::str::from_utf8(&key[..at]).ok()?;
    let status = stepline_asl::interp::Status::parse(std::str::from_utf8(&key[at + 1..]).ok()?)?;
    Some((machine.to_string(), status))
}

/// The ARN at the end of an index key whose fixed part is `skip` bytes long.
pub fn arn_after(key: &[u8], skip: usize) -> String {
    String::from_utf8_lossy(&key[skip.min(key.len())..]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_number_then_arn() {
        assert!(arn_seq("a", 2) < arn_seq("a", 10));
        assert!(by_start(5, "z") < by_start(6, "a"));
        assert!(prefixed("m", 1, "x") < prefixed("m", 2, "a"));
        assert!(prefixed("m", u64::MAX as i64, "x") < prefixed("n", 0, "a"));
        assert_eq!(arn_after(&by_start(7, "arn:x"), 8), "arn:x");
    }
}
