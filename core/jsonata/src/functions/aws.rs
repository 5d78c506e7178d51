//! Functions AWS Step Functions adds to JSONata: `$partition`, `$range`, `$hash`, `$random`
//! (optionally seeded), `$uuid` and `$parse`.

use super::args::{items_arg, num_arg, ok_num, ok_str, str_arg, Entry};
use crate::error::rt;
use crate::eval::V;
use crate::eval::{Evaluator, R};
use crate::random::{Random, SplitMix64};
use std::fmt::Write as _;

pub fn register(r: &mut Vec<Entry>) {
    r.push(("partition", "<an:a>", partition));
    r.push(("range", "<nnn?:a>", range));
    r.push(("hash", "<ss?:s>", hash));
    r.push(("random", "<n?:n>", random));
    r.push(("uuid", "<:s>", uuid));
    r.push(("parse", "<s-:x>", parse));
}

fn partition<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let (Some(items), Some(size)) = (items_arg(&args, 0), num_arg(&args, 1)) else { return Ok(None) };
    if size < 1.0 || size.fract() != 0.0 {
        return Err(rt("T0410", "Argument 2 of function partition must be a positive integer"));
    }
    let size = size as usize;
    let out = items.chunks(size).map(|c| V::arr(c.to_vec())).collect();
    Ok(Some(V::arr(out)))
}

/// `$range(start, end, step)`: from `start` towards `end` (inclusive) by `step` (default 1).
fn range<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let (Some(start), Some(end)) = (num_arg(&args, 0), num_arg(&args, 1)) else { return Ok(None) };
    let step = num_arg(&args, 2).unwrap_or(1.0);
    if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
        return Err(rt("T0410", "Argument 3 of function range must be a non-zero number"));
    }
    let count = ((end - start) / step).floor() + 1.0;
    if count > 1e7 {
        return Err(rt("D2014", "The size of the sequence allocated by $range must not exceed 1e7"));
    }
    let mut out = Vec::new();
    if count >= 1.0 {
        for i in 0..count as i64 {
            out.push(V::Num(start + step * i as f64));
        }
    }
    Ok(Some(V::seq(out)))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn hash<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    use sha2::Digest;
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let alg = str_arg(&args, 1).unwrap_or("SHA-256");
    let data = s.as_bytes();
    let out = match alg {
        "MD5" => hex(&md5::Md5::digest(data)),
        "SHA-1" => hex(&sha1::Sha1::digest(data)),
        "SHA-256" => hex(&sha2::Sha256::digest(data)),
        "SHA-384" => hex(&sha2::Sha384::digest(data)),
        "SHA-512" => hex(&sha2::Sha512::digest(data)),
        other => {
            return Err(rt(
                "T0410",
                format!("Unsupported hash algorithm '{other}'; expected one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"),
            ))
        }
    };
    ok_str(out)
}

/// `$random()` draws from the run's entropy; `$random(seed)` is deterministic in the seed.
fn random<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match num_arg(&args, 0) {
        Some(seed) => ok_num(SplitMix64(seed.to_bits()).next_f64()),
        None => ok_num(ev.rng.next_f64()),
    }
}

fn uuid<'a>(ev: &mut Evaluator<'a, '_>, _: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&ev.rng.next_u64().to_le_bytes());
    b[8..].copy_from_slice(&ev.rng.next_u64().to_le_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    ok_str(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]))
}

fn parse<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(s) = str_arg(&args, 0) else { return Ok(None) };
    let v: serde_json::Value = serde_json::from_str(s)
        .map_err(|e| rt("D3140", format!("The argument of the parse function must be a valid JSON string: {e}")))?;
    Ok(Some(owned(v)))
}

/// Converts an owned JSON value into an evaluator value.
pub fn owned<'a>(v: serde_json::Value) -> V<'a> {
    use serde_json::Value as J;
    match v {
        J::Null => V::Null,
        J::Bool(b) => V::Bool(b),
        J::Number(n) => V::Num(n.as_f64().unwrap_or(f64::NAN)),
        J::String(s) => V::str(s),
        J::Array(a) => V::arr(a.into_iter().map(owned).collect()),
        J::Object(o) => V::obj(o.into_iter().map(|(k, v)| (k, owned(v))).collect()),
    }
}
