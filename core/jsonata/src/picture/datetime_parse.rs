//! Parsing a timestamp with a date/time picture (`$toMillis(string, picture)`): the picture
//! becomes one case-insensitive regular expression with a group per part, and the captured
//! components are combined into a time value by the reference's rules (missing leading
//! components from the current time, missing trailing ones zero, no gaps).

use super::calendar::{date_utc, fields, month_start, time_clip};
use super::components::{fragment, Fragment};
use super::datetime_format::names_of;
use super::datetime_picture::{analyse_picture, Marker, Part};
use super::error::PictureError;
use super::integer::{Grouping, IntegerFormat};
use super::integer_parse::{pattern, value};
use super::js::parse_int;
use regress::Regex;
use std::collections::HashMap;

/// How one captured group turns into a component value.
#[derive(Debug, Clone)]
enum Reader {
    Integer(IntegerFormat),
    /// A time zone offset in minutes; `GMT` first for `z`; hours and minutes split at the
    /// separator when the picture has a regular one.
    Offset {
        gmt: bool,
        separator: Option<char>,
    },
    /// A name looked up exactly (the match itself is case-insensitive).
    Name(HashMap<String, f64>),
}

/// An analysed picture ready to read timestamps: the whole-string pattern and, per group,
/// the component it sets (`None` for literals).
#[derive(Debug, Clone)]
pub struct Parser {
    regex: Option<Regex>,
    readers: Vec<Option<(char, Reader)>>,
    /// The same pattern as a plain scan, when the picture allows one (see [`Scan`]).
    scan: Option<Vec<Scan>>,
}

/// One part of a picture whose pattern needs no backtracking: ASCII literals (matched
/// ignoring ASCII case, as the pattern's `(?i)` does) and unbounded decimal numbers
/// (`[0-9]+`) each followed by the end or by a literal that does not start with a digit,
/// so the longest run of digits is the only way the pattern can match.
#[derive(Debug, Clone)]
enum Scan {
    Literal(String),
    Digits,
}

impl Scan {
    /// The scan of a picture, or `None` when only the regular expression matches it
    /// exactly as the reference does.
    fn plan(parts: &[Part], patterns: &[String]) -> Option<Vec<Scan>> {
        let mut plan = Vec::with_capacity(parts.len());
        for (part, pattern) in parts.iter().zip(patterns) {
            plan.push(match part {
                Part::Literal(s) if s.is_ascii() && !s.is_empty() => Scan::Literal(s.clone()),
                Part::Marker(_) if pattern == "[0-9]+" => Scan::Digits,
                _ => return None,
            });
        }
        for pair in plan.windows(2) {
            match pair {
                [Scan::Digits, Scan::Digits] => return None,
                [Scan::Digits, Scan::Literal(l)] if l.starts_with(|c: char| c.is_ascii_digit()) => return None,
                _ => {}
            }
        }
        Some(plan)
    }

    /// The text of each part in `timestamp`, or `None` when it does not match.
    fn run<'t>(plan: &[Scan], timestamp: &'t str, out: &mut Vec<&'t str>) -> bool {
        let mut rest = timestamp;
        for step in plan {
            match step {
                Scan::Literal(l) => {
                    let Some(head) = rest.get(..l.len()) else { return false };
                    if !head.eq_ignore_ascii_case(l) {
                        return false;
                    }
                    out.push(head);
                    rest = &rest[l.len()..];
                }
                Scan::Digits => {
                    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
                    if n == 0 {
                        return false;
                    }
                    out.push(&rest[..n]);
                    rest = &rest[n..];
                }
            }
        }
        rest.is_empty()
    }
}

fn escape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    for c in literal.chars() {
        if ".*+?^${}()|[]\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn name_lookup(m: &Marker) -> Result<HashMap<String, f64>, PictureError> {
    let max = m.width.and_then(|w| w.max).filter(|&x| x != 0.0 && !x.is_nan());
    if m.component == 'P' {
        return Ok([("am", 0.0), ("AM", 0.0), ("pm", 1.0), ("PM", 1.0)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect());
    }
    let Some(names) = names_of(m.component) else {
        return Err(PictureError::NamesNotSupported(m.component.to_string()));
    };
    let mut lookup = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let key: String = match max {
            Some(max) if max > 0.0 => name.chars().take(max as usize).collect(),
            // a negative bound cuts from the end in JavaScript's substring: nothing is left
            Some(_) => String::new(),
            None => name.to_string(),
        };
        lookup.insert(key, (i + 1) as f64);
    }
    Ok(lookup)
}

