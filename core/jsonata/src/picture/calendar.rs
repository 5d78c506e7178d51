//! The proleptic Gregorian calendar as JavaScript's `Date` sees it, on time values (integer
//! milliseconds since the epoch, `NaN` when invalid), so dates outside chrono's range and
//! the reference's quirks (`Date.UTC` reads years 0-99 as 1900-1999) come out the same.

const MS_PER_DAY: f64 = 86_400_000.0;
/// The largest time value a `Date` holds (100 000 000 days either side of the epoch).
const MAX_TIME: f64 = 8.64e15;

/// A time value's calendar fields in UTC; `None` for an invalid date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fields {
    pub year: i64,
    /// 0-11, as `getUTCMonth`.
    pub month: i64,
    /// 1-31.
    pub day: i64,
    /// 0 (Sunday) to 6, as `getUTCDay`.
    pub weekday: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub millisecond: i64,
}

/// `TimeClip`: integer milliseconds within the `Date` range, else `NaN`.
pub fn time_clip(t: f64) -> f64 {
    if !t.is_finite() || t.abs() > MAX_TIME {
        return f64::NAN;
    }
    t.trunc() + 0.0
}

/// Days since 1970-01-01 of a civil date (month 1-12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1-12, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The UTC fields of a time value.
pub fn fields(t: f64) -> Option<Fields> {
    let t = time_clip(t);
    if t.is_nan() {
        return None;
    }
    let t = t as i64;
    let days = t.div_euclid(MS_PER_DAY as i64);
    let ms = t.rem_euclid(MS_PER_DAY as i64);
    let (year, month, day) = civil_from_days(days);
    Some(Fields {
        year,
        month: month - 1,
        day,
        weekday: (days + 4).rem_euclid(7),
        hour: ms / 3_600_000,
        minute: ms / 60_000 % 60,
        second: ms / 1000 % 60,
        millisecond: ms % 1000,
    })
}

/// JavaScript's `Date.UTC(year, month, day, hours, minutes, seconds, ms)`: fields out of
/// range carry over, a year 0-99 means 1900-1999, any non-finite field gives `NaN`.
pub fn date_utc(year: f64, month: f64, day: f64, hour: f64, minute: f64, second: f64, ms: f64) -> f64 {
    let all = [year, month, day, hour, minute, second, ms];
    if all.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let mut y = year.trunc();
    if (0.0..=99.0).contains(&y) {
        y += 1900.0;
    }
    let m = month.trunc();
    let ym = y + (m / 12.0).floor();
    // beyond this the date is far outside the Date range anyway
    if ym.abs() > 1e8 {
        return f64::NAN;
    }
    let mn = m.rem_euclid(12.0);
    let first = days_from_civil(ym as i64, mn as i64 + 1, 1) as f64;
    let days = first + day.trunc() - 1.0;
    let time = hour.trunc() * 3_600_000.0 + minute.trunc() * 60_000.0 + second.trunc() * 1000.0 + ms.trunc();
    time_clip(days * MS_PER_DAY + time)
}

/// `Date.UTC(year, month)`: midnight on the first of a month.
pub fn month_start(year: f64, month: f64) -> f64 {
    date_utc(year, month, 1.0, 0.0, 0.0, 0.0, 0.0)
}

#[cfg(test)]
mod tests {
    use crate::picture::calendar::*;

    #[test]
    fn round_trips_through_the_epoch_and_far_years() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (1600, 3, 1), (-271821, 4, 20), (275760, 9, 13), (-1, 12, 31)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(date_utc(1970.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0), 0.0);
        assert_eq!(date_utc(70.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0), 0.0);
        assert_eq!(date_utc(2023.0, 13.0, 1.0, 0.0, 0.0, 0.0, 0.0), date_utc(2024.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0));
        assert!(fields(8.64e15 + 1.0).is_none());
        let f = fields(-1.0).expect("valid");
        assert_eq!((f.year, f.month, f.day, f.hour, f.millisecond, f.weekday), (1969, 11, 31, 23, 999, 3));
    }
}
