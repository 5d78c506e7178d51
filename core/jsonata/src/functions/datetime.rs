//! Date/time functions (`$now`, `$millis`, `$fromMillis`, `$toMillis`). The clock comes from
//! [`crate::Env`], never from the OS. Pictures support the common XPath components.

use super::args::{num_arg, ok_num, ok_str, str_arg, Entry};
use crate::error::rt;
use crate::error::JsonataError;
use crate::eval::V;
use crate::eval::{Evaluator, R};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("now", "<s?s?:s>", now));
    r.push(("millis", "<:n>", millis));
    r.push(("fromMillis", "<n-s?s?:s>", from_millis));
    r.push(("toMillis", "<s-s?:n>", to_millis));
}

fn now<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    ok_str(format_millis(ev.now_millis as f64, str_arg(&args, 0), str_arg(&args, 1))?)
}

fn millis<'a>(ev: &mut Evaluator<'a, '_>, _: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    ok_num(ev.now_millis as f64)
}

fn from_millis<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(ms) = num_arg(&args, 0) else { return Ok(None) };
    ok_str(format_millis(ms, str_arg(&args, 1), str_arg(&args, 2))?)
}

fn to_millis<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
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
        Some(p) => Ok(parse_with_picture(s, p)?.map(|ms| V::Num(ms as f64))),
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

