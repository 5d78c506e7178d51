//! The value of each date/time component (`Y`, `M`, `W`, `X`, ...) of a time value, as the
//! reference's `getDateTimeFragment` computes it, ISO week numbering included.

use super::calendar::{date_utc, fields, month_start, time_clip, Fields};

const MS_PER_DAY: f64 = 86_400_000.0;

/// A component's value: a number (`NaN` for an invalid date), text, or nothing for a
/// component letter the reference does not know.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fragment {
    Num(f64),
    Text(&'static str),
    Undefined,
}

/// 0 (Sunday) to 6 of a time value, `NaN` when invalid.
fn weekday(t: f64) -> f64 {
    fields(t).map_or(f64::NAN, |f| f.weekday as f64)
}

/// Midnight starting week 1 of a month (of a year, for January): the Monday of the week
/// holding the month's first Thursday.
fn start_of_first_week(year: f64, month: f64) -> f64 {
    let first = month_start(year, month);
    let mut day = weekday(first);
    if day == 0.0 {
        day = 7.0;
    }
    if day > 4.0 {
        first + (8.0 - day) * MS_PER_DAY
    } else {
        first - (day - 1.0) * MS_PER_DAY
    }
}

fn delta_weeks(start: f64, end: f64) -> f64 {
    (end - start) / (MS_PER_DAY * 7.0) + 1.0
}

fn next_month(year: f64, month: f64) -> (f64, f64) {
    if month == 11.0 {
        (year + 1.0, 0.0)
    } else {
        (year, month + 1.0)
    }
}

fn previous_month(year: f64, month: f64) -> (f64, f64) {
    if month == 0.0 {
        (year - 1.0, 11.0)
    } else {
        (year, month - 1.0)
    }
}

fn week_in_year(f: &Fields) -> f64 {
    let (y, m, d) = (f.year as f64, f.month as f64, f.day as f64);
    let start = start_of_first_week(y, 0.0);
    let today = date_utc(y, m, d, 0.0, 0.0, 0.0, 0.0);
    let mut week = delta_weeks(start, today);
    if week > 52.0 {
        if today >= start_of_first_week(y + 1.0, 0.0) {
            week = 1.0;
        }
    } else if week < 1.0 {
        week = delta_weeks(start_of_first_week(y - 1.0, 0.0), today);
    }
    week.floor()
}

fn week_in_month(f: &Fields) -> f64 {
    let (y, m, d) = (f.year as f64, f.month as f64, f.day as f64);
    let start = start_of_first_week(y, m);
    let today = date_utc(y, m, d, 0.0, 0.0, 0.0, 0.0);
    let mut week = delta_weeks(start, today);
    if week > 4.0 {
        let (ny, nm) = next_month(y, m);
        if today >= start_of_first_week(ny, nm) {
            week = 1.0;
        }
    } else if week < 1.0 {
        let (py, pm) = previous_month(y, m);
        week = delta_weeks(start_of_first_week(py, pm), today);
    }
    week.floor()
}

/// The year a week-numbered date belongs to (Saturday 1 January 2005 is in 2004).
fn week_year(f: &Fields, t: f64) -> f64 {
    let y = f.year as f64;
    if t < start_of_first_week(y, 0.0) {
        y - 1.0
    } else if t >= start_of_first_week(y + 1.0, 0.0) {
        y + 1.0
    } else {
        y
    }
}

/// The month (1-12) a week-of-month belongs to.
fn week_month(f: &Fields, t: f64) -> f64 {
    let (y, m) = (f.year as f64, f.month as f64);
    let (ny, nm) = next_month(y, m);
    if t < start_of_first_week(y, m) {
        previous_month(y, m).1 + 1.0
    } else if t >= start_of_first_week(ny, nm) {
        nm + 1.0
    } else {
        m + 1.0
    }
}

/// The value of `component` at time value `t` (already shifted to the wanted offset).
pub fn fragment(t: f64, component: char) -> Fragment {
    let t = time_clip(t);
    fragment_of(t, fields(t).as_ref(), component)
}

/// [`fragment`] with the calendar fields of `t` (already clipped) computed by the caller,
/// so a picture with many components splits the time value once.
pub fn fragment_of(t: f64, fields: Option<&Fields>, component: char) -> Fragment {
    let Some(&f) = fields else {
        return match component {
            'P' => Fragment::Text("am"),
            'C' | 'E' => Fragment::Text("ISO"),
            c if "YMDdFWwXxHhmsf".contains(c) => Fragment::Num(f64::NAN),
            _ => Fragment::Undefined,
        };
    };
    let n = |v: i64| Fragment::Num(v as f64);
    match component {
        'Y' => n(f.year),
        'M' => n(f.month + 1),
        'D' => n(f.day),
        'd' => {
            let today = date_utc(f.year as f64, f.month as f64, f.day as f64, 0.0, 0.0, 0.0, 0.0);
            let first = month_start(f.year as f64, 0.0);
            Fragment::Num((today - first) / MS_PER_DAY + 1.0)
        }
        'F' => n(if f.weekday == 0 { 7 } else { f.weekday }),
        'W' => Fragment::Num(week_in_year(&f)),
        'w' => Fragment::Num(week_in_month(&f)),
        'X' => Fragment::Num(week_year(&f, t)),
        'x' => Fragment::Num(week_month(&f, t)),
        'H' => n(f.hour),
        'h' => n(if f.hour % 12 == 0 { 12 } else { f.hour % 12 }),
        'P' => Fragment::Text(if f.hour >= 12 { "pm" } else { "am" }),
        'm' => n(f.minute),
        's' => n(f.second),
        'f' => n(f.millisecond),
        'C' | 'E' => Fragment::Text("ISO"),
        _ => Fragment::Undefined,
    }
}

#[cfg(test)]
mod tests {
    use crate::picture::components::*;

    fn num(t: f64, c: char) -> f64 {
        match fragment(t, c) {
            Fragment::Num(v) => v,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn iso_weeks_at_year_boundaries() {
        // Saturday 1 January 2005: week 53 of 2004
        let t = date_utc(2005.0, 0.0, 1.0, 12.0, 0.0, 0.0, 0.0);
        assert_eq!((num(t, 'W'), num(t, 'X'), num(t, 'F')), (53.0, 2004.0, 6.0));
        // Monday 29 December 2008: week 1 of 2009
        let t = date_utc(2008.0, 11.0, 29.0, 0.0, 0.0, 0.0, 0.0);
        assert_eq!((num(t, 'W'), num(t, 'X')), (1.0, 2009.0));
        assert_eq!(num(date_utc(2024.0, 11.0, 31.0, 0.0, 0.0, 0.0, 0.0), 'd'), 366.0);
    }
}