fn part_pattern(m: &Marker) -> Result<(String, Reader), PictureError> {
    if m.component == 'Z' || m.component == 'z' {
        let separator = match m.integer.as_ref().and_then(|f| f.grouping.as_ref()) {
            Some(Grouping::Regular(sep)) => Some(sep.character),
            _ => None,
        };
        let gmt = m.component == 'z';
        let mut re = String::from(if gmt { "GMT" } else { "" });
        re.push_str("[-+][0-9]+");
        if let Some(sep) = separator {
            re.push(sep);
            re.push_str("[0-9]+");
        }
        return Ok((re, Reader::Offset { gmt, separator }));
    }
    if let Some(f) = &m.integer {
        return Ok((pattern(f)?, Reader::Integer(f.clone())));
    }
    Ok(("[a-zA-Z]+".into(), Reader::Name(name_lookup(m)?)))
}

impl Parser {
    /// Builds the pattern of a picture; fails as the reference does on a bad picture.
    pub fn new(picture: &str) -> Result<Parser, PictureError> {
        let parts = analyse_picture(picture)?;
        let mut re = String::from("^");
        let mut readers = Vec::with_capacity(parts.len());
        let mut patterns = Vec::with_capacity(parts.len());
        for part in &parts {
            let (p, reader) = match part {
                Part::Literal(s) => (escape(s), None),
                Part::Marker(m) => {
                    let (p, r) = part_pattern(m)?;
                    (p, Some((m.component, r)))
                }
            };
            re.push('(');
            re.push_str(&p);
            re.push(')');
            readers.push(reader);
            patterns.push(p);
        }
        re.push('$');
        // case-insensitive as the reference's RegExp(..., "i"); a pattern the engine cannot
        // build (an odd separator character) matches nothing
        let regex = Regex::with_flags(&re, "i").ok();
        let scan = regex.as_ref().and_then(|_| Scan::plan(&parts, &patterns));
        Ok(Parser { regex, readers, scan })
    }

    /// The text each part matched, in order; `None` when the timestamp does not match.
    fn split<'t>(&self, timestamp: &'t str) -> Option<Vec<&'t str>> {
        let mut texts = Vec::with_capacity(self.readers.len());
        if let Some(plan) = &self.scan {
            return Scan::run(plan, timestamp, &mut texts).then_some(texts);
        }
        let m = self.regex.as_ref()?.find(timestamp)?;
        texts.extend((1..=self.readers.len()).map(|i| m.group(i).map_or("", |r| &timestamp[r])));
        Some(texts)
    }

    /// The time value of `timestamp`; `None` when it does not match the picture or the
    /// picture has no components.
    pub fn parse(&self, timestamp: &str, now_millis: f64) -> Result<Option<f64>, PictureError> {
        let Some(texts) = self.split(timestamp) else { return Ok(None) };
        let mut comps = Components::default();
        let mut any = false;
        for (reader, text) in self.readers.iter().zip(texts) {
            let Some((component, reader)) = reader else { continue };
            any = true;
            comps.set(*component, read(reader, text));
        }
        if !any {
            return Ok(None);
        }
        comps.into_millis(now_millis).map(Some)
    }
}

fn read(reader: &Reader, text: &str) -> Option<f64> {
    match reader {
        Reader::Integer(f) => Some(value(f, text)),
        Reader::Name(lookup) => lookup.get(text).copied(),
        Reader::Offset { gmt, separator } => {
            let v = if *gmt { text.get(3..).unwrap_or("") } else { text };
            let (hours, minutes) = match separator {
                Some(sep) => match v.find(*sep) {
                    Some(i) => (parse_int(&v[..i]), parse_int(&v[i + sep.len_utf8()..])),
                    None => (f64::NAN, parse_int(v)),
                },
                None if v.chars().count() <= 3 => (parse_int(v), 0.0),
                None => {
                    let split = v.char_indices().nth(3).map_or(v.len(), |(i, _)| i);
                    (parse_int(&v[..split]), parse_int(&v[split..]))
                }
            };
            Some(hours * 60.0 + minutes)
        }
    }
}

/// The captured components by ASCII letter: absent, present but undefined (a name that
/// did not look up), or a number (possibly `NaN`). Component letters are ASCII: analysis
/// rejects markers of any other component before a parser is built.
#[derive(Debug)]
struct Components([Option<Option<f64>>; 128]);

impl Default for Components {
    fn default() -> Self {
        Components([None; 128])
    }
}

const MS_PER_DAY: f64 = 86_400_000.0;

impl Components {
    fn set(&mut self, c: char, v: Option<f64>) {
        if let Some(slot) = self.0.get_mut(c as usize) {
            *slot = Some(v);
        }
    }