/// Parses a `±HHMM` timezone argument into minutes east of UTC.
fn tz_offset(tz: Option<&str>) -> Option<i64> {
    let tz = tz?;
    let sign = if tz.starts_with('-') { -1 } else { 1 };
    let digits: String = tz.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 3 {
        return None;
    }
    let n: i64 = sign * digits.parse::<i64>().ok()?;
    // as the reference: floor(n / 100) hours plus the (signed) remainder in minutes
    Some(n.div_euclid(100) * 60 + n % 100)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

fn format_millis(ms: f64, picture: Option<&str>, tz: Option<&str>) -> Result<String, JsonataError> {
    let bad = || rt("D3110", "Invalid time value");
    if !ms.is_finite() {
        return Err(bad());
    }
    let offset = tz_offset(tz).unwrap_or(0);
    let dt = DateTime::from_timestamp_millis(ms.trunc() as i64 + offset * 60_000).ok_or_else(bad)?.naive_utc();
    let Some(picture) = picture else {
        if offset == 0 {
            return Ok(dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
        }
        return Ok(format!("{}{}", dt.format("%Y-%m-%dT%H:%M:%S%.3f"), fmt_offset(offset, true)));
    };
    let mut out = String::new();
    let chars: Vec<char> = picture.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '[' {
            if chars.get(i + 1) == Some(&'[') {
                out.push('[');
                i += 2;
                continue;
            }
            let end = chars[i..]
                .iter()
                .position(|&x| x == ']')
                .ok_or_else(|| rt("D3135", "No matching closing bracket ']' in date/time picture string"))?;
            let spec: String = chars[i + 1..i + end].iter().filter(|c| !c.is_whitespace()).collect();
            out.push_str(&component(&dt, &spec, offset)?);
            i += end + 1;
            continue;
        }
        if c == ']' && chars.get(i + 1) == Some(&']') {
            out.push(']');
            i += 2;
            continue;
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}

fn fmt_offset(minutes: i64, colon: bool) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    if colon {
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    } else {
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    }
}

fn component(dt: &NaiveDateTime, spec: &str, offset: i64) -> Result<String, JsonataError> {
    let mut cs = spec.chars();
    let Some(name) = cs.next() else { return Ok(String::new()) };
    let rest: String = cs.collect();
    let (modifier, width) = match rest.split_once(',') {
        Some((m, w)) => (m.to_string(), Some(w.to_string())),
        None => (rest, None),
    };
    let value: i64 = match name {
        'Y' => dt.year() as i64,
        'M' => dt.month() as i64,
        'D' => dt.day() as i64,
        'd' => dt.ordinal() as i64,
        'F' => dt.weekday().number_from_monday() as i64,
        'W' => dt.iso_week().week() as i64,
        'H' => dt.hour() as i64,
        'h' => {
            let h = dt.hour() % 12;
            if h == 0 {
                12
            } else {
                h as i64
            }
        }
        'm' => dt.minute() as i64,
        's' => dt.second() as i64,
        'f' => (dt.nanosecond() / 1_000_000) as i64,
        'P' => {
            let am = dt.hour() < 12;
            return Ok(match modifier.as_str() {
                "N" => if am { "AM" } else { "PM" }.into(),
                _ => if am { "am" } else { "pm" }.into(),
            });
        }
        'Z' => {
            if offset == 0 && modifier.contains('t') {
                return Ok("Z".into());
            }
            let colon = modifier.contains(':') || modifier.is_empty();
            return Ok(fmt_offset(offset, colon));
        }
        'z' => return Ok(format!("GMT{}", fmt_offset(offset, true))),
        'E' => return Ok("ISO".into()),
        'C' => return Ok("ISO".into()),
        _ => return Err(rt("D3132", format!("Unknown component specifier {name} in date/time picture string"))),
    };
    let names: Option<&[&str]> = match name {
        'M' => Some(&MONTHS),
        'F' => Some(&DAYS),
        _ => None,
    };
    let max_width = width.as_deref().and_then(|w| w.split('-').nth(1)).and_then(|w| w.parse::<usize>().ok());
    if let (Some(names), true) = (names, modifier.starts_with('N') || modifier.starts_with('n')) {
        let mut s = names[(value as usize).saturating_sub(1) % names.len()].to_string();
        if let Some(mw) = max_width {
            s = s.chars().take(mw).collect();
        }
        return Ok(match modifier.as_str() {
            "N" => s.to_uppercase(),
            "n" => s.to_lowercase(),
            _ => s,
        });
    }
    let digits = modifier.chars().filter(|c| c.is_ascii_digit() || *c == '#').count();
    let default_width = match (name, modifier.is_empty()) {
        ('m' | 's', true) => 2,
        ('f', true) => 3,
        _ => 1,
    };
    let min_width = if digits > 0 { modifier.chars().filter(|c| c.is_ascii_digit()).count() } else { default_width };
    let mut s = if name == 'f' {
        let full = format!("{:03}", value);
        if digits > 0 {
            let mut f: String = full.chars().take(min_width.max(1)).collect();
            while f.len() < min_width {
                f.push('0');
            }
            f
        } else {
            full
        }
    } else {
        format!("{:0width$}", value, width = min_width)
    };
    if name == 'Y' && digits == 2 {
        s = format!("{:02}", value % 100);
    }
    if modifier.ends_with('o') {
        let suffix = match (value % 100, value % 10) {
            (11..=13, _) => "th",
            (_, 1) => "st",
            (_, 2) => "nd",
            (_, 3) => "rd",
            _ => "th",
        };
        s.push_str(suffix);
    }
    Ok(s)
}

/// Parses a timestamp with a picture made of numeric components (`[Y0001]-[M01]-[D01]` etc.).
fn parse_with_picture(s: &str, picture: &str) -> Result<Option<i64>, JsonataError> {
    let (mut y, mut mo, mut d, mut h, mut mi, mut sec, mut ms) = (None, None, None, 0i64, 0i64, 0i64, 0i64);
    let mut offset = 0i64;
    let pc: Vec<char> = picture.chars().collect();
    let sc: Vec<char> = s.chars().collect();
    let (mut i, mut j) = (0, 0);
    while i < pc.len() {
        if pc[i] == '[' {
            let Some(end) = pc[i..].iter().position(|&x| x == ']') else {
                return Err(rt("D3135", "No matching closing bracket ']' in date/time picture string"));
            };
            let spec: String = pc[i + 1..i + end].iter().collect();
            i += end + 1;
            let name = spec.chars().next().unwrap_or(' ');
            if name == 'Z' || name == 'z' {
                let start = j;
                while j < sc.len() && (sc[j].is_ascii_digit() || "+-:Z".contains(sc[j])) {
                    j += 1;
                }
                let t: String = sc[start..j].iter().collect();
                offset = tz_offset(Some(&t)).unwrap_or(0);
                continue;
            }
            let fixed = spec.chars().filter(|c| c.is_ascii_digit()).count();
            let next_is_digit_component = pc.get(i) == Some(&'[');
            let start = j;
            while j < sc.len() && sc[j].is_ascii_digit() && (!next_is_digit_component || j - start < fixed.max(1)) {
                j += 1;
            }
            let n: i64 = sc[start..j].iter().collect::<String>().parse().unwrap_or(0);
            match name {
                'Y' => y = Some(n),
                'M' => mo = Some(n),
                'D' => d = Some(n),
                'H' => h = n,
                'm' => mi = n,
                's' => sec = n,
                'f' => ms = n,
                _ => {
                    return Err(rt("D3132", format!("Unknown component specifier {name} in date/time picture string")))
                }
            }
        } else {
            if sc.get(j) != Some(&pc[i]) {
                return Ok(None);
            }
            i += 1;
            j += 1;
        }
    }
    let Some(y) = y else {
        return Err(rt("D3136", "The date/time picture string is missing specifiers required to parse the timestamp"));
    };
    let date = NaiveDate::from_ymd_opt(y as i32, mo.unwrap_or(1) as u32, d.unwrap_or(1) as u32);
    let Some(dt) = date.and_then(|d| d.and_hms_milli_opt(h as u32, mi as u32, sec as u32, ms as u32)) else {
        return Ok(None);
    };
    Ok(Some(dt.and_utc().timestamp_millis() - offset * 60_000))
}
