//! Timestamps as ASL uses them: RFC 3339 text in, milliseconds since the epoch inside.

pub mod rfc3339;

use chrono::{DateTime, SecondsFormat, Utc};

/// Milliseconds since the Unix epoch; the interpreter's only notion of time.
pub type Millis = i64;

/// Parses an RFC 3339 timestamp (`2016-03-14T01:59:00Z`, with offset or fraction).
/// Accepts exactly what AWS accepts (see [`rfc3339::parse`]).
pub fn parse_timestamp(s: &str) -> Option<Millis> {
    rfc3339::parse(s).map(|t| t.timestamp_millis())
}

/// Formats as AWS does in the context object and history (`2024-01-01T00:00:00.000Z`).
pub fn format_timestamp(ms: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Formats as HTTP's `Date` header does (`Mon, 07 Dec 2026 11:27:49 GMT`).
pub fn format_http_date(ms: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let ms = parse_timestamp("2016-03-14T01:59:00Z").unwrap();
        assert_eq!(format_timestamp(ms), "2016-03-14T01:59:00.000Z");
        assert_eq!(parse_timestamp("2016-03-14T01:59:00+01:00").unwrap(), ms - 3_600_000);
        assert!(parse_timestamp("yesterday").is_none());
        assert_eq!(format_http_date(ms), "Mon, 14 Mar 2016 01:59:00 GMT");
    }
}
