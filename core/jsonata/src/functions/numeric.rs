//! Numeric functions (`$number`, `$round` with banker's rounding, `$power`, `$formatNumber`, ...).

use super::args::{arg, num_arg, ok_num, ok_str, str_arg, Entry};
use super::number_picture::{validate as validate_picture, PictureChars};
use crate::error::rt;
use crate::error::JsonataError;
use crate::eval::{js_number, V};
use crate::eval::{show, Evaluator, R};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("number", "<(nsb)-:n>", number));
    r.push(("abs", "<n-:n>", abs));
    r.push(("floor", "<n-:n>", floor));
    r.push(("ceil", "<n-:n>", ceil));
    r.push(("round", "<n-n?:n>", round));
    r.push(("power", "<n-n:n>", power));
    r.push(("sqrt", "<n-:n>", sqrt));
    r.push(("formatNumber", "<n-so?:s>", format_number));
    r.push(("formatBase", "<n-n?:s>", format_base));
}

/// `$number` of a string: decimal, or 0x/0o/0b integer literals.
pub fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i > digits_start {
        if i < b.len() && b[i] == b'.' {
            let f = i + 1;
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == f {
                return None;
            }
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            let e = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == e {
                return None;
            }
        }
        if i == b.len() {
            return s.parse::<f64>().ok().filter(|n| n.is_finite());
        }
        if s.len() > 2 {
            let (radix, rest) = match &s[..2] {
                "0x" | "0X" => (16, &s[2..]),
                "0o" | "0O" => (8, &s[2..]),
                "0b" | "0B" => (2, &s[2..]),
                _ => return None,
            };
            if rest.chars().all(|c| c.is_digit(radix)) {
                return u128::from_str_radix(rest, radix).ok().map(|v| v as f64);
            }
        }
    }
    None
}

fn number<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match arg(&args, 0) {
        None => Ok(None),
        Some(V::Num(n)) => ok_num(*n),
        Some(V::Bool(b)) => ok_num(if *b { 1.0 } else { 0.0 }),
        Some(V::Str(s)) => match parse_number(s) {
            Some(n) => ok_num(n),
            None => Err(rt("D3030", format!("Unable to cast value to a number: {}", show(&V::str(&**s))))),
        },
        Some(other) => Err(rt("D3030", format!("Unable to cast value to a number: {}", show(other)))),
    }
}

fn unary<'a>(args: &[Option<V<'a>>], f: fn(f64) -> f64) -> R<'a> {
    match num_arg(args, 0) {
        Some(n) => ok_num(f(n)),
        None => Ok(None),
    }
}

fn abs<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    unary(&args, f64::abs)
}

fn floor<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    unary(&args, f64::floor)
}

fn ceil<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    unary(&args, f64::ceil)
}

/// Shifts the decimal point through the text form, as the reference does, to avoid
/// binary floating point errors.
fn shift(n: f64, by: f64) -> f64 {
    let s = js_number(n);
    let (m, e) = match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<f64>().unwrap_or(0.0)),
        None => (s, 0.0),
    };
    format!("{m}e{}", e + by).parse().unwrap_or(f64::NAN)
}

/// Math.round, then half-way cases to even (reference `$round`).
pub fn js_round(value: f64, precision: Option<f64>) -> f64 {
    let p = precision.unwrap_or(0.0).trunc();
    let mut arg = value;
    if p != 0.0 {
        arg = shift(arg, p);
    }
    // Math.round: nearest integer, ties towards +infinity
    let f = arg.floor();
    let mut result = if arg - f >= 0.5 { f + 1.0 } else { f };
    let diff = result - arg;
    if diff.abs() == 0.5 && (result % 2.0).abs() == 1.0 {
        result -= 1.0;
    }
    if p != 0.0 {
        result = shift(result, -p);
    }
    if result == 0.0 {
        result = 0.0;
    }
    result
}

fn round<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match num_arg(&args, 0) {
        Some(n) => ok_num(js_round(n, num_arg(&args, 1))),
        None => Ok(None),
    }
}

fn power<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let (Some(b), Some(e)) = (num_arg(&args, 0), num_arg(&args, 1)) else { return Ok(None) };
    let r = b.powf(e);
    if !r.is_finite() {
        return Err(rt(
            "D3061",
            format!(
                "The power function has resulted in a value that cannot be represented as a JSON number: base={}, exponent={}",
                js_number(b),
                js_number(e)
            ),
        ));
    }
    ok_num(r)
}

fn sqrt<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(n) = num_arg(&args, 0) else { return Ok(None) };
    if n < 0.0 {
        return Err(rt("D3060", format!("The sqrt function cannot be applied to a negative number: {}", js_number(n))));
    }
    ok_num(n.sqrt())
}

