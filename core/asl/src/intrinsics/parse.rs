//! The call parser: `States.Name(arg, ...)` where an argument is a quoted string, a number,
//! `true`/`false`/`null`, a JSONPath (`$.a`, `$$.Execution.Id`, `$var.x`) or a nested call.
//! Everything that can be checked without the input is checked here.

use super::call::{Arg, Function, Intrinsic, IntrinsicError, Text, MAX_NESTING};
use super::format;
use serde_json::Value;

/// Parses an intrinsic call; surrounding whitespace is allowed, anything else after the
/// closing parenthesis is not.
pub fn parse(src: &str) -> Result<Intrinsic, IntrinsicError> {
    let mut p = Parser { src, pos: 0 };
    p.skip_ws();
    let call = p.call(1)?;
    p.skip_ws();
    if p.pos < src.len() {
        return Err(p.err("unexpected text after the closing parenthesis"));
    }
    Ok(call)
}

/// The hash algorithms `States.Hash` accepts, as AWS spells them.
pub(super) const HASH_ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// The JSONPath parser recurses on brackets, parentheses and `!`; more of them than this in
/// one argument is not a real path, and refusing it keeps the stack bounded.
const MAX_PATH_NESTING: usize = 64;

struct Parser<'a> {
    src: &'a str,
    /// Byte offset, always on a character boundary.
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn err(&self, reason: impl Into<String>) -> IntrinsicError {
        self.err_at(self.pos, reason)
    }

    fn err_at(&self, byte_pos: usize, reason: impl Into<String>) -> IntrinsicError {
        IntrinsicError::Syntax {
            text: self.src.to_string(),
            position: self.src.get(..byte_pos).map_or(0, |s| s.chars().count()),
            reason: reason.into(),
        }
    }

    /// `States.Name(args)`; `depth` is 1 for the outermost call.
    fn call(&mut self, depth: usize) -> Result<Intrinsic, IntrinsicError> {
        let start = self.pos;
        if !self.rest().starts_with("States.") {
            return Err(self.err("expected an intrinsic function call starting with 'States.'"));
        }
        if depth > MAX_NESTING {
            return Err(self.err(format!("intrinsic functions can be nested at most {MAX_NESTING} deep")));
        }
        self.pos += "States.".len();
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.bump();
        }
        let name = &self.src[start..self.pos];
        if name.len() == "States.".len() {
            return Err(self.err("expected a function name after 'States.'"));
        }
        let function =
            Function::from_name(name).ok_or_else(|| IntrinsicError::UnknownFunction { name: name.to_string() })?;
        if self.peek() != Some('(') {
            return Err(self.err(format!("expected '(' after {name}")));
        }
        self.bump();
        self.skip_ws();
        let mut args = Vec::new();
        if self.peek() == Some(')') {
            self.bump();
        } else {
            loop {
                args.push(self.arg(depth)?);
                self.skip_ws();
                match self.bump() {
                    Some(',') => self.skip_ws(),
                    Some(')') => break,
                    Some(c) => {
                        return Err(self.err_at(self.pos - c.len_utf8(), format!("expected ',' or ')' but found '{c}'")))
                    }
                    None => return Err(self.err(format!("missing ')' closing {name}"))),
                }
            }
        }
        let call = Intrinsic { function, args, text: self.src[start..self.pos].to_string() };
        check(&call)?;
        Ok(call)
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, IntrinsicError> {
        match self.peek() {
            None => Err(self.err("missing argument")),
            Some('\'') => self.text().map(Arg::Text),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(_) if self.rest().starts_with("States.") => Ok(Arg::Call(Box::new(self.call(depth + 1)?))),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    self.bump();
                }
                match &self.src[start..self.pos] {
                    "true" => Ok(Arg::Literal(Value::Bool(true))),
                    "false" => Ok(Arg::Literal(Value::Bool(false))),
                    "null" => Ok(Arg::Literal(Value::Null)),
                    word => Err(self.err_at(start, format!("unexpected '{word}': an argument must be a string in single quotes, a number, true, false, null, a path or an intrinsic function"))),
                }
            }
            Some(c) => Err(self.err(format!("unexpected character '{c}'"))),
        }
    }

    /// A single-quoted string; `\'`, `\{`, `\}` and `\\` are the escapes.
    fn text(&mut self) -> Result<Text, IntrinsicError> {
        let open = self.pos;
        self.bump();
        let raw_start = self.pos;
        let mut value = String::new();
        let mut bad_escape = None;
        loop {
            match self.bump() {
                None => return Err(self.err_at(open, "unterminated string literal")),
                Some('\'') => break,
                Some('\\') => match self.bump() {
                    None => return Err(self.err_at(open, "unterminated string literal")),
                    Some(c @ ('\'' | '{' | '}' | '\\')) => value.push(c),
                    Some(c) => {
                        bad_escape.get_or_insert(c);
                        value.push('\\');
                        value.push(c);
                    }
                },
                Some(c) => value.push(c),
            }
        }
        let raw = self.src[raw_start..self.pos - 1].to_string();
        Ok(Text { value, raw, bad_escape })
    }

    /// A JSON number: `1`, `-2`, `1.5`, `1e3`.
    fn number(&mut self) -> Result<Arg, IntrinsicError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')) {
            self.bump();
        }
        let text = &self.src[start..self.pos];
        match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Number(_)) => Ok(Arg::Literal(v)),
            _ => Err(self.err_at(start, format!("invalid number '{text}'"))),
        }
    }

    /// A path runs to the next `,`, `)` or whitespace outside brackets; inside brackets
    /// quotes, commas and filter parentheses belong to the path.
    fn path(&mut self) -> Result<Arg, IntrinsicError> {
        let start = self.pos;
        let mut brackets = 0usize;
        let mut quote: Option<char> = None;
        let mut nesting = 0usize;
        while let Some(c) = self.peek() {
            if let Some(q) = quote {
                self.bump();
                if c == '\\' {
                    self.bump();
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '\'' | '"' if brackets > 0 => quote = Some(c),
                '[' => brackets += 1,
                ']' => brackets = brackets.saturating_sub(1),
                ',' | ')' if brackets == 0 => break,
                c if c.is_whitespace() && brackets == 0 => break,
                _ => {}
            }
            if matches!(c, '[' | '(' | '!') {
                nesting += 1;
                if nesting > MAX_PATH_NESTING {
                    return Err(self.err_at(start, "the path is too deeply nested"));
                }
            }
            self.bump();
        }
        let text = &self.src[start..self.pos];
        crate::path::parse(text).map(Arg::Path).map_err(|e| self.err_at(start, format!("invalid path '{text}': {e}")))
    }
}

