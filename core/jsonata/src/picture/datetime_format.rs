//! Formatting a time value with a date/time picture (`$fromMillis`, `$now`), in the time
//! zone of a `±hhmm` offset.

use super::calendar::{fields, time_clip, Fields};
use super::components::{fragment_of, Fragment};
use super::datetime_picture::{analyse_picture, Marker, Part};
use super::error::PictureError;
use super::integer::{analyse, format_integer, format_into, Case, Grouping, IntegerFormat};
use super::js::parse_int;
use std::sync::OnceLock;

/// The picture used when none is given: ISO 8601 with milliseconds and `Z` for UTC.
const ISO_PICTURE: &str = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
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

/// The name list of a component, for parsing and formatting names.
pub fn names_of(component: char) -> Option<&'static [&'static str]> {
    match component {
        'M' | 'x' => Some(&MONTHS),
        'F' => Some(&DAYS),
        _ => None,
    }
}

/// A time zone argument read as the reference does: `parseInt` of `±hhmm`, then hours are
/// the quotient by 100 rounded down and minutes the (signed) remainder.
#[derive(Debug, Clone, Copy)]
struct Offset {
    hours: f64,
    minutes: f64,
}

impl Offset {
    fn parse(timezone: Option<&str>) -> Offset {
        match timezone {
            None => Offset { hours: 0.0, minutes: 0.0 },
            Some(tz) => {
                let n = parse_int(tz);
                Offset { hours: (n / 100.0).floor(), minutes: n % 100.0 }
            }
        }
    }
}

fn name(marker: &Marker, value: f64, case: Case, out: &mut String) -> Result<(), PictureError> {
    let Some(names) = names_of(marker.component) else {
        return Err(PictureError::NamesNotSupported(marker.component.to_string()));
    };
    // months count from 1 and days from Monday = 1; JavaScript would show `undefined`
    let index = value - 1.0;
    let Some(name) = (index >= 0.0 && index < names.len() as f64).then(|| names[index as usize]) else {
        out.push_str("undefined");
        return Ok(());
    };
    // the names are ASCII: a truncation is at a character boundary, case mapping is ASCII
    let mut end = name.len();
    if let Some(max) = marker.width.and_then(|w| w.max) {
        if (end as f64) > max {
            end = max as usize;
        }
    }
    let start = out.len();
    out.push_str(&name[..end]);
    match case {
        Case::Upper => out[start..].make_ascii_uppercase(),
        Case::Lower => out[start..].make_ascii_lowercase(),
        Case::Title => {}
    }
    Ok(())
}

/// The integer picture `00` (two-digit minutes of a time zone), analysed once.
fn two_digits() -> Option<&'static IntegerFormat> {
    static TWO: OnceLock<Option<IntegerFormat>> = OnceLock::new();
    TWO.get_or_init(|| analyse("00").ok()).as_ref()
}

fn timezone(marker: &Marker, offset: Offset, out: &mut String) -> Result<(), PictureError> {
    let total = offset.hours * 100.0 + offset.minutes;
    let Some(f) = &marker.integer else { return Err(PictureError::TimezoneDigits) };
    if total == 0.0 && marker.presentation2 == Some('t') {
        // still fails where the digits would
        let mut scratch = String::new();
        write_offset(f, offset, total, &mut scratch)?;
        out.push('Z');
        return Ok(());
    }
    if marker.component == 'z' {
        out.push_str("GMT");
    }
    if total >= 0.0 {
        out.push('+');
    }
    write_offset(f, offset, total, out)
}

fn write_offset(f: &IntegerFormat, offset: Offset, total: f64, out: &mut String) -> Result<(), PictureError> {
    if matches!(f.grouping, Some(Grouping::Regular(_))) {
        return format_into(total, f, out);
    }
    match f.mandatory_digits {
        Some(d) if d == 1.0 || d == 2.0 => {
            format_into(offset.hours, f, out)?;
            if offset.minutes != 0.0 {
                out.push(':');
                match two_digits() {
                    Some(two) => format_into(offset.minutes, two, out)?,
                    None => out.push_str(&format_integer(offset.minutes, "00")?),
                }
            }
            Ok(())
        }
        Some(d) if d == 3.0 || d == 4.0 => format_into(total, f, out),
        _ => Err(PictureError::TimezoneDigits),
    }
}

