//! Why a picture string was rejected: one variant per error code the reference raises for
//! pictures (D3130-D3136), turned into the crate's [`JsonataError`] with the reference's text.

use crate::error::{rt, JsonataError};

/// A picture the reference rejects, or one too large to honour.
#[derive(Debug, Clone, PartialEq)]
pub enum PictureError {
    /// D3130: a numbering sequence that is not digits, letters, roman numerals or words.
    Sequence(String),
    /// D3131: digits from two decimal digit families in one pattern.
    MixedDigitFamilies,
    /// D3132: an unknown component letter (the text between the brackets' first character).
    UnknownComponent(String),
    /// D3133: a name presentation on a component that has no names.
    NamesNotSupported(String),
    /// D3134: a timezone presentation with more than four digits.
    TimezoneDigits,
    /// D3135: a `[` without its `]`.
    UnclosedMarker,
    /// D3136: the components cannot be combined into a timestamp.
    MissingComponents,
    /// The output or pattern would exceed what an evaluation may build (U1001).
    TooLarge,
}

/// JavaScript's `JSON.stringify` of a string, as the reference inserts `{{value}}`.
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

impl PictureError {
    /// The crate's error, with the reference's code and message. (A method rather than
    /// `From`, so that `?` elsewhere in the crate keeps inferring its error type.)
    pub fn into_error(self) -> JsonataError {
        match self {
            PictureError::Sequence(token) => rt(
                "D3130",
                format!(
                    "Formatting or parsing an integer as a sequence starting with {} is not supported by this implementation",
                    quoted(&token)
                ),
            ),
            PictureError::MixedDigitFamilies => {
                rt("D3131", "In a decimal digit pattern, all digits must be from the same decimal group")
            }
            PictureError::UnknownComponent(c) => {
                rt("D3132", format!("Unknown component specifier {} in date/time picture string", quoted(&c)))
            }
            PictureError::NamesNotSupported(c) => rt(
                "D3133",
                format!(
                    "The 'name' modifier can only be applied to months and days in the date/time picture string, not {}",
                    quoted(&c)
                ),
            ),
            PictureError::TimezoneDigits => {
                rt("D3134", "The timezone integer format specifier cannot have more than four digits")
            }
            PictureError::UnclosedMarker => rt("D3135", "No matching closing bracket ']' in date/time picture string"),
            PictureError::MissingComponents => {
                rt("D3136", "The date/time picture string is missing specifiers required to parse the timestamp")
            }
            PictureError::TooLarge => rt("U1001", "The formatted value or picture is too large"),
        }
    }
}
