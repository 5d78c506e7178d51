//! Date/time functions (`$now`, `$millis`, `$fromMillis`, `$toMillis`): thin wrappers over
//! [`crate::picture`]. The clock comes from [`crate::Env`], never from the OS.

use super::args::{num_arg, ok_num, ok_str, str_arg, Entry};
use crate::error::rt;
use crate::eval::V;
use crate::eval::{Evaluator, R};
use crate::picture::{format_datetime, parse_datetime};
use chrono::{DateTime, NaiveDate, NaiveDateTime};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("now", "<s?s?:s>", now));
    r.push(("millis", "<:n>", millis));
    r.push(("fromMillis", "<n-s?s?:s>", from_millis));
    r.push(("toMillis", "<s-s?:n>", to_millis));
}

fn now<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    ok_str(format_datetime(ev.now_millis as f64, str_arg(&args, 0), str_arg(&args, 1))?)
}

fn millis<'a>(ev: &mut Evaluator<'a, '_>, _: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    ok_num(ev.now_millis as f64)
}

fn from_millis<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(ms) = num_arg(&args, 0) else { return Ok(None) };
    ok_str(format_datetime(ms, str_arg(&args, 1), str_arg(&args, 2))?)
}

fn to_millis<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    match str_arg(&args, 1) {
        None if iso_shape(s) => ok_num(parse_iso(s).map(|ms| ms as f64).unwrap_or(f64::NAN)),
        None => match parse_iso(s) {
            Some(ms) => ok_num(ms as f64),
            None => Err(rt(
                "D3110",
                format!("The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given \"{s}\""),
            )),
        },
        Some(p) => Ok(parse_datetime(s, p, ev.now_millis as f64)?.map(V::Num)),
    }
}

/// The reference's ISO 8601 shape check (what passes goes to `Date.parse`, which may still yield NaN).
fn iso_shape(s: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regress::Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regress::Regex::new(r"^\d{4}(-[01]\d)?(-[0-3]\d)?(T[0-2]\d:[0-5]\d:[0-5]\d)?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$")
            .ok()
    })
    .as_ref()
    .is_some_and(|re| re.find(s).is_some())
}

/// Parses the ISO 8601 forms JavaScript's `Date.parse` accepts (times without offset as UTC).
pub fn parse_iso(s: &str) -> Option<i64> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_millis());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.timestamp_millis());
        }
    }
    let t = s.strip_suffix('Z').unwrap_or(s);
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(dt.and_utc().timestamp_millis());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|dt| dt.and_utc().timestamp_millis());
    }
    if t.len() == 7 {
        if let Ok(d) = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d") {
            return d.and_hms_opt(0, 0, 0).map(|dt| dt.and_utc().timestamp_millis());
        }
    }
    if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
        let y: i32 = t.parse().ok()?;
        return NaiveDate::from_ymd_opt(y, 1, 1)?.and_hms_opt(0, 0, 0).map(|dt| dt.and_utc().timestamp_millis());
    }
    None
}