    fn get(&self, c: char) -> Option<f64> {
        self.0.get(c as usize).copied().flatten().flatten()
    }

    /// JavaScript truthiness of a component.
    fn truthy(&self, c: char) -> bool {
        self.get(c).is_some_and(|v| v != 0.0 && !v.is_nan())
    }

    /// One bit per component, the first most significant.
    fn mask(&self, order: &str) -> u32 {
        order.chars().fold(0, |m, c| (m << 1) | u32::from(self.truthy(c)))
    }

    fn into_millis(mut self, now_millis: f64) -> Result<f64, PictureError> {
        // which components make a date and a time (bit masks over YXMxWwdD and PHhmsf)
        let is_type = |mask: u32, ty: u32| (!ty & mask) == 0 && (ty & mask) != 0;
        let date_mask = self.mask("YXMxWwdD");
        let date_a = is_type(date_mask, 0b1010_0001);
        let date_b = !date_a && is_type(date_mask, 0b1000_0010);
        let date_c = is_type(date_mask, 0b0101_0100);
        let date_d = !date_c && is_type(date_mask, 0b0100_1000);
        let time_mask = self.mask("PHhmsf");
        let time_a = is_type(time_mask, 0b01_0111);
        let time_b = !time_a && is_type(time_mask, 0b10_1111);

        let date_comps = if date_b {
            "YD"
        } else if date_c {
            "XxwF"
        } else if date_d {
            "XWF"
        } else {
            "YMD"
        };
        let time_comps = if time_b { "Phmsf" } else { "Hmsf" };

        let (mut start_specified, mut end_specified) = (false, false);
        for part in date_comps.chars().chain(time_comps.chars()) {
            if self.get(part).is_none() {
                if start_specified {
                    self.set(part, Some(if "MDd".contains(part) { 1.0 } else { 0.0 }));
                    end_specified = true;
                } else {
                    let now = match fragment(now_millis, part) {
                        Fragment::Num(v) => v,
                        // the am/pm marker of now is text: it never adds twelve hours
                        _ => f64::NAN,
                    };
                    self.set(part, Some(now));
                }
            } else {
                start_specified = true;
                if end_specified {
                    return Err(PictureError::MissingComponents);
                }
            }
        }

        let month = self.get('M').filter(|&m| m > 0.0).map_or(0.0, |m| m - 1.0);
        let (mut month, mut day) = (month, self.get('D').unwrap_or(f64::NAN));
        if date_b {
            let first_jan = month_start(self.get('Y').unwrap_or(f64::NAN), 0.0);
            let derived = time_clip(first_jan + (self.get('d').unwrap_or(f64::NAN) - 1.0) * MS_PER_DAY);
            match fields(derived) {
                Some(f) => (month, day) = (f.month as f64, f.day as f64),
                None => (month, day) = (f64::NAN, f64::NAN),
            }
        }
        if date_c || date_d {
            // week-date parsing is not implemented by the reference either
            return Err(PictureError::MissingComponents);
        }
        let mut hour = self.get('H').unwrap_or(f64::NAN);
        if time_b {
            let h = self.get('h').unwrap_or(f64::NAN);
            hour = if h == 12.0 { 0.0 } else { h };
            if self.get('P') == Some(1.0) {
                hour += 12.0;
            }
        }
        let g = |c| self.get(c).unwrap_or(f64::NAN);
        let mut millis = date_utc(g('Y'), month, day, hour, g('m'), g('s'), g('f'));
        let offset = if self.truthy('Z') { self.get('Z') } else { self.get('z') };
        if self.truthy('Z') || self.truthy('z') {
            millis -= offset.unwrap_or(f64::NAN) * 60_000.0;
        }
        Ok(millis)
    }
}

#[cfg(test)]
mod tests {
    use crate::picture::datetime_parse::*;

    fn parse(s: &str, p: &str) -> Result<Option<f64>, PictureError> {
        Parser::new(p)?.parse(s, 1_700_000_000_000.0)
    }

    #[test]
    fn parses_timestamps() {
        assert_eq!(parse("2023-11-14 22:13", "[Y]-[M]-[D] [H]:[m]"), Ok(Some(1_699_999_980_000.0)));
        assert_eq!(
            parse("2023-11-14T22:13:20.123+01:00", "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01]"),
            Ok(Some(1_699_996_400_123.0))
        );
        assert_eq!(parse("14th November 2023", "[D1o] [MNn] [Y]"), Ok(Some(1_699_920_000_000.0)));
        assert_eq!(parse("nope", "[Y]"), Ok(None));
        assert_eq!(parse("2023 22", "[Y] [m]"), Err(PictureError::MissingComponents));
    }
}
