//! Pratt parser producing the raw tree, then `process` rewrites it into the evaluator's form
//! (the two passes of the reference `parser.js`: `expression` and `processAST`).

use super::ast::{BinOp, Group, Kind, Lambda, Node, RegexLit, Stage};
use super::functions::Signature;
use super::lexer::{tokenize, Tok, Token};
use super::JsonataError;
use std::sync::Arc;

/// How deep the syntax tree may grow before parsing gives up (guards the stack, also when
/// the tree is later evaluated or dropped).
const MAX_PARSE_DEPTH: usize = 1000;
/// Stack the parser may use before giving up, whatever the depth.
const STACK_BUDGET: usize = 700 * 1024;

fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

fn too_deep(pos: usize) -> JsonataError {
    err("S0201", pos, "Syntax error: expression nested too deeply")
}

fn err(code: &'static str, pos: usize, message: impl Into<String>) -> JsonataError {
    JsonataError::Syntax { code: code.to_string(), position: pos, message: message.into() }
}

/// Parses source text into a processed syntax tree.
pub fn parse_source(src: &str) -> Result<Node, JsonataError> {
    let tokens = tokenize(src)?;
    let mut p = Parser { src, tokens, at: 0, depth: 0, stack_base: stack_addr() };
    let raw = p.expression(0)?;
    let t = p.peek();
    if t.kind != Tok::End {
        return Err(err("S0201", t.pos, format!("Syntax error: {}", describe(&t.kind))));
    }
    process(raw, 0, p.stack_base)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Op(o) => o.to_string(),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::Num(n) => n.to_string(),
        Tok::Name(n) => n.clone(),
        Tok::Var(v) => format!("${v}"),
        Tok::Bool(b) => b.to_string(),
        Tok::Null => "null".into(),
        Tok::Regex { pattern, .. } => format!("/{pattern}/"),
        Tok::End => "(end)".into(),
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
            "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "?:" | "??" | "in" => 40,
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
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek().kind, Tok::Op(o) if o == op)
    }

    fn expect(&mut self, op: &'static str) -> Result<Token, JsonataError> {
        if self.is_op(op) {
            return Ok(self.next());
        }
        let t = self.peek();
        if t.kind == Tok::End {
            Err(err("S0203", t.pos, format!("Expected {op} before end of expression")))
        } else {
            Err(err("S0202", t.pos, format!("Expected {op}, got {}", describe(&t.kind))))
        }
    }

    fn expression(&mut self, rbp: u32) -> Result<Node, JsonataError> {
        let base = self.depth;
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH || self.stack_base.abs_diff(stack_addr()) > STACK_BUDGET {
            return Err(too_deep(self.peek().pos));
        }
        let t = self.next();
        let mut left = self.nud(t)?;
        while rbp < lbp(&self.peek().kind) {
            // each operator applied adds a level to the tree: count it for nested operands too
            self.depth += 1;
            if self.depth > MAX_PARSE_DEPTH {
                return Err(too_deep(self.peek().pos));
            }
            let t = self.next();
            left = self.led(t, left)?;
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
            Tok::End => return Err(err("S0207", pos, "Unexpected end of expression")),
            Tok::Op(op) => match op {
                "and" | "or" | "in" => Kind::Name(op.to_string()),
                "-" => Kind::Neg(Box::new(self.expression(70)?)),
                "*" => Kind::Wildcard,
                "**" => Kind::Descendant,
                "?" => Kind::Placeholder,
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
                "%" => return Err(err("S0217", pos, "The parent operator % is not supported")),
                _ => return Err(err("S0211", pos, format!("The symbol {op} cannot be used as a unary operator"))),
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
                        format!("The right side of {op} must be a variable name (start with $)"),
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
            "?:" => {
                let els = self.expression(0)?;
                let cond = left.clone();
                Ok(Node::new(Kind::Condition(Box::new(cond), Box::new(left), Some(Box::new(els))), pos))
            }
            "??" => {
                let els = self.expression(0)?;
                let lpos = left.pos;
                let exists = Node::new(
                    Kind::Call {
                        proc: Box::new(Node::new(Kind::Var("exists".into()), lpos)),
                        args: vec![left.clone()],
                        partial: false,
                    },
                    lpos,
                );
                Ok(Node::new(Kind::Condition(Box::new(exists), Box::new(left), Some(Box::new(els))), pos))
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
            _ => Err(err("S0201", pos, format!("Syntax error: {op}"))),
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
        for a in args {
            match a.kind {
                Kind::Var(v) => params.push(v),
                _ => {
                    return Err(err(
                        "S0208",
                        a.pos,
                        "Parameter of function definition must be a variable name (start with $)",
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
            let text = self.src.get(start..end).unwrap_or("");
            signature = Some(Signature::parse(text).map_err(|m| err("S0401", start, m))?);
        }
        self.expect("{")?;
        let body = self.expression(0)?;
        self.expect("}")?;
        let body = process(body, self.depth, self.stack_base)?;
        Ok(Node::new(Kind::Lambda(Arc::new(Lambda { params, signature, body })), pos))
    }
}

/// Translates a JavaScript regex into `regex_lite` syntax and compiles it.
pub fn compile_regex(pattern: &str, flags: &str, pos: usize) -> Result<RegexLit, JsonataError> {
    let mut out = String::new();
    if flags.contains('i') || flags.contains('m') {
        out.push_str("(?");
        if flags.contains('i') {
            out.push('i');
        }
        if flags.contains('m') {
            out.push('m');
        }
        out.push(')');
    }
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push_str("\\\\");
            break;
        };
        if e == 'u' {
            let hex: String = chars.clone().take(4).collect();
            if hex.len() == 4 && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                for _ in 0..4 {
                    chars.next();
                }
                out.push_str(&format!("\\x{{{hex}}}"));
                continue;
            }
        }
        if e.is_ascii_alphanumeric() || "\\.+*?()|[]{}^$#&-~".contains(e) {
            out.push('\\');
            out.push(e);
        } else {
            out.push(e);
        }
    }
    match regex_lite::Regex::new(&out) {
        Ok(re) => Ok(RegexLit { source: pattern.to_string(), re }),
        Err(e) => Err(err("S0302", pos, format!("Invalid regular expression: {e}"))),
    }
}

/// Wraps a node as a single-step path unless it already is one.
fn as_path(n: Node) -> (Vec<Node>, Node) {
    match n.kind {
        Kind::Path(steps) => {
            let shell = Node { kind: Kind::Null, ..n };
            (steps, shell)
        }
        _ => {
            let pos = n.pos;
            (vec![n], Node::new(Kind::Null, pos))
        }
    }
}

fn finish_path(steps: Vec<Node>, mut shell: Node) -> Node {
    shell.kind = Kind::Path(steps);
    shell
}

/// Rewrites the raw tree (the reference `processAST`).
fn process(n: Node, depth: usize, sb: usize) -> Result<Node, JsonataError> {
    if depth > MAX_PARSE_DEPTH * 2 || sb.abs_diff(stack_addr()) > STACK_BUDGET {
        return Err(too_deep(n.pos));
    }
    let d = depth + 1;
    let pos = n.pos;
    let keep = n.keep_array;
    let mut result = match n.kind {
        Kind::RawDot(l, r) => {
            let lstep = process(*l, d, sb)?;
            let (mut steps, mut shell) = as_path(lstep);
            let rest = process(*r, d, sb)?;
            match rest.kind {
                Kind::Path(rsteps) => {
                    if rest.keep_array {
                        shell.keep_array = true;
                    }
                    steps.extend(rsteps)
                }
                _ => {
                    let mut rest = rest;
                    let preds = std::mem::take(&mut rest.predicate);
                    rest.stages.extend(preds);
                    steps.push(rest);
                }
            }
            for s in steps.iter_mut() {
                match &s.kind {
                    Kind::Num(_) | Kind::Bool(_) | Kind::Null => {
                        return Err(err(
                            "S0213",
                            s.pos,
                            "The literal value cannot be used as a step within a path expression",
                        ));
                    }
                    Kind::Str(v) => s.kind = Kind::Name(v.clone()),
                    _ => {}
                }
            }
            if steps.iter().any(|s| s.keep_array) {
                shell.keep_array = true;
            }
            if let Some(first) = steps.first_mut() {
                if matches!(first.kind, Kind::Array(_)) {
                    first.cons_array = true;
                }
            }
            if let Some(last) = steps.last_mut() {
                if matches!(last.kind, Kind::Array(_)) {
                    last.cons_array = true;
                }
            }
            finish_path(steps, shell)
        }
        Kind::RawFilter(l, r) => {
            let mut result = process(*l, d, sb)?;
            let pred = process(*r, d, sb)?;
            let in_path = matches!(result.kind, Kind::Path(_));
            let step = last_step(&mut result);
            if step.group.is_some() {
                return Err(err("S0209", pos, "A predicate cannot follow a grouping expression in a step"));
            }
            if in_path {
                step.stages.push(Stage::Filter(pred));
            } else {
                step.predicate.push(Stage::Filter(pred));
            }
            result
        }
        Kind::RawGroup(l, pairs) => {
            let mut result = process(*l, d, sb)?;
            if result.group.is_some() {
                return Err(err("S0210", pos, "Each step can only have one grouping expression"));
            }
            let mut ps = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                ps.push((process(k, d, sb)?, process(v, d, sb)?));
            }
            result.group = Some(Box::new(Group { pairs: ps }));
            result
        }
        Kind::RawSort(l, terms) => {
            let lhs = process(*l, d, sb)?;
            let (mut steps, shell) = as_path(lhs);
            let mut ts = Vec::with_capacity(terms.len());
            for (t, desc) in terms {
                ts.push((process(t, d, sb)?, desc));
            }
            steps.push(Node::new(Kind::Sort(ts), pos));
            finish_path(steps, shell)
        }
        Kind::RawFocus(l, var) => {
            let mut result = process(*l, d, sb)?;
            let step = last_step(&mut result);
            if !step.stages.is_empty() || !step.predicate.is_empty() {
                return Err(err("S0215", pos, "A context variable binding must precede any predicates on a step"));
            }
            if matches!(step.kind, Kind::Sort(_)) {
                return Err(err(
                    "S0216",
                    pos,
                    "A context variable binding must precede the 'order-by' clause on a step",
                ));
            }
            if keep {
                step.keep_array = true;
            }
            step.focus = Some(var);
            step.tuple = true;
            result
        }
        Kind::RawIndex(l, var) => {
            let result = process(*l, d, sb)?;
            let (mut steps, shell) = if matches!(result.kind, Kind::Path(_)) {
                as_path(result)
            } else {
                let mut r = result;
                let preds = std::mem::take(&mut r.predicate);
                r.stages.extend(preds);
                (vec![r], Node::new(Kind::Null, pos))
            };
            if let Some(step) = steps.last_mut() {
                if step.stages.is_empty() {
                    step.index = Some(var);
                } else {
                    step.stages.push(Stage::Index(var));
                }
                step.tuple = true;
            }
            finish_path(steps, shell)
        }
        Kind::Apply(l, r) => {
            let l = process(*l, d, sb)?;
            let r = process(*r, d, sb)?;
            let mut node = Node::new(Kind::Null, pos);
            node.keep_array = l.keep_array || r.keep_array;
            node.kind = Kind::Apply(Box::new(l), Box::new(r));
            node
        }
        Kind::Binary(op, l, r) => {
            Node::new(Kind::Binary(op, Box::new(process(*l, d, sb)?), Box::new(process(*r, d, sb)?)), pos)
        }
        Kind::Bind(name, r) => Node::new(Kind::Bind(name, Box::new(process(*r, d, sb)?)), pos),
        Kind::Neg(e) => {
            let e = process(*e, d, sb)?;
            match e.kind {
                Kind::Num(v) => Node::new(Kind::Num(-v), pos),
                _ => Node::new(Kind::Neg(Box::new(e)), pos),
            }
        }
        Kind::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(process(i, d, sb)?);
            }
            Node::new(Kind::Array(out), pos)
        }
        Kind::Object(pairs) => {
            let mut ps = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                ps.push((process(k, d, sb)?, process(v, d, sb)?));
            }
            Node::new(Kind::Object(ps), pos)
        }
        Kind::Call { proc, args, partial } => {
            let mut out = Vec::with_capacity(args.len());
            for a in args {
                if matches!(a.kind, Kind::Placeholder) {
                    out.push(a);
                } else {
                    out.push(process(a, d, sb)?);
                }
            }
            Node::new(Kind::Call { proc: Box::new(process(*proc, d, sb)?), args: out, partial }, pos)
        }
        Kind::Condition(c, t, e) => {
            let c = process(*c, d, sb)?;
            let t = process(*t, d, sb)?;
            let e = match e {
                Some(e) => Some(Box::new(process(*e, d, sb)?)),
                None => None,
            };
            Node::new(Kind::Condition(Box::new(c), Box::new(t), e), pos)
        }
        Kind::Transform(p, u, del) => {
            let p = process(*p, d, sb)?;
            let u = process(*u, d, sb)?;
            let del = match del {
                Some(x) => Some(Box::new(process(*x, d, sb)?)),
                None => None,
            };
            Node::new(Kind::Transform(Box::new(p), Box::new(u), del), pos)
        }
        Kind::Block(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut cons = false;
            for i in items {
                let part = process(i, d, sb)?;
                if part.cons_array || matches!(&part.kind, Kind::Path(s) if s.first().is_some_and(|f| f.cons_array)) {
                    cons = true;
                }
                out.push(part);
            }
            let mut node = Node::new(Kind::Block(out), pos);
            node.cons_array = cons;
            node
        }
        Kind::Name(name) => {
            let mut step = Node::new(Kind::Name(name), pos);
            step.keep_array = keep;
            let mut path = Node::new(Kind::Path(vec![step]), pos);
            path.keep_array = keep;
            path
        }
        Kind::Placeholder => {
            return Err(err("S0201", pos, "Syntax error: ?"));
        }
        other => Node::new(other, pos),
    };
    if keep {
        result.keep_array = true;
    }
    Ok(result)
}

fn last_step(n: &mut Node) -> &mut Node {
    let in_path = matches!(&n.kind, Kind::Path(s) if !s.is_empty());
    if !in_path {
        return n;
    }
    match &mut n.kind {
        Kind::Path(steps) => {
            let i = steps.len() - 1;
            &mut steps[i]
        }
        _ => unreachable!("checked above"),
    }
}
