//! Picture strings, as the reference JSONata implements XPath F&O 3.1: integers
//! (`$formatInteger`, `$parseInteger`) and dates/times (`$fromMillis`, `$now`,
//! `$toMillis`). Bottom to top: JavaScript primitives (`js`), the calendar and component
//! values, number systems (`roman`, `letters`, `words`), integer pictures, date/time
//! pictures, then formatting and parsing. Errors are [`error::PictureError`] until they
//! leave this module.

mod cache;
mod calendar;
mod components;
mod datetime_format;
mod datetime_parse;
mod datetime_picture;
mod error;
mod integer;
mod integer_parse;
mod js;
mod letters;
mod roman;
mod words;

pub use calendar::civil_from_days;

use crate::error::JsonataError;
use error::PictureError;

/// `$formatInteger(number, picture)`.
pub fn format_integer(value: f64, picture: &str) -> Result<String, JsonataError> {
    cache::integer_format(picture).and_then(|f| integer::format(value.floor(), &f)).map_err(PictureError::into_error)
}

/// `$parseInteger(string, picture)`; `NaN` when the text does not read as a number.
pub fn parse_integer(text: &str, picture: &str) -> Result<f64, JsonataError> {
    integer_parse::parse_integer(text, picture).map_err(PictureError::into_error)
}

/// `$fromMillis(millis, picture, timezone)` and `$now(picture, timezone)`.
pub fn format_datetime(millis: f64, picture: Option<&str>, timezone: Option<&str>) -> Result<String, JsonataError> {
    let formatted = match picture {
        None => datetime_format::format_parts(millis, datetime_format::iso_parts(), timezone),
        Some(p) => cache::format_parts(p).and_then(|parts| datetime_format::format_parts(millis, &parts, timezone)),
    };
    formatted.map_err(PictureError::into_error)
}

/// `$toMillis(timestamp, picture)`: `None` when the timestamp does not match; components
/// left out before the first one given come from `now_millis`.
pub fn parse_datetime(timestamp: &str, picture: &str, now_millis: f64) -> Result<Option<f64>, JsonataError> {
    cache::parser(picture).and_then(|p| p.parse(timestamp, now_millis)).map_err(PictureError::into_error)
}
