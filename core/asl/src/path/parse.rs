//! The JSONPath parser: text in, [`JsonPath`] out, with an error naming the offending
//! position.

use super::ast::{CmpOp, Filter, JsonPath, Operand, PathError, Root, Segment};
use serde_json::Value;

/// Parses a JSONPath starting with `$`, `$$` or `$name`.
pub fn parse(src: &str) -> Result<JsonPath, PathError> {
    let mut p = Parser { src, pos: 0, depth: 0 };
    let path = p.path(false)?;
    p.skip_ws();
    if p.pos != src.len() {
        return Err(p.err(format!("unexpected '{}'", &src[p.pos..])));
    }
    Ok(path)
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    /// Nesting of filters and parentheses, bounded so hostile input cannot overflow the stack.
    depth: usize,
}

const MAX_DEPTH: usize = 64;

fn is_name_char(c: char) -> bool {
    !matches!(
        c,
        '.' | '['
            | ']'
            | '('
            | ')'
            | ' '
            | '='
            | '!'
            | '<'
            | '>'
            | '&'
            | '|'
            | ','
            | '\''
            | '"'
            | '?'
            | '@'
            | '$'
            | '*'
    )
}

impl<'a> Parser<'a> {
    fn err(&self, reason: String) -> PathError {
        PathError::Syntax { path: self.src.to_string(), reason: format!("{reason} at position {}", self.pos) }
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.src[self.pos..].starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
    }

