//! Pratt parser producing the raw tree, then `process` rewrites it into the evaluator's form
//! (the two passes of the reference `parser.js`: `expression` and `processAST`).

mod ancestry;
mod guard;
mod process;
mod regex;

use crate::ast::{BinOp, Kind, Lambda, Node};
use crate::error::JsonataError;
use crate::jstext::{js_number, json_quote};
use crate::lexer::{tokenize, Tok, Token};
use crate::signature::Signature;
use guard::{err, stack_addr, too_deep, MAX_PARSE_DEPTH, STACK_BUDGET};
use process::process_root;
use regex::compile_regex;
use std::sync::Arc;

/// Parses source text into a processed syntax tree.
pub fn parse_source(src: &str) -> Result<Node, JsonataError> {
    parse_source_within(src, stack_addr())
}

/// Parses with the stack budget counted from `stack_base`: an expression parsed while an
/// evaluation runs (`$eval`) shares the evaluation's budget instead of adding its own.
pub fn parse_source_within(src: &str, stack_base: usize) -> Result<Node, JsonataError> {
    let tokens = tokenize(src)?;
    let mut p = Parser { src, tokens, at: 0, depth: 0, stack_base, unknown: None };
    if let Some(Tok::Op(op @ ("!" | "~"))) = p.tokens.first().map(|t| &t.kind) {
        return Err(err("S0204", 0, format!("Unknown operator: {}", json_quote(op))));
    }
    let raw = p.expression(0)?;
    p.check_unknown()?;
    let t = p.peek();
    if t.kind != Tok::End {
        return Err(err("S0201", t.pos, format!("Syntax error: {}", describe(&t.kind))));
    }
    process_root(raw, p.stack_base)
}

/// A token as the reference inserts it into messages (`JSON.stringify` of its value).
fn describe(t: &Tok) -> String {
    match t {
        Tok::Op(o) => json_quote(o),
        Tok::Str(s) => json_quote(s),
        Tok::Num(n) => js_number(*n),
        Tok::Name(n) => json_quote(n),
        Tok::Var(v) => json_quote(v),
        Tok::Bool(b) => b.to_string(),
        Tok::Null => "null".into(),
        Tok::Regex { .. } => "{}".into(),
        Tok::End => json_quote("(end)"),
    }
}

