//! String functions (`$string`, `$substring`, `$pad`, `$split`, URL and base64 codecs, ...).

use super::args::{arg, items_arg, num_arg, ok_num, ok_str, str_arg, Entry};
use crate::error::rt;
use crate::error::JsonataError;
use crate::eval::regex::{call_matcher, check_progress, first_found, utf16_slice};
use crate::eval::value::to_string_pretty;
use crate::eval::V;
use crate::eval::{Evaluator, R};
use base64::Engine as _;

pub fn register(r: &mut Vec<Entry>) {
    r.push(("string", "<x-b?:s>", string));
    r.push(("length", "<s-:n>", length));
    r.push(("substring", "<s-nn?:s>", substring));
    r.push(("substringBefore", "<s-s:s>", substring_before));
    r.push(("substringAfter", "<s-s:s>", substring_after));
    r.push(("uppercase", "<s-:s>", uppercase));
    r.push(("lowercase", "<s-:s>", lowercase));
    r.push(("trim", "<s-:s>", trim));
    r.push(("pad", "<s-ns?:s>", pad));
    r.push(("contains", "<s-(sf):b>", contains));
    r.push(("split", "<s-(sf)n?:a<s>>", split));
    r.push(("join", "<a<s>s?:s>", join));
    r.push(("base64encode", "<s-:s>", base64encode));
    r.push(("base64decode", "<s-:s>", base64decode));
    r.push(("encodeUrlComponent", "<s-:s>", encode_url_component));
    r.push(("encodeUrl", "<s-:s>", encode_url));
    r.push(("decodeUrlComponent", "<s-:s>", decode_url_component));
    r.push(("decodeUrl", "<s-:s>", decode_url));
}

fn string<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(v) = arg(&args, 0) else { return Ok(None) };
    let pretty = matches!(arg(&args, 1), Some(V::Bool(true)));
    ok_str(to_string_pretty(v, pretty)?)
}

fn length<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match str_arg(&args, 0) {
        Some(s) => ok_num(s.chars().count() as f64),
        None => Ok(None),
    }
}

/// JavaScript `Array.prototype.slice` bounds.
fn slice_bounds(len: usize, start: f64, end: Option<f64>) -> (usize, usize) {
    let l = len as f64;
    let rel = |x: f64| {
        let x = if x.is_nan() { 0.0 } else { x.trunc() };
        if x < 0.0 {
            (l + x).max(0.0)
        } else {
            x.min(l)
        }
    };
    let s = rel(start);
    let e = end.map(rel).unwrap_or(l);
    if e <= s {
        (s as usize, s as usize)
    } else {
        (s as usize, e as usize)
    }
}

pub fn js_substring(s: &str, start: f64, length: Option<f64>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len() as f64;
    let mut start = start;
    if len + start < 0.0 {
        start = 0.0;
    }
    let end = match length {
        Some(l) => {
            if l <= 0.0 || l.is_nan() {
                return String::new();
            }
            Some(if start >= 0.0 { start + l } else { len + start + l })
        }
        None => None,
    };
    let (a, b) = slice_bounds(chars.len(), start, end);
    chars[a..b].iter().collect()
}

fn substring<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let start = num_arg(&args, 1).unwrap_or(0.0);
    ok_str(js_substring(s, start, num_arg(&args, 2)))
}

fn substring_before<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let Some(chars) = str_arg(&args, 1) else { return ok_str(s) };
    match s.find(chars) {
        Some(i) => ok_str(&s[..i]),
        None => ok_str(s),
    }
}

fn substring_after<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let Some(chars) = str_arg(&args, 1) else { return ok_str(s) };
    match s.find(chars) {
        Some(i) => ok_str(&s[i + chars.len()..]),
        None => ok_str(s),
    }
}

fn uppercase<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match str_arg(&args, 0) {
        Some(s) => ok_str(s.to_uppercase()),
        None => Ok(None),
    }
}

fn lowercase<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match str_arg(&args, 0) {
        Some(s) => ok_str(s.to_lowercase()),
        None => Ok(None),
    }
}

/// Collapses runs of whitespace to one space and trims (reference `$trim`).
fn trim<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let mut out = String::with_capacity(s.len());
    let mut in_ws = false;
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if !in_ws {
                out.push(' ');
            }
            in_ws = true;
        } else {
            out.push(c);
            in_ws = false;
        }
    }
    ok_str(out.trim_matches(' '))
}

fn pad<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let width = num_arg(&args, 1).unwrap_or(0.0);
    let pad_char = match str_arg(&args, 2) {
        Some(c) if !c.is_empty() => c,
        _ => " ",
    };
    let pad_len = width.abs().trunc() - s.chars().count() as f64;
    if pad_len <= 0.0 {
        return ok_str(s);
    }
    if pad_len > 1e7 {
        return Err(rt("D3001", "Invalid string length"));
    }
    let n = pad_len as usize;
    let padding: String = pad_char.chars().cycle().take(n).collect();
    if width > 0.0 {
        ok_str(format!("{s}{padding}"))
    } else {
        ok_str(format!("{padding}{s}"))
    }
}

