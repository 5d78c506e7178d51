//! Tokeniser for JSONata source text, following the reference lexer (`jsonata.js` `tokenizer`).
//!
//! The whole source is tokenised up front; a `/` starts a regex literal only where an operand is
//! expected (after an operator or an opening bracket), as in the reference.

use crate::error::JsonataError;
use crate::jstext::json_quote;

/// One lexical token with the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: Tok,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An operator or punctuation symbol (`.`, `:=`, `and`, ...).
    Op(&'static str),
    Str(String),
    Num(f64),
    /// A field name (plain or backquoted).
    Name(String),
    /// `$name` (the text after the `$`).
    Var(String),
    Bool(bool),
    Null,
    Regex {
        pattern: String,
        flags: String,
    },
    End,
}

const DOUBLE_OPS: [&str; 7] = ["..", ":=", "!=", ">=", "<=", "**", "~>"];
const SINGLE_OPS: &str = ".[]{}(),@#;:?+-*/%|=<>^&!~";

fn single_op(c: char) -> Option<&'static str> {
    Some(match c {
        '.' => ".",
        '[' => "[",
        ']' => "]",
        '{' => "{",
        '}' => "}",
        '(' => "(",
        ')' => ")",
        ',' => ",",
        '@' => "@",
        '#' => "#",
        ';' => ";",
        ':' => ":",
        '?' => "?",
        '+' => "+",
        '-' => "-",
        '*' => "*",
        '/' => "/",
        '%' => "%",
        '|' => "|",
        '=' => "=",
        '<' => "<",
        '>' => ">",
        '^' => "^",
        '&' => "&",
        '!' => "!",
        '~' => "~",
        _ => return None,
    })
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}')
}

fn syntax(code: &'static str, pos: usize, message: String) -> JsonataError {
    JsonataError::Syntax { code: code.to_string(), position: pos, message }
}

/// True when a `/` after this token is a division rather than the start of a regex.
fn ends_operand(t: &Tok) -> bool {
    match t {
        Tok::Op(op) => matches!(*op, ")" | "]" | "}"),
        _ => true,
    }
}

/// Whether a `/` after these tokens starts a regex. The reference lexes the token after the
/// first token of an expression as an infix one (`(/a/)` and `[/a/]` divide), and the
/// token after an operator as a prefix one (`$f(/a/)`, `x := /a/` hold a regex).
fn starts_regex(out: &[Token]) -> bool {
    let Some((prev, before)) = out.split_last() else { return true };
    let prev_starts_expression = before.last().is_none_or(|t| !ends_operand(&t.kind));
    !ends_operand(&prev.kind) && !prev_starts_expression
}

/// Splits the source into tokens (ending with [`Tok::End`]).
pub fn tokenize(src: &str) -> Result<Vec<Token>, JsonataError> {
    let b = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        if is_ws(c) {
            i += c.len_utf8();
            continue;
        }
        if c == '/' && b.get(i + 1) == Some(&b'*') {
            match src[i + 2..].find("*/") {
                Some(end) => {
                    i = i + 2 + end + 2;
                    continue;
                }
                None => {
                    return Err(syntax("S0106", i, "Comment has no closing tag".into()));
                }
            }
        }
        let start = i;
        if c == '/' && starts_regex(&out) {
            let (pattern, flags, next) = scan_regex(src, i + 1)?;
            out.push(Token { kind: Tok::Regex { pattern, flags }, pos: start });
            i = next;
            continue;
        }
        if let Some(op) = DOUBLE_OPS.iter().find(|op| src[i..].starts_with(**op)) {
            out.push(Token { kind: Tok::Op(op), pos: start });
            i += 2;
            continue;
        }
        if let Some(op) = single_op(c) {
            out.push(Token { kind: Tok::Op(op), pos: start });
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' {
            let (s, next) = scan_string(src, i + 1, c)?;
            out.push(Token { kind: Tok::Str(s), pos: start });
            i = next;
            continue;
        }
        if c.is_ascii_digit() {
            let end = scan_number(b, i);
            let text = &src[i..end];
            let n: f64 = text.parse().unwrap_or(f64::INFINITY);
            if !n.is_finite() {
                return Err(syntax("S0102", start, format!("Number out of range: {}", json_quote(text))));
            }
            out.push(Token { kind: Tok::Num(n), pos: start });
            i = end;
            continue;
        }
        if c == '`' {
            match src[i + 1..].find('`') {
                Some(end) => {
                    out.push(Token { kind: Tok::Name(src[i + 1..i + 1 + end].to_string()), pos: start });
                    i = i + 1 + end + 1;
                    continue;
                }
                None => {
                    return Err(syntax(
                        "S0105",
                        start,
                        "Quoted property name must be terminated with a backquote (`)".into(),
                    ));
                }
            }
        }
        // names and variables run up to whitespace or an operator character
        let mut j = i;
        for (k, ch) in src[i..].char_indices() {
            if is_ws(ch) || SINGLE_OPS.contains(ch) {
                break;
            }
            j = i + k + ch.len_utf8();
        }
        let word = &src[i..j];
        i = j;
        let kind = if let Some(v) = word.strip_prefix('$') {
            Tok::Var(v.to_string())
        } else {
            match word {
                "and" => Tok::Op("and"),
                "or" => Tok::Op("or"),
                "in" => Tok::Op("in"),
                "true" => Tok::Bool(true),
                "false" => Tok::Bool(false),
                "null" => Tok::Null,
                _ => Tok::Name(word.to_string()),
            }
        };
        out.push(Token { kind, pos: start });
    }
    out.push(Token { kind: Tok::End, pos: src.len() });
    Ok(out)
}

