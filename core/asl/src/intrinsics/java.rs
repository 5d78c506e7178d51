//! Text renderings that must match what AWS's Java implementation produces: numbers as
//! Jackson writes them (`Double.toString`: `1.0`, `1.0E10`, `1.0E-4`), JSON text as Jackson
//! writes it, and `toString` of the `Map`/`List` objects JSON is parsed into.

use serde_json::{Number, Value};

/// A number as Java prints it: integers as they are, floating-point values with
/// `Double.toString`.
pub(super) fn number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        double(n.as_f64().unwrap_or(0.0))
    }
}

/// Java's `Double.toString`: the shortest digits that identify the value, in plain notation
/// for 10^-3 <= |d| < 10^7 (always with a fraction, `100.0`) and in computerised scientific
/// notation otherwise (`1.0E7`, `1.5E-5`).
pub(super) fn double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: `1.2345e-5`. When one digit
    // would do, Java takes the closest two-digit decimal instead (`4.9E-324`, not `5.0E-324`).
    let (mut digits, exp) = sci_digits(&format!("{:e}", d.abs()));
    if digits.len() == 1 {
        digits = sci_digits(&format!("{:.1e}", d.abs())).0;
    }
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let mut out = String::with_capacity(digits.len() + 8);
    if d < 0.0 {
        out.push('-');
    }
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.push_str(&"0".repeat(int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push('E');
        out.push_str(&exp.to_string());
    }
    out
}

/// The significant digits and the decimal exponent of Rust's `{:e}` output.
fn sci_digits(sci: &str) -> (String, i32) {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    (mantissa.chars().filter(char::is_ascii_digit).collect(), exp.parse().unwrap_or(0))
}

/// Compact JSON text as Jackson writes it: key order kept, no spaces, control characters
/// escaped (`\n`, `\u001F` with upper-case hex), `/` and non-ASCII characters left alone.
pub(super) fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

/// JSON string quoting as AWS's Java side (Jackson) writes it: control characters as
/// upper-case `\u001F`. Deliberately not shared with the JSONata engine's `quote_json`,
/// which follows JavaScript's lower-case `JSON.stringify`.
fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Java's `toString` of the parsed value: strings without quotes, `[a, b]` for lists and
/// `{k=v, k2=v2}` for maps.
pub(super) fn write_plain(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_plain(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                write_plain(item, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doubles_print_like_java() {
        for (d, s) in [
            (1.1, "1.1"),
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (100.0, "100.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1.5e-5, "1.5E-5"),
            (1234567.0, "1234567.0"),
            (1e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (1e10, "1.0E10"),
            (-1e21, "-1.0E21"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123.456, "123.456"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (5e-324, "4.9E-324"),
        ] {
            assert_eq!(double(d), s, "{d:e}");
        }
    }

    #[test]
    fn numbers_keep_integers_exact() {
        assert_eq!(number(&json!(u64::MAX).as_number().unwrap().clone()), "18446744073709551615");
        assert_eq!(number(&json!(i64::MIN).as_number().unwrap().clone()), "-9223372036854775808");
        assert_eq!(number(&json!(1.0).as_number().unwrap().clone()), "1.0");
    }

    #[test]
    fn json_text_is_compact_and_escaped_like_jackson() {
        let mut s = String::new();
        write_json(&json!({"b": [1, 2.5, null, true], "a": "q\"\\/\n\u{1}é", "c": {}}), &mut s);
        assert_eq!(s, r#"{"b":[1,2.5,null,true],"a":"q\"\\/\n\u0001é","c":{}}"#);
    }
}
