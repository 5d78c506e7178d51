//! Formatting a time value with a date/time picture (`$fromMillis`, `$now`), in the time
//! zone of a `±hhmm` offset.

use super::calendar::time_clip;
use super::components::{fragment, Fragment};
use super::datetime_picture::{analyse_picture, Marker, Part};
use super::error::PictureError;
use super::integer::{format, format_integer, Case, Grouping};
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

fn name(marker: &Marker, value: f64, case: Case) -> Result<String, PictureError> {
    let Some(names) = names_of(marker.component) else {
        return Err(PictureError::NamesNotSupported(marker.component.to_string()));
    };
    // months count from 1 and days from Monday = 1; JavaScript would show `undefined`
    let index = value - 1.0;
    let Some(name) = (index >= 0.0 && index < names.len() as f64).then(|| names[index as usize]) else {
        return Ok("undefined".into());
    };
    let mut s = match case {
        Case::Upper => name.to_uppercase(),
        Case::Lower => name.to_lowercase(),
        Case::Title => name.to_string(),
    };
    if let Some(max) = marker.width.and_then(|w| w.max) {
        if (s.len() as f64) > max {
            s.truncate(max as usize);
        }
    }
    Ok(s)
}

fn timezone(marker: &Marker, offset: Offset) -> Result<String, PictureError> {
    let total = offset.hours * 100.0 + offset.minutes;
    let Some(f) = &marker.integer else { return Err(PictureError::TimezoneDigits) };
    let mut s = if matches!(f.grouping, Some(Grouping::Regular(_))) {
        format(total, f)?
    } else {
        match f.mandatory_digits {
            Some(d) if d == 1.0 || d == 2.0 => {
                let mut s = format(offset.hours, f)?;
                if offset.minutes != 0.0 {
                    s.push(':');
                    s.push_str(&format_integer(offset.minutes, "00")?);
                }
                s
            }
            Some(d) if d == 3.0 || d == 4.0 => format(total, f)?,
            _ => return Err(PictureError::TimezoneDigits),
        }
    };
    if total >= 0.0 {
        s.insert(0, '+');
    }
    if marker.component == 'z' {
        s.insert_str(0, "GMT");
    }
    if total == 0.0 && marker.presentation2 == Some('t') {
        s = "Z".into();
    }
    Ok(s)
}

fn component(t: f64, marker: &Marker, offset: Offset) -> Result<String, PictureError> {
    let c = marker.component;
    if c == 'Z' || c == 'z' {
        return timezone(marker, offset);
    }
    let value = fragment(t, c);
    match value {
        Fragment::Num(mut v) if c != 'f' => {
            if c == 'Y' && marker.year_digits != -1.0 {
                v %= 10f64.powf(marker.year_digits);
            }
            match (marker.names, &marker.integer) {
                (Some(case), _) => name(marker, v, case),
                (None, Some(f)) => format(v, f),
                (None, None) => Ok(crate::eval::value::js_number(v)),
            }
        }
        Fragment::Num(v) => match &marker.integer {
            Some(f) => format(v, f),
            // the reference fails with a JavaScript TypeError here
            None => Err(PictureError::NamesNotSupported(c.to_string())),
        },
        Fragment::Text(s) if c == 'P' && marker.names == Some(Case::Upper) => Ok(s.to_uppercase()),
        Fragment::Text(s) => Ok(s.to_string()),
        Fragment::Undefined => Ok("undefined".into()),
    }
}

/// Formats the parts of an analysed picture.
pub fn format_parts(millis: f64, parts: &[Part], timezone: Option<&str>) -> Result<String, PictureError> {
    let offset = Offset::parse(timezone);
    let offset_millis = (60.0 * offset.hours + offset.minutes) * 60_000.0;
    let t = time_clip(millis + offset_millis);
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Literal(s) => out.push_str(s),
            Part::Marker(m) => out.push_str(&component(t, m, offset)?),
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
