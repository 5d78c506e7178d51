//! `States.Format`: a template whose `{}` placeholders take the remaining arguments.
//!
//! Values are rendered the way Java's `toString` renders the objects AWS parses JSON into
//! (recorded on AWS: `{"Arg1": 1, "Arg2": []}` becomes `{Arg1=1, Arg2=[]}`).

use super::call::{runtime, Function, IntrinsicError};
use super::java;
use serde_json::Value;

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Piece {
    Text(String),
    Hole,
}

/// Splits a template into text and `{}` placeholders. A backslash before `'`, `{`, `}` or
/// `\` makes that character plain text (so `\{\}` is not a placeholder); any other
/// backslash is kept as it is.
pub(super) fn template(raw: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&e @ ('\'' | '{' | '}' | '\\')) => {
                    text.push(e);
                    chars.next();
                }
                _ => text.push('\\'),
            },
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Hole);
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

pub(super) fn holes(pieces: &[Piece]) -> usize {
    pieces.iter().filter(|p| **p == Piece::Hole).count()
}

pub(super) fn count_mismatch(holes: usize, values: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let was = if values == 1 { "was" } else { "were" };
    format!("the format string has {holes} placeholder{} but {values} value{} {was} given", s(holes), s(values))
}

/// Fills the placeholders of a parsed template with `values`.
pub(super) fn format(pieces: &[Piece], values: &[Value]) -> Result<Value, IntrinsicError> {
    let n = holes(pieces);
    if n != values.len() {
        return Err(runtime(Function::Format, count_mismatch(n, values.len())));
    }
    let mut out = String::new();
    let mut values = values.iter();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Hole => {
                if let Some(v) = values.next() {
                    java::write_plain(v, &mut out);
                }
            }
        }
    }
    Ok(Value::String(out))
}

/// `States.Format($.template, ...)`: the template is only known at run time.
pub(super) fn format_dynamic(mut values: Vec<Value>) -> Result<Value, IntrinsicError> {
    if values.is_empty() {
        return Err(runtime(Function::Format, "a format string is required"));
    }
    let rest = values.split_off(1);
    match values.pop() {
        Some(Value::String(t)) => format(&template(&t), &rest),
        _ => Err(runtime(Function::Format, "argument 1 must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fmt(t: &str, values: &[Value]) -> Result<Value, IntrinsicError> {
        format(&template(t), values)
    }

    #[test]
    fn placeholders_and_escapes() {
        assert_eq!(template("a{}b"), vec![Piece::Text("a".into()), Piece::Hole, Piece::Text("b".into())]);
        assert_eq!(template("\\{\\}"), vec![Piece::Text("{}".into())]);
        assert_eq!(template("\\\\{}"), vec![Piece::Text("\\".into()), Piece::Hole]);
        assert_eq!(template("{ } {"), vec![Piece::Text("{ } {".into())]);
        assert_eq!(template("C:\\dir"), vec![Piece::Text("C:\\dir".into())]);
        assert_eq!(template("{}{}"), vec![Piece::Hole, Piece::Hole]);
    }

    #[test]
    fn renders_values_like_java_to_string() {
        let v = fmt(
            "{}|{}|{}|{}|{}|{}",
            &[json!("s"), json!(null), json!(true), json!(1), json!(1.1), json!([1, "a", [null], {"k": 2.0}])],
        )
        .unwrap();
        assert_eq!(v, json!("s|null|true|1|1.1|[1, a, [null], {k=2.0}]"));
        assert_eq!(fmt("{}", &[json!({"Arg1": 1, "Arg2": []})]).unwrap(), json!("{Arg1=1, Arg2=[]}"));
        assert_eq!(fmt("{}", &[json!(1e10)]).unwrap(), json!("1.0E10"));
        assert_eq!(fmt("{}", &[json!({})]).unwrap(), json!("{}"));
    }

    #[test]
    fn the_count_must_match() {
        assert_eq!(
            fmt("{}", &[]).unwrap_err().to_string(),
            "Invalid arguments in States.Format: the format string has 1 placeholder but 0 values were given"
        );
        assert_eq!(
            fmt("x", &[json!(1), json!(2)]).unwrap_err().to_string(),
            "Invalid arguments in States.Format: the format string has 0 placeholders but 2 values were given"
        );
    }

    #[test]
    fn dynamic_templates() {
        assert_eq!(format_dynamic(vec![json!("It's {}!"), json!("Pikachu")]).unwrap(), json!("It's Pikachu!"));
        assert!(format_dynamic(vec![json!(1)]).is_err());
    }
}