fn format_base<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(n) = num_arg(&args, 0) else { return Ok(None) };
    let n = js_round(n, None);
    let radix = num_arg(&args, 1).unwrap_or(10.0);
    if !(2.0..=36.0).contains(&radix) {
        return Err(rt(
            "D3100",
            format!(
                "The radix of the formatBase function must be between 2 and 36.  It was given {}",
                js_number(radix)
            ),
        ));
    }
    let radix = radix as u32;
    let neg = n < 0.0;
    let mut v = n.abs();
    if v > 1e300 {
        return ok_str(js_number(n));
    }
    let mut digits = Vec::new();
    if v == 0.0 {
        digits.push('0');
    }
    while v >= 1.0 {
        let d = (v % radix as f64) as u32;
        digits.push(std::char::from_digit(d, radix).unwrap_or('0'));
        v = (v / radix as f64).floor();
    }
    if neg {
        digits.push('-');
    }
    ok_str(digits.into_iter().rev().collect::<String>())
}

struct Pic {
    prefix: String,
    suffix: String,
    picture: String,
    int_grouping: Vec<usize>,
    regular_grouping: usize,
    min_int: usize,
    scaling: usize,
    frac_grouping: Vec<usize>,
    min_frac: usize,
    max_frac: usize,
    min_exp: usize,
}