fn component(
    t: f64,
    fields: Option<&Fields>,
    marker: &Marker,
    offset: Offset,
    out: &mut String,
) -> Result<(), PictureError> {
    let c = marker.component;
    if c == 'Z' || c == 'z' {
        return timezone(marker, offset, out);
    }
    let value = fragment_of(t, fields, c);
    match value {
        Fragment::Num(mut v) if c != 'f' => {
            if c == 'Y' && marker.year_digits != -1.0 {
                v %= 10f64.powf(marker.year_digits);
            }
            match (marker.names, &marker.integer) {
                (Some(case), _) => name(marker, v, case, out),
                (None, Some(f)) => format_into(v, f, out),
                (None, None) => {
                    out.push_str(&crate::eval::value::js_number(v));
                    Ok(())
                }
            }
        }
        Fragment::Num(v) => match &marker.integer {
            Some(f) => format_into(v, f, out),
            // the reference fails with a JavaScript TypeError here
            None => Err(PictureError::NamesNotSupported(c.to_string())),
        },
        Fragment::Text(s) if c == 'P' && marker.names == Some(Case::Upper) => {
            out.push_str(&s.to_uppercase());
            Ok(())
        }
        Fragment::Text(s) => {
            out.push_str(s);
            Ok(())
        }
        Fragment::Undefined => {
            out.push_str("undefined");
            Ok(())
        }
    }
}

/// Formats the parts of an analysed picture.
pub fn format_parts(millis: f64, parts: &[Part], timezone: Option<&str>) -> Result<String, PictureError> {
    let offset = Offset::parse(timezone);
    let offset_millis = (60.0 * offset.hours + offset.minutes) * 60_000.0;
    let t = time_clip(millis + offset_millis);
    let f = fields(t);
    let mut out = String::with_capacity(64);
    for part in parts {
        match part {
            Part::Literal(s) => out.push_str(s),
            Part::Marker(m) => component(t, f.as_ref(), m, offset, &mut out)?,
        }
    }
    Ok(out)
}

/// The analysed ISO 8601 picture, built once.
pub fn iso_parts() -> &'static [Part] {
    static ISO: OnceLock<Vec<Part>> = OnceLock::new();
    ISO.get_or_init(|| analyse_picture(ISO_PICTURE).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use crate::picture::datetime_format::*;

    fn format_datetime(ms: f64, p: Option<&str>, tz: Option<&str>) -> Result<String, PictureError> {
        match p {
            None => format_parts(ms, iso_parts(), tz),
            Some(p) => format_parts(ms, &analyse_picture(p)?, tz),
        }
    }

    fn fmt(ms: f64, p: &str, tz: Option<&str>) -> String {
        format_datetime(ms, Some(p), tz).unwrap_or_else(|e| format!("{e:?}"))
    }

    #[test]
    fn formats_components() {
        let t = 1_700_000_000_123.0; // 2023-11-14T22:13:20.123Z, a Tuesday
        assert_eq!(format_datetime(t, None, None).as_deref(), Ok("2023-11-14T22:13:20.123Z"));
        assert_eq!(
            fmt(t, "[FNn], [D1o] [MNn] [Y], [h]:[m01][P]", Some("+0530")),
            "Wednesday, 15th November 2023, 3:43am"
        );
        assert_eq!(fmt(t, "[Y,2]-[MN,3-3]", None), "23-NOV");
        assert_eq!(fmt(t, "[H01]:[m01] [z]", Some("-0500")), "17:13 GMT-05:00");
        assert_eq!(fmt(t, "[YN]", None), "NamesNotSupported(\"Y\")");
        assert_eq!(fmt(t, "[Z00000]", None), "TimezoneDigits");
    }
}