/// Number grammar of the reference: `(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?`.
fn scan_number(b: &[u8], start: usize) -> usize {
    let mut i = start;
    if b[i] == b'0' {
        i += 1;
    } else {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    i
}

fn scan_string(src: &str, from: usize, quote: char) -> Result<(String, usize), JsonataError> {
    let mut out = String::new();
    let mut chars = src[from..].char_indices().peekable();
    while let Some((k, ch)) = chars.next() {
        if ch == quote {
            return Ok((out, from + k + 1));
        }
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let Some((k2, esc)) = chars.next() else { break };
        match esc {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let at = from + k2 + 1;
                let unit = hex4(src, at).ok_or_else(|| {
                    syntax("S0104", from + k, "The escape sequence \\u must be followed by 4 hex digits".into())
                })?;
                for _ in 0..4 {
                    chars.next();
                }
                if (0xD800..0xDC00).contains(&unit) && src[at + 4..].starts_with("\\u") {
                    if let Some(lo) = hex4(src, at + 6).filter(|lo| (0xDC00..0xE000).contains(lo)) {
                        for _ in 0..6 {
                            chars.next();
                        }
                        let cp = 0x10000 + ((unit - 0xD800) << 10) + (lo - 0xDC00);
                        out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        continue;
                    }
                }
                out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
            }
            other => {
                let token = json_quote(&other.to_string());
                return Err(syntax("S0103", from + k, format!("Unsupported escape sequence: \\{token}")));
            }
        }
    }
    Err(syntax("S0101", from.saturating_sub(1), "String literal must be terminated by a matching quote".into()))
}

fn hex4(src: &str, at: usize) -> Option<u32> {
    let h = src.get(at..at + 4)?;
    if h.chars().all(|c| c.is_ascii_hexdigit()) {
        u32::from_str_radix(h, 16).ok()
    } else {
        None
    }
}

/// Scans a regex body after the opening `/`; brackets nest so a `/` inside `[...]` does not end it.
fn scan_regex(src: &str, from: usize) -> Result<(String, String, usize), JsonataError> {
    let b = src.as_bytes();
    let mut depth: i32 = 0;
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && depth == 0 {
            let mut bs = 0;
            while i > bs && b[i - bs - 1] == b'\\' {
                bs += 1;
            }
            if bs % 2 == 0 {
                let pattern = &src[from..i];
                if pattern.is_empty() {
                    return Err(syntax("S0301", from, "Empty regular expressions are not allowed".into()));
                }
                let mut j = i + 1;
                while j < b.len() && (b[j] == b'i' || b[j] == b'm') {
                    j += 1;
                }
                return Ok((pattern.to_string(), src[i + 1..j].to_string(), j));
            }
        }
        let escaped = i > 0 && b[i - 1] == b'\\';
        if matches!(c, b'(' | b'[' | b'{') && !escaped {
            depth += 1;
        }
        if matches!(c, b')' | b']' | b'}') && !escaped {
            depth -= 1;
        }
        i += 1;
    }
    Err(syntax("S0302", from, "No terminating / in regular expression".into()))
}