fn lbp(t: &Tok) -> u32 {
    match t {
        Tok::Op(op) => match *op {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "?" => 20,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" => 60,
            "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "in" => 40,
            ":=" => 10,
            "and" => 30,
            "or" => 25,
            _ => 0,
        },
        _ => 0,
    }
}

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
    stack_base: usize,
    /// An operator symbol the language does not have, read by the last `next`.
    unknown: Option<JsonataError>,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        if self.unknown.is_none() {
            if let Tok::Op(op @ ("!" | "~")) = self.peek().kind {
                // the reference fails as soon as it reads a symbol it has no operator for
                self.unknown = Some(err("S0204", self.peek().pos, format!("Unknown operator: {}", json_quote(op))));
            }
        }
        t
    }

    /// The S0204 error of an unknown operator just read, if any.
    fn check_unknown(&mut self) -> Result<(), JsonataError> {
        match self.unknown.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek().kind, Tok::Op(o) if o == op)
    }

    fn expect(&mut self, op: &'static str) -> Result<Token, JsonataError> {
        self.check_unknown()?;
        if self.is_op(op) {
            return Ok(self.next());
        }
        let t = self.peek();
        if t.kind == Tok::End {
            Err(err("S0203", t.pos, format!("Expected {} before end of expression", json_quote(op))))
        } else {
            Err(err("S0202", t.pos, format!("Expected {}, got {}", json_quote(op), describe(&t.kind))))
        }
    }

    fn expression(&mut self, rbp: u32) -> Result<Node, JsonataError> {
        let base = self.depth;
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH || self.stack_base.abs_diff(stack_addr()) > STACK_BUDGET {
            return Err(too_deep(self.peek().pos));
        }
        self.check_unknown()?;
        let t = self.next();
        let mut left = self.nud(t)?;
        self.check_unknown()?;
        while rbp < lbp(&self.peek().kind) {
            // each operator applied adds a level to the tree: count it for nested operands too
            self.depth += 1;
            if self.depth > MAX_PARSE_DEPTH {
                return Err(too_deep(self.peek().pos));
            }
            let t = self.next();
            left = self.led(t, left)?;
            self.check_unknown()?;
        }
        self.depth = base;
        Ok(left)
    }

    fn nud(&mut self, t: Token) -> Result<Node, JsonataError> {
        let pos = t.pos;
        let kind = match t.kind {
            Tok::Num(n) => Kind::Num(n),
            Tok::Str(s) => Kind::Str(s),
            Tok::Bool(b) => Kind::Bool(b),
            Tok::Null => Kind::Null,
            Tok::Name(n) => Kind::Name(n),
            Tok::Var(v) => Kind::Var(v),
            Tok::Regex { pattern, flags } => Kind::Regex(Arc::new(compile_regex(&pattern, &flags, pos)?)),
            Tok::End => Kind::RawEnd,
            Tok::Op(op) => match op {
                "and" | "or" | "in" => Kind::Name(op.to_string()),
                "-" => Kind::Neg(Box::new(self.expression(70)?)),
                "*" => Kind::Wildcard,
                "**" => Kind::Descendant,
                "(" => {
                    let mut items = Vec::new();
                    while !self.is_op(")") {
                        items.push(self.expression(0)?);
                        if !self.is_op(";") {
                            break;
                        }
                        self.next();
                    }
                    self.expect(")")?;
                    Kind::Block(items)
                }
                "[" => {
                    let mut items = Vec::new();
                    if !self.is_op("]") {
                        loop {
                            let mut item = self.expression(0)?;
                            if self.is_op("..") {
                                let rpos = self.next().pos;
                                let rhs = self.expression(0)?;
                                item = Node::new(Kind::Binary(BinOp::Range, Box::new(item), Box::new(rhs)), rpos);
                            }
                            items.push(item);
                            if !self.is_op(",") {
                                break;
                            }
                            self.next();
                        }
                    }
                    self.expect("]")?;
                    Kind::Array(items)
                }
                "{" => Kind::Object(self.object_pairs()?),
                "|" => {
                    let pattern = self.expression(0)?;
                    self.expect("|")?;
                    let update = self.expression(0)?;
                    let delete = if self.is_op(",") {
                        self.next();
                        Some(Box::new(self.expression(0)?))
                    } else {
                        None
                    };
                    self.expect("|")?;
                    Kind::Transform(Box::new(pattern), Box::new(update), delete)
                }
                "%" => Kind::Parent(crate::ast::ParentSlot::default()),
                _ => {
                    return Err(err(
                        "S0211",
                        pos,
                        format!("The symbol {} cannot be used as a unary operator", json_quote(op)),
                    ))
                }
            },
        };
        Ok(Node::new(kind, pos))
    }

    fn object_pairs(&mut self) -> Result<Vec<(Node, Node)>, JsonataError> {
        let mut pairs = Vec::new();
        if !self.is_op("}") {
            loop {
                let k = self.expression(0)?;
                self.expect(":")?;
                let v = self.expression(0)?;
                pairs.push((k, v));
                if !self.is_op(",") {
                    break;
                }
                self.next();
            }
        }
        self.expect("}")?;
        Ok(pairs)
    }

    fn led(&mut self, t: Token, left: Node) -> Result<Node, JsonataError> {
        let pos = t.pos;
        let Tok::Op(op) = t.kind else {
            return Err(err("S0201", pos, format!("Syntax error: {}", describe(&t.kind))));
        };
        let bin = |o: BinOp, p: &mut Self, bp: u32, left: Node| -> Result<Node, JsonataError> {
            let rhs = p.expression(bp)?;
            Ok(Node::new(Kind::Binary(o, Box::new(left), Box::new(rhs)), pos))
        };
        match op {
            "+" => bin(BinOp::Add, self, 50, left),
            "-" => bin(BinOp::Sub, self, 50, left),
            "*" => bin(BinOp::Mul, self, 60, left),
            "/" => bin(BinOp::Div, self, 60, left),
            "%" => bin(BinOp::Mod, self, 60, left),
            "=" => bin(BinOp::Eq, self, 40, left),
            "!=" => bin(BinOp::Ne, self, 40, left),
            "<" => bin(BinOp::Lt, self, 40, left),
            "<=" => bin(BinOp::Le, self, 40, left),
            ">" => bin(BinOp::Gt, self, 40, left),
            ">=" => bin(BinOp::Ge, self, 40, left),
            "&" => bin(BinOp::Concat, self, 50, left),
            "and" => bin(BinOp::And, self, 30, left),
            "or" => bin(BinOp::Or, self, 25, left),
            "in" => bin(BinOp::In, self, 40, left),
            "." => {
                let rhs = self.expression(75)?;
                Ok(Node::new(Kind::RawDot(Box::new(left), Box::new(rhs)), pos))
            }
            "~>" => {
                let rhs = self.expression(40)?;
                Ok(Node::new(Kind::Apply(Box::new(left), Box::new(rhs)), pos))
            }
            ":=" => {
                let Kind::Var(name) = left.kind else {
                    return Err(err("S0212", left.pos, "The left side of := must be a variable name (start with $)"));
                };
                let rhs = self.expression(9)?;
                Ok(Node::new(Kind::Bind(name, Box::new(rhs)), pos))
            }
            "@" | "#" => {
                let rhs = self.expression(80)?;
                let Kind::Var(name) = rhs.kind else {
                    return Err(err(
                        "S0214",
                        rhs.pos,
                        format!("The right side of {} must be a variable name (start with $)", json_quote(op)),
                    ));
                };
                let kind =
                    if op == "@" { Kind::RawFocus(Box::new(left), name) } else { Kind::RawIndex(Box::new(left), name) };
                Ok(Node::new(kind, pos))
            }
            "?" => {
                let then = self.expression(0)?;
                let els = if self.is_op(":") {
                    self.next();
                    Some(Box::new(self.expression(0)?))
                } else {
                    None
                };
                Ok(Node::new(Kind::Condition(Box::new(left), Box::new(then), els), pos))
            }
            "[" => {
                if self.is_op("]") {
                    self.next();
                    let mut left = left;
                    let mut step = &mut left;
                    while let Kind::RawFilter(ref mut l, _) = step.kind {
                        step = l;
                    }
                    step.keep_array = true;
                    return Ok(left);
                }
                let rhs = self.expression(0)?;
                self.expect("]")?;
                Ok(Node::new(Kind::RawFilter(Box::new(left), Box::new(rhs)), pos))
            }
            "{" => {
                let pairs = self.object_pairs()?;
                Ok(Node::new(Kind::RawGroup(Box::new(left), pairs), pos))
            }
            "^" => {
                self.expect("(")?;
                let mut terms = Vec::new();
                loop {
                    let mut descending = false;
                    if self.is_op("<") {
                        self.next();
                    } else if self.is_op(">") {
                        self.next();
                        descending = true;
                    }
                    terms.push((self.expression(0)?, descending));
                    if !self.is_op(",") {
                        break;
                    }
                    self.next();
                }
                self.expect(")")?;
                Ok(Node::new(Kind::RawSort(Box::new(left), terms), pos))
            }
            "(" => self.call(left, pos),
            _ => Err(err("S0201", pos, format!("Syntax error: {}", json_quote(op)))),
        }
    }

    fn call(&mut self, left: Node, pos: usize) -> Result<Node, JsonataError> {
        let mut args = Vec::new();
        let mut partial = false;
        if !self.is_op(")") {
            loop {
                if self.is_op("?") {
                    let t = self.next();
                    partial = true;
                    args.push(Node::new(Kind::Placeholder, t.pos));
                } else {
                    args.push(self.expression(0)?);
                }
                if !self.is_op(",") {
                    break;
                }
                self.next();
            }
        }
        self.expect(")")?;
        let is_lambda = matches!(&left.kind, Kind::Name(n) if n == "function" || n == "λ");
        if !is_lambda {
            return Ok(Node::new(Kind::Call { proc: Box::new(left), args, partial }, pos));
        }
        let mut params = Vec::new();
        for (i, a) in args.into_iter().enumerate() {
            match a.kind {
                Kind::Var(v) => params.push(v),
                _ => {
                    return Err(err(
                        "S0208",
                        a.pos,
                        format!("Parameter {} of function definition must be a variable name (start with $)", i + 1),
                    ))
                }
            }
        }
        let mut signature = None;
        if self.is_op("<") {
            let start = self.next().pos;
            let mut depth = 1;
            let mut end = start;
            while depth > 0 && !self.is_op("{") && self.peek().kind != Tok::End {
                let t = self.next();
                match t.kind {
                    Tok::Op(">") => depth -= 1,
                    Tok::Op("<") => depth += 1,
                    _ => {}
                }
                end = t.pos + 1;
            }
            if depth > 0 {
                self.expect(">")?;
            }
            let text = self.src.get(start..end).unwrap_or("");
            signature = Some(Signature::parse(text).map_err(|m| err("S0401", start, m))?);
        }
        self.expect("{")?;
        let body = self.expression(0)?;
        self.expect("}")?;
        Ok(Node::new(Kind::Lambda(Arc::new(Lambda { params, signature, body })), pos))
    }
}
