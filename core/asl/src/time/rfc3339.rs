//! What ASL counts as a timestamp: the RFC3339 profile of ISO 8601 with an uppercase `T`
//! between date and time and either an uppercase `Z` or a numeric offset
//! (`2016-03-14T01:59:00Z`, `2012-10-09T19:00:55+01:00`, `2016-03-05T21:29:29.243167252Z`).
//! AWS rejects a space instead of `T`, a missing zone, and out-of-range fields such as month
//! 13 or hour 25, so the parser is strict rather than lenient like chrono's own.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};

/// Parses an ASL timestamp, or `None` when the text is not one. Comparisons use the instant
/// it names, so `19:00:55+01:00` equals `18:00:55Z`.
pub fn parse(text: &str) -> Option<DateTime<FixedOffset>> {
    let b = text.as_bytes();
    // YYYY-MM-DDTHH:MM:SS is 19 bytes, then an optional fraction and the zone.
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;

    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some((b'.', after)) = rest.split_first() {
        let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
        // Java's ISO parser (which AWS uses) takes 1 to 9 fraction digits.
        if n == 0 || n > 9 {
            return None;
        }
        nanos = digits(&after[..n])? * 10u32.pow(9 - n as u32);
        rest = &after[n..];
    }
    let offset_seconds = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let s = (h * 3600 + m * 60) as i32;
            if *sign == b'-' {
                -s
            } else {
                s
            }
        }
        _ => return None,
    };

    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    // Second 60 (a leap second) is rejected: Java's resolver allows 0..=59 only.
    if second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset = FixedOffset::east_opt(offset_seconds)?;
    date.and_time(time).and_local_timezone(offset).single()
}

/// The value of a run of ASCII digits (at most 9, so it fits).
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_forms_aws_accepts() {
        for ok in [
            "2016-03-14T01:59:00Z",
            "2012-10-09T19:00:55+01:00",
            "2012-10-09T19:00:55-05:30",
            "2016-03-05T21:29:29.243167252Z",
            "2016-03-05T21:29:29.2Z",
            "2024-02-29T00:00:00Z",
        ] {
            assert!(parse(ok).is_some(), "{ok} should be a timestamp");
        }
    }

    #[test]
    fn rejects_what_aws_rejects() {
        for bad in [
            "",
            "2016-13-05T21:29:29Z",       // month 13 (recorded on AWS: Wait state fails)
            "05-12-2016T21:29:29Z",       // not ISO order (recorded)
            "2016-12-05T25:29:29Z",       // hour 25 (recorded)
            "2016-12-05 21:29:29Z",       // no T (recorded)
            "2016-12-05T21:29:29",        // no zone (recorded)
            "2023-02-24",                 // date only
            "2023-02-24 12:15:56.832957", // Python's str(datetime)
            "2016-12-05t21:29:29Z",       // lowercase t
            "2016-12-05T21:29:29z",       // lowercase z
            "2023-02-29T00:00:00Z",       // not a leap year
            "2016-12-05T21:29:60Z",       // leap second
            "2016-12-05T21:29:29.Z",      // empty fraction
            "2016-12-05T21:29:29.1234567890Z",
            "2016-12-05T21:29:29+0100",
            "2016-12-05T21:29:29+01",
            "2016-12-05T21:29:29+24:00",
            "2016-12-05T21:29:29Z ",
            "+016-12-05T21:29:29Z",
            "2016-1२-05T21:29:29Z",
        ] {
            assert!(parse(bad).is_none(), "{bad:?} should not be a timestamp");
        }
    }

    #[test]
    fn offsets_name_the_same_instant() {
        assert_eq!(parse("2012-10-09T19:00:55+01:00"), parse("2012-10-09T18:00:55Z"));
        assert!(parse("2012-10-09T19:00:55.000000001Z") > parse("2012-10-09T19:00:55Z"));
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = parse(&s);
        }

        #[test]
        fn round_trips_what_it_accepts(secs in 0i64..4_102_444_800, nanos in 0u32..1_000_000_000, off in -1439i32..1440) {
            let offset = FixedOffset::east_opt(off * 60).unwrap();
            let t = DateTime::from_timestamp(secs, nanos).unwrap().with_timezone(&offset);
            let text = t.format("%Y-%m-%dT%H:%M:%S%.9f%:z").to_string();
            prop_assert_eq!(parse(&text), Some(t));
        }
    }
}