fn contains<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let found = match arg(&args, 1) {
        Some(V::Str(t)) => s.contains(&**t),
        Some(f) => call_matcher(ev, f, Some(V::str(s)), "contains")?.is_some(),
        None => return Ok(None),
    };
    Ok(Some(V::Bool(found)))
}

fn split<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let limit = num_arg(&args, 2);
    if limit.is_some_and(|l| l < 0.0) {
        return Err(rt("D3020", "Third argument of split function must evaluate to a positive number"));
    }
    let mut parts: Vec<String> = Vec::new();
    if limit.is_some_and(|l| l == 0.0) {
        return Ok(Some(V::arr(Vec::new())));
    }
    match arg(&args, 1) {
        Some(V::Str(sep)) => {
            if sep.is_empty() {
                parts = s.chars().map(|c| c.to_string()).collect();
            } else {
                parts = s.split(&**sep).map(str::to_string).collect();
            }
            if let Some(l) = limit {
                parts.truncate(l.floor() as usize);
            }
        }
        Some(f) => {
            let units: Vec<u16> = s.encode_utf16().collect();
            let mut cur = first_found(ev, f, s, "split")?;
            let mut start = Some(0.0);
            let mut count = 0.0;
            while let Some(m) = cur {
                if limit.is_some_and(|l| count >= l) {
                    break;
                }
                check_progress(count, units.len() + 1)?;
                parts.push(utf16_slice(&units, start, m.position("start")));
                start = m.position("end");
                cur = m.next(ev)?;
                count += 1.0;
            }
            if limit.is_none_or(|l| count < l) {
                parts.push(utf16_slice(&units, start, None));
            }
        }
        None => return Ok(None),
    }
    Ok(Some(V::arr(parts.into_iter().map(V::str).collect())))
}

fn join<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let sep = str_arg(&args, 1).unwrap_or("");
    let strs: Vec<&str> = items.iter().filter_map(|v| v.as_str()).collect();
    ok_str(strs.join(sep))
}

fn base64encode<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    // Buffer.from(str, 'binary'): each UTF-16 unit truncated to a byte
    let bytes: Vec<u8> = s.encode_utf16().map(|u| (u & 0xFF) as u8).collect();
    ok_str(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn base64decode<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let cleaned: String = s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/').collect();
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut text = cleaned;
    if text.len() % 4 == 1 {
        text.pop();
    }
    let bytes = engine.decode(text.as_bytes()).unwrap_or_default();
    ok_str(bytes.iter().map(|&b| b as char).collect::<String>())
}

const URI_UNRESERVED: &str = "-_.!~*'()";
const URI_RESERVED: &str = ";,/?:@&=+$#";

fn percent_encode(s: &str, keep: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || keep.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn encode_url_component<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match str_arg(&args, 0) {
        Some(s) => ok_str(percent_encode(s, URI_UNRESERVED)),
        None => Ok(None),
    }
}

fn encode_url<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match str_arg(&args, 0) {
        Some(s) => ok_str(percent_encode(s, &format!("{URI_UNRESERVED}{URI_RESERVED}"))),
        None => Ok(None),
    }
}

/// `decodeURIComponent` / `decodeURI` (the latter keeps escapes of reserved characters).
fn percent_decode(s: &str, keep_reserved: bool, fname: &str) -> Result<String, JsonataError> {
    let malformed = || rt("D3140", format!("Malformed URL passed to ${fname}(): \"{s}\""));
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let hex = |i: usize| -> Option<u8> {
        let h = s.get(i + 1..i + 3)?;
        u8::from_str_radix(h, 16).ok().filter(|_| h.chars().all(|c| c.is_ascii_hexdigit()))
    };
    while i < b.len() {
        if b[i] != b'%' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let first = hex(i).ok_or_else(malformed)?;
        let n = match first {
            0x00..=0x7F => 1,
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return Err(malformed()),
        };
        if n == 1 {
            if keep_reserved && URI_RESERVED.contains(first as char) {
                out.extend_from_slice(&b[i..i + 3]);
            } else {
                out.push(first);
            }
            i += 3;
            continue;
        }
        let mut seq = vec![first];
        let mut j = i + 3;
        for _ in 1..n {
            if b.get(j) != Some(&b'%') {
                return Err(malformed());
            }
            seq.push(hex(j).ok_or_else(malformed)?);
            j += 3;
        }
        let st = std::str::from_utf8(&seq).map_err(|_| malformed())?;
        out.extend_from_slice(st.as_bytes());
        i = j;
    }
    String::from_utf8(out).map_err(|_| malformed())
}

fn decode_url_component<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match str_arg(&args, 0) {
        Some(s) => ok_str(percent_decode(s, false, "decodeUrlComponent")?),
        None => Ok(None),
    }
}

fn decode_url<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match str_arg(&args, 0) {
        Some(s) => ok_str(percent_decode(s, true, "decodeUrl")?),
        None => Ok(None),
    }
}