/// XPath `format-number` as implemented by the reference (without the picture validation rules).
pub fn format_number_with(value: f64, picture: &str, opts: Option<&V<'_>>) -> Result<String, JsonataError> {
    let prop = |k: &str, d: &str| -> String {
        opts.and_then(|o| o.get(k)).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| d.to_string())
    };
    let decimal_sep = prop("decimal-separator", ".").chars().next().unwrap_or('.');
    let group_sep = prop("grouping-separator", ",").chars().next().unwrap_or(',');
    let exp_sep = prop("exponent-separator", "e").chars().next().unwrap_or('e');
    let minus = prop("minus-sign", "-");
    let percent = prop("percent", "%").chars().next().unwrap_or('%');
    let per_mille = prop("per-mille", "\u{2030}").chars().next().unwrap_or('\u{2030}');
    let zero = prop("zero-digit", "0").chars().next().unwrap_or('0');
    let digit = prop("digit", "#").chars().next().unwrap_or('#');
    let pattern_sep = prop("pattern-separator", ";").chars().next().unwrap_or(';');
    let is_dd = |c: char| (c as u32) >= zero as u32 && (c as u32) < zero as u32 + 10;
    let is_active =
        |c: char| is_dd(c) || c == decimal_sep || c == exp_sep || c == group_sep || c == digit || c == pattern_sep;

    let subs: Vec<&str> = picture.split(pattern_sep).collect();
    if subs.len() > 2 {
        return Err(rt("D3080", "The picture string must only contain a maximum of two sub-pictures"));
    }
    let chars = PictureChars { decimal_sep, group_sep, exp_sep, percent, per_mille, zero, digit, pattern_sep };
    for sub in &subs {
        validate_picture(sub, &chars)?;
    }
    let mut pics: Vec<Pic> = Vec::new();
    for sub in &subs {
        let chars: Vec<char> = sub.chars().collect();
        let first_active = chars.iter().position(|&c| is_active(c) && c != exp_sep).unwrap_or(chars.len());
        let last_active = chars.iter().rposition(|&c| is_active(c) && c != exp_sep);
        let prefix: String = chars[..first_active].iter().collect();
        let suffix: String = match last_active {
            Some(i) => chars[i + 1..].iter().collect(),
            None => String::new(),
        };
        let end = chars.len() - suffix.chars().count();
        let active: Vec<char> = if first_active <= end { chars[first_active..end].to_vec() } else { Vec::new() };
        let exp_pos = active.iter().position(|&c| c == exp_sep);
        let (mantissa, exponent): (Vec<char>, Option<Vec<char>>) = match exp_pos {
            Some(p) => (active[..p].to_vec(), Some(active[p + 1..].to_vec())),
            None => (active.clone(), None),
        };
        let (int_part, frac_part): (Vec<char>, Vec<char>) = match mantissa.iter().position(|&c| c == decimal_sep) {
            Some(p) => (mantissa[..p].to_vec(), mantissa[p + 1..].to_vec()),
            None => (mantissa.clone(), suffix.chars().collect()),
        };
        let grouping = |part: &[char], to_left: bool| -> Vec<usize> {
            let mut out = Vec::new();
            for (i, &c) in part.iter().enumerate() {
                if c == group_sep {
                    let side = if to_left { &part[..i] } else { &part[i..] };
                    out.push(side.iter().filter(|&&x| is_dd(x) || x == digit).count());
                }
            }
            out
        };
        let int_grouping = grouping(&int_part, false);
        let regular = if int_grouping.is_empty() {
            0
        } else {
            fn gcd(a: usize, b: usize) -> usize {
                if b == 0 {
                    a
                } else {
                    gcd(b, a % b)
                }
            }
            let factor = int_grouping.iter().copied().fold(0, gcd);
            if factor > 0 && (1..=int_grouping.len()).all(|i| int_grouping.contains(&(i * factor))) {
                factor
            } else {
                0
            }
        };
        let frac_grouping = grouping(&frac_part, true);
        let mut min_int = int_part.iter().filter(|&&c| is_dd(c)).count();
        let scaling = min_int;
        let mut min_frac = frac_part.iter().filter(|&&c| is_dd(c)).count();
        let mut max_frac = frac_part.iter().filter(|&&c| is_dd(c) || c == digit).count();
        let exp_present = exponent.is_some();
        if min_int == 0 && max_frac == 0 {
            if exp_present {
                min_frac = 1;
                max_frac = 1;
            } else {
                min_int = 1;
            }
        }
        if exp_present && min_int == 0 && int_part.contains(&digit) {
            min_int = 1;
        }
        if min_int == 0 && min_frac == 0 {
            min_frac = 1;
        }
        let min_exp = exponent.as_ref().map(|e| e.iter().filter(|&&c| is_dd(c)).count()).unwrap_or(0);
        pics.push(Pic {
            prefix,
            suffix,
            picture: sub.to_string(),
            int_grouping,
            regular_grouping: regular,
            min_int,
            scaling,
            frac_grouping,
            min_frac,
            max_frac,
            min_exp,
        });
    }
    let pic = if value >= 0.0 {
        &pics[0]
    } else if pics.len() > 1 {
        &pics[1]
    } else {
        &pics[0]
    };
    let neg_prefix = if value < 0.0 && pics.len() == 1 { minus.clone() } else { String::new() };
    let mut adjusted = value;
    if pic.picture.contains(percent) {
        adjusted *= 100.0;
    } else if pic.picture.contains(per_mille) {
        adjusted *= 1000.0;
    }
    let mut exponent: Option<i32> = None;
    let mut mantissa = adjusted;
    if pic.min_exp != 0 {
        let max_m = 10f64.powi(pic.scaling as i32);
        let min_m = 10f64.powi(pic.scaling as i32 - 1);
        let mut e = 0;
        if mantissa != 0.0 {
            while mantissa.abs() < min_m && e > -400 {
                mantissa *= 10.0;
                e -= 1;
            }
            while mantissa.abs() > max_m && e < 400 {
                mantissa /= 10.0;
                e += 1;
            }
        }
        exponent = Some(e);
    }
    let rounded = js_round(mantissa, Some(pic.max_frac as f64));
    let to_family = |s: String| -> String {
        if zero == '0' {
            return s;
        }
        s.chars()
            .map(|c| if c.is_ascii_digit() { char::from_u32(zero as u32 + (c as u32 - 48)).unwrap_or(c) } else { c })
            .collect()
    };
    let mut sv: Vec<char> = to_family(format!("{:.*}", pic.max_frac, rounded.abs())).chars().collect();
    match sv.iter().position(|&c| c == '.') {
        Some(p) => sv[p] = decimal_sep,
        None => sv.push(decimal_sep),
    }
    while sv.first() == Some(&zero) {
        sv.remove(0);
    }
    while sv.last() == Some(&zero) {
        sv.pop();
    }
    let dp = sv.iter().position(|&c| c == decimal_sep).unwrap_or(0);
    let pad_left = pic.min_int as i64 - dp as i64;
    let pad_right = pic.min_frac as i64 - (sv.len() as i64 - dp as i64 - 1);
    if pad_left > 0 {
        let mut v = vec![zero; pad_left as usize];
        v.extend(sv);
        sv = v;
    }
    if pad_right > 0 {
        sv.extend(std::iter::repeat_n(zero, pad_right as usize));
    }
    let mut dp = sv.iter().position(|&c| c == decimal_sep).unwrap_or(0);
    if let Some(count) = dp.saturating_sub(1).checked_div(pic.regular_grouping) {
        for g in 1..=count {
            sv.insert(dp - g * pic.regular_grouping, group_sep);
        }
    } else {
        for &pos in &pic.int_grouping {
            if pos <= dp {
                sv.insert(dp - pos, group_sep);
                dp += 1;
            }
        }
    }
    let dp = sv.iter().position(|&c| c == decimal_sep).unwrap_or(0);
    for &pos in &pic.frac_grouping {
        let at = (pos + dp + 1).min(sv.len());
        sv.insert(at, group_sep);
    }
    let dp = sv.iter().position(|&c| c == decimal_sep).unwrap_or(0);
    if pic.frac_grouping.is_empty() && dp + 1 == sv.len() {
        sv.pop();
    }
    let mut out: String = sv.into_iter().collect();
    if let Some(e) = exponent {
        let mut es = to_family(e.abs().to_string());
        let n = es.chars().count();
        if pic.min_exp > n {
            es = format!("{}{es}", zero.to_string().repeat(pic.min_exp - n));
        }
        out = format!("{out}{exp_sep}{}{es}", if e < 0 { minus.as_str() } else { "" });
    }
    Ok(format!("{neg_prefix}{}{out}{}", pic.prefix, pic.suffix))
}

fn format_number<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(n) = num_arg(&args, 0) else { return Ok(None) };
    let picture = str_arg(&args, 1).unwrap_or("");
    ok_str(format_number_with(n, picture, arg(&args, 2))?)
}