/// The load-time checks of one call: arity, then every literal argument.
fn check(call: &Intrinsic) -> Result<(), IntrinsicError> {
    let f = call.function;
    let (min, max) = f.arity();
    let n = call.args.len();
    if n < min || max.is_some_and(|m| n > m) {
        let expected = match (min, max) {
            (0, Some(0)) => "no arguments",
            (1, Some(1)) => "exactly 1 argument",
            (2, Some(2)) => "exactly 2 arguments",
            (3, Some(3)) => "exactly 3 arguments",
            (2, Some(3)) => "2 or 3 arguments",
            (1, None) => "at least 1 argument",
            _ => "a different number of arguments",
        };
        return Err(IntrinsicError::Arity { function: f.name(), expected, found: n });
    }
    let bad = |message: String| IntrinsicError::Argument { function: f.name(), message };
    for (i, arg) in call.args.iter().enumerate() {
        let kind = f.expects(i);
        let literal = match arg {
            Arg::Literal(v) => v.clone(),
            Arg::Text(t) => Value::String(t.value.clone()),
            Arg::Path(_) | Arg::Call(_) => continue,
        };
        if !kind.accepts(&literal) {
            return Err(bad(format!(
                "argument {} must be {}, but was {}",
                i + 1,
                kind.describe(),
                super::call::describe_value(&literal)
            )));
        }
        let ok = match (f, i) {
            (Function::Hash, 1) => literal.as_str().is_some_and(|a| HASH_ALGORITHMS.contains(&a)),
            (Function::JsonMerge, 2) => literal == Value::Bool(false),
            (Function::ArrayPartition, 1) => super::call::as_integer(&literal).is_some_and(|k| k > 0),
            (Function::ArrayGetItem, 1) => super::call::as_integer(&literal).is_some_and(|k| k >= 0),
            (Function::ArrayRange, 2) => super::call::as_integer(&literal).is_some_and(|k| k != 0),
            _ => true,
        };
        if !ok {
            return Err(bad(match (f, i) {
                (Function::Hash, _) => {
                    format!("the hash algorithm must be one of {}, but was {}", HASH_ALGORITHMS.join(", "), literal)
                }
                (Function::JsonMerge, _) => {
                    "only a shallow merge is supported: the third argument must be false".into()
                }
                (Function::ArrayPartition, _) => {
                    format!("the chunk size must be greater than 0, but was {literal}")
                }
                (Function::ArrayGetItem, _) => {
                    format!("the index must not be negative, but was {literal}")
                }
                _ => "the step must not be 0".into(),
            }));
        }
    }
    if let (Function::Format, Some(Arg::Text(t))) = (f, call.args.first()) {
        let holes = format::holes(&format::template(&t.raw));
        if holes != n - 1 {
            return Err(bad(format::count_mismatch(holes, n - 1)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(src: &str) -> String {
        match parse(src) {
            Err(e @ IntrinsicError::Syntax { .. }) => e.to_string(),
            other => panic!("{src}: expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn parses_every_argument_form() {
        let c = parse(
            "  States.Array('a\\'b', -1.5, 2e3, true, false, null, $.a[0], $$.Execution.Id, $, $v.x, States.UUID())  ",
        )
        .unwrap();
        assert_eq!(c.function(), Function::Array);
        assert_eq!(c.args.len(), 11);
        assert!(matches!(&c.args[0], Arg::Text(t) if t.value == "a'b" && t.raw == "a\\'b"));
        assert!(matches!(&c.args[1], Arg::Literal(v) if v.as_f64() == Some(-1.5)));
        assert!(matches!(&c.args[2], Arg::Literal(v) if v.as_f64() == Some(2000.0)));
        assert!(matches!(&c.args[9], Arg::Path(p) if p.root == crate::path::Root::Variable("v".into())));
        assert!(matches!(&c.args[10], Arg::Call(_)));
        assert!(c.uses_context());
        assert_eq!(
            c.source(),
            "States.Array('a\\'b', -1.5, 2e3, true, false, null, $.a[0], $$.Execution.Id, $, $v.x, States.UUID())"
        );
    }

    #[test]
    fn paths_keep_brackets_quotes_and_filters() {
        let c = parse("States.Array($['a,b'], $.x[0,1], $.u[?(@.s == 'x)' && @.n)], $['q)'])").unwrap();
        let sources: Vec<String> = c
            .args
            .iter()
            .map(|a| match a {
                Arg::Path(p) => p.source().to_string(),
                _ => panic!("not a path"),
            })
            .collect();
        assert_eq!(sources, ["$['a,b']", "$.x[0,1]", "$.u[?(@.s == 'x)' && @.n)]", "$['q)']"]);
    }

    #[test]
    fn nested_calls() {
        let src = "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))";
        let c = parse(src).unwrap();
        assert_eq!(c.function(), Function::ArrayGetItem);
        assert!(matches!(&c.args[1], Arg::Call(m) if m.function() == Function::MathAdd));
    }

    #[test]
    fn rejects_malformed_calls() {
        for bad in [
            "",
            "States.",
            "States.Array",
            "States.Array(",
            "States.Array(1",
            "States.Array(1,)",
            "States.Array(,1)",
            "States.Array(1 2)",
            "States.Array('x)",
            "States.Array(x)",
            "States.Array(01)",
            "States.Array(1.2.3)",
            "States.Array(-)",
            "States.Array($.)",
            "States.Array($.a b)",
            "States.Array() x",
            "States.Array (1)",
            "States.Array(@)",
            "States.Array(\"x\")",
        ] {
            syntax(bad);
        }
    }

    #[test]
    fn syntax_errors_name_the_position() {
        assert_eq!(
            syntax("States.Array(1 2)"),
            "Invalid intrinsic function call 'States.Array(1 2)': expected ',' or ')' but found '2' (at character 15)"
        );
    }

    #[test]
    fn unknown_functions_are_rejected() {
        for (src, name) in [
            ("States.Nope()", "States.Nope"),
            ("States.format('x')", "States.format"),
            ("States.Array(States.Foo(1))", "States.Foo"),
        ] {
            assert_eq!(parse(src).unwrap_err(), IntrinsicError::UnknownFunction { name: name.into() });
        }
        assert_eq!(
            parse("States.Nope()").unwrap_err().to_string(),
            "The intrinsic function 'States.Nope' is not supported"
        );
    }

    #[test]
    fn arity_is_checked() {
        let e = parse("States.ArrayLength()").unwrap_err();
        assert_eq!(
            e,
            IntrinsicError::Arity { function: "States.ArrayLength", expected: "exactly 1 argument", found: 0 }
        );
        assert_eq!(
            e.to_string(),
            "The intrinsic function States.ArrayLength expects exactly 1 argument, but 0 were given"
        );
        assert!(parse("States.UUID(1)").is_err());
        assert!(parse("States.Format()").is_err());
        assert!(parse("States.MathRandom(1)").is_err());
        assert!(parse("States.MathRandom(1, 2, 3, 4)").is_err());
        assert!(parse("States.MathRandom(1, 2, 3)").is_ok());
        assert!(parse("States.Array()").is_ok());
    }

    #[test]
    fn literal_types_are_checked_at_load_time() {
        for (src, msg) in [
            ("States.ArrayLength('abc')", "Invalid arguments in States.ArrayLength: argument 1 must be an array, but was the string \"abc\""),
            ("States.MathAdd('1', 2)", "Invalid arguments in States.MathAdd: argument 1 must be a number, but was the string \"1\""),
            ("States.Hash('x', 'MD4')", "Invalid arguments in States.Hash: the hash algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, but was \"MD4\""),
            ("States.JsonMerge($.a, $.b, true)", "Invalid arguments in States.JsonMerge: only a shallow merge is supported: the third argument must be false"),
            ("States.ArrayPartition($.a, 0)", "Invalid arguments in States.ArrayPartition: the chunk size must be greater than 0, but was 0"),
            ("States.ArrayGetItem($.a, 1.5)", "Invalid arguments in States.ArrayGetItem: argument 2 must be an integer, but was the number 1.5"),
            ("States.ArrayRange(1, 5, 0)", "Invalid arguments in States.ArrayRange: the step must not be 0"),
            ("States.Format('{} {}', 1)", "Invalid arguments in States.Format: the format string has 2 placeholders but 1 value was given"),
            ("States.Format(1)", "Invalid arguments in States.Format: argument 1 must be a string, but was the number 1"),
            ("States.StringToJson(null)", "Invalid arguments in States.StringToJson: argument 1 must be a string, but was null"),
        ] {
            let e = parse(src).unwrap_err();
            assert!(matches!(e, IntrinsicError::Argument { .. }), "{src}: {e:?}");
            assert_eq!(e.to_string(), msg);
        }
        assert!(parse("States.Format('\\{\\} {}', 1)").is_ok());
        assert!(parse("States.Hash('x', $.alg)").is_ok());
    }

    #[test]
    fn nesting_is_limited() {
        let nested = |n: usize| "States.Array(".repeat(n) + &")".repeat(n);
        assert!(parse(&nested(MAX_NESTING)).is_ok());
        assert!(parse(&nested(MAX_NESTING + 1)).is_err());
        assert!(parse(&nested(100_000)).is_err());
        let deep_path = format!("States.Array($.a[?({}@.x{})])", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep_path).is_err());
    }

    #[test]
    fn an_open_escape_loads_but_fails_when_run() {
        let c = parse("States.Format('a\\nb')").unwrap();
        assert!(matches!(&c.args[0], Arg::Text(t) if t.bad_escape == Some('n')));
    }

    #[test]
    fn raw_newlines_inside_literals_are_kept() {
        let c = parse("States.StringSplit('Hello\nWorld', '\n')").unwrap();
        assert!(matches!(&c.args[0], Arg::Text(t) if t.value == "Hello\nWorld"));
    }

    #[test]
    fn unicode_whitespace_around_and_inside_paths() {
        assert!(parse("States.Array(\u{3000}$.a\u{3000})").is_ok());
        let _ = parse("States.Array($[\u{3000}0])");
    }
}