    fn name(&mut self) -> String {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !is_name_char(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.src[start..self.pos].to_string()
    }

    /// `in_filter`: `@` is accepted as the root and the path ends at an operator.
    fn path(&mut self, in_filter: bool) -> Result<JsonPath, PathError> {
        let start = self.pos;
        let root = if in_filter && self.eat("@") {
            Root::Input
        } else if self.eat("$$") {
            Root::Context
        } else if self.eat("$") {
            match self.peek() {
                Some(c) if c != '.' && c != '[' && is_name_char(c) => Root::Variable(self.name()),
                _ => Root::Input,
            }
        } else {
            return Err(self.err("a path must start with '$'".into()));
        };
        let mut segments = Vec::new();
        loop {
            if self.eat("..") {
                if self.eat("*") {
                    segments.push(Segment::Descendant(None));
                } else if self.peek() == Some('[') {
                    segments.push(Segment::Descendant(None));
                    // `..[...]`: the bracket applies to every descendant.
                } else {
                    let n = self.name();
                    if n.is_empty() {
                        return Err(self.err("expected a name after '..'".into()));
                    }
                    segments.push(Segment::Descendant(Some(n)));
                }
            } else if self.eat(".") {
                if self.eat("*") {
                    segments.push(Segment::Wildcard);
                } else {
                    let n = self.name();
                    if n.is_empty() {
                        return Err(self.err("expected a property name after '.'".into()));
                    }
                    segments.push(Segment::Child(n));
                }
            } else if self.peek() == Some('[') {
                self.pos += 1;
                segments.push(self.bracket()?);
            } else {
                break;
            }
        }
        let source = self.src[start..self.pos].to_string();
        Ok(JsonPath { root, segments, source })
    }

    /// A quoted name. As in Jayway, a backslash escapes only the quote character itself
    /// (and a backslash); anything else after it is kept literally.
    fn quoted(&mut self) -> Result<String, PathError> {
        let q = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(self.err("expected a quoted name".into())),
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string".into())),
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c) if c == q || c == '\\' => {
                            out.push(c);
                            self.pos += c.len_utf8();
                        }
                        Some(_) => out.push('\\'),
                        None => return Err(self.err("unterminated escape".into())),
                    }
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn int(&mut self) -> Option<i64> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let r = self.src[start..self.pos].parse().ok();
        if r.is_none() {
            self.pos = start;
        }
        self.skip_ws();
        r
    }

    fn bracket(&mut self) -> Result<Segment, PathError> {
        self.skip_ws();
        let seg = if self.eat("*") {
            Segment::Wildcard
        } else if self.eat("?(") {
            let f = self.filter_or()?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.err("expected ')' closing the filter".into()));
            }
            Segment::Filter(Box::new(f))
        } else if matches!(self.peek(), Some('\'' | '"')) {
            let mut names = vec![self.quoted()?];
            self.skip_ws();
            while self.eat(",") {
                self.skip_ws();
                names.push(self.quoted()?);
                self.skip_ws();
            }
            if names.len() == 1 {
                Segment::Child(names.pop().unwrap_or_default())
            } else {
                Segment::Names(names)
            }
        } else {
            let first = self.int();
            if self.eat(":") {
                let end = self.int();
                let step = if self.eat(":") { self.int() } else { None };
                Segment::Slice(first, end, step)
            } else if let Some(first) = first {
                let mut idx = vec![first];
                while self.eat(",") {
                    idx.push(self.int().ok_or_else(|| self.err("expected an index".into()))?);
                }
                if idx.len() == 1 {
                    Segment::Index(first)
                } else {
                    Segment::Indexes(idx)
                }
            } else {
                return Err(self.err("expected an index, a quoted name, '*', a slice or a filter".into()));
            }
        };
        self.skip_ws();
        if !self.eat("]") {
            return Err(self.err("expected ']'".into()));
        }
        Ok(seg)
    }

    fn filter_or(&mut self) -> Result<Filter, PathError> {
        let mut left = self.filter_and()?;
        loop {
            self.skip_ws();
            if self.eat("||") {
                let right = self.filter_and()?;
                left = Filter::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_and(&mut self) -> Result<Filter, PathError> {
        let mut left = self.filter_atom()?;
        loop {
            self.skip_ws();
            if self.eat("&&") {
                let right = self.filter_atom()?;
                left = Filter::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_atom(&mut self) -> Result<Filter, PathError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("filters nested deeper than {MAX_DEPTH}")));
        }
        let r = self.filter_atom_inner();
        self.depth -= 1;
        r
    }

    fn filter_atom_inner(&mut self) -> Result<Filter, PathError> {
        self.skip_ws();
        if self.eat("!") {
            return Ok(Filter::Not(Box::new(self.filter_atom()?)));
        }
        if self.eat("(") {
            let f = self.filter_or()?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.err("expected ')'".into()));
            }
            return Ok(f);
        }
        let left = self.operand()?;
        self.skip_ws();
        let op = if self.eat("==") {
            CmpOp::Eq
        } else if self.eat("!=") {
            CmpOp::Ne
        } else if self.eat("<=") {
            CmpOp::Le
        } else if self.eat(">=") {
            CmpOp::Ge
        } else if self.eat("<") {
            CmpOp::Lt
        } else if self.eat(">") {
            CmpOp::Gt
        } else {
            return match left {
                Operand::Path(p) => Ok(Filter::Exists(p)),
                Operand::Literal(_) => Err(self.err("a literal alone is not a filter".into())),
            };
        };
        let right = self.operand()?;
        Ok(Filter::Compare(left, op, right))
    }

    fn operand(&mut self) -> Result<Operand, PathError> {
        self.skip_ws();
        match self.peek() {
            Some('@' | '$') => Ok(Operand::Path(self.path(true)?)),
            Some('\'' | '"') => Ok(Operand::Literal(Value::String(self.quoted()?))),
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')) {
                    self.pos += 1;
                }
                let text = &self.src[start..self.pos];
                serde_json::from_str(text)
                    .map(Operand::Literal)
                    .map_err(|_| self.err(format!("expected a path or a literal, found '{text}'")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let p = parse("$.a.b[0]['c d'][*]").unwrap();
        assert_eq!(p.root, Root::Input);
        assert_eq!(
            p.segments,
            vec![
                Segment::Child("a".into()),
                Segment::Child("b".into()),
                Segment::Index(0),
                Segment::Child("c d".into()),
                Segment::Wildcard
            ]
        );
        assert!(!p.is_definite());
        assert_eq!(parse("$$.Map.Item.Value").unwrap().root, Root::Context);
        assert_eq!(parse("$myVar.x").unwrap().root, Root::Variable("myVar".into()));
        assert_eq!(parse("$.items[1:5]").unwrap().segments[1], Segment::Slice(Some(1), Some(5), None));
        assert_eq!(parse("$.items[:1]").unwrap().segments[1], Segment::Slice(None, Some(1), None));
    }

    #[test]
    fn parses_filters() {
        let p = parse("$.users[?(@.status == 'active' && @.age > 3)].name").unwrap();
        assert!(matches!(p.segments[1], Segment::Filter(_)));
        assert!(parse("$..name").is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("$[?({}@.a{})]", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).is_err());
        let bangs = format!("$[?({}@.a)]", "!".repeat(10_000));
        assert!(parse(&bangs).is_err());
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "a.b", "$.", "$[", "$['x'", "$.a[?(@.x ==)]", "$.a b", "$[\"[\","] {
            assert!(parse(bad).is_err(), "{bad} should not parse");
        }
    }
}
