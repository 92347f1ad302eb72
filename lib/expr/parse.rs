//! A recursive-descent parser for Python 3.11's expression grammar (`eval` mode).
//!
//! It accepts what `ast.parse(src, mode="eval")` accepts, closely enough that a
//! syntax error is reported as one and every construct outside the language is
//! named by its Python AST class ([`Node::Disallowed`]). The insides of disallowed
//! constructs (lambda parameters, comprehension targets, slices, f-string fields)
//! are checked only loosely: they are rejected either way.

use super::ast::{BinOp, BoolOp, CmpOp, Node, UnOp};
use super::lex::{Tok, Token};

mod atoms;

/// How deeply the parser may recurse (nested brackets, unary operators, `**`).
const MAX_NESTING: usize = 64;

type PResult = Result<Node, String>;

/// Parse a whole token stream (ending in [`Tok::End`]) as one expression.
pub(crate) fn parse(toks: &[Token]) -> PResult {
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let node = p.expressions()?;
    while p.eat(&Tok::Newline) {}
    match p.peek() {
        Tok::End => Ok(node),
        Tok::Op(c @ (")" | "]" | "}")) => Err(format!("unmatched '{c}' at column {}", p.col())),
        _ => Err(p.unexpected()),
    }
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    depth: usize,
}

/// Whether `tok` can begin an expression (used after a trailing comma).
fn starts_expr(tok: &Tok) -> bool {
    match tok {
        Tok::Name(_) | Tok::Int(_) | Tok::BigInt(_) | Tok::Float(_) | Tok::Imag | Tok::Str(_) => {
            true
        }
        Tok::Kw(k) => matches!(*k, "True" | "False" | "None" | "not" | "lambda" | "await"),
        Tok::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "..."),
        Tok::Newline | Tok::End => false,
    }
}

impl Parser<'_> {
    fn token(&self, ahead: usize) -> &Token {
        let last = self.toks.len().saturating_sub(1);
        &self.toks[(self.pos + ahead).min(last)]
    }

    fn peek(&self) -> &Tok {
        &self.token(0).tok
    }

    fn col(&self) -> usize {
        self.token(0).col
    }

    fn bump(&mut self) -> Tok {
        let tok = self.peek().clone();
        if tok != Tok::End {
            self.pos += 1;
        }
        tok
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == tok {
            self.bump();
            true
        } else {
            false
        }
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Kw(k) if *k == kw)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let hit = self.is_op(op);
        if hit {
            self.bump();
        }
        hit
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.bump();
        }
        hit
    }

    fn unexpected(&self) -> String {
        match self.peek() {
            Tok::End => format!("unexpected end of input at column {}", self.col()),
            _ => format!("invalid syntax at column {}", self.col()),
        }
    }

    fn expect_op(&mut self, op: &str) -> Result<(), String> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), String> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// Expect the bracket closing the one `open` at column `open_col`.
    fn close(&mut self, open: &str, open_col: usize) -> Result<(), String> {
        let close = match open {
            "(" => ")",
            "[" => "]",
            _ => "}",
        };
        if self.eat_op(close) {
            Ok(())
        } else if *self.peek() == Tok::End {
            Err(format!("'{open}' was never closed at column {open_col}"))
        } else {
            Err(self.unexpected())
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(format!(
                "expression is nested too deeply at column {}",
                self.col()
            ));
        }
        Ok(())
    }

    /// `expressions`: one expression, or a tuple without parentheses.
    fn expressions(&mut self) -> PResult {
        let first = self.expression()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut elts = vec![first];
        while self.eat_op(",") {
            if !starts_expr(self.peek()) {
                break;
            }
            elts.push(self.expression()?);
        }
        Ok(Node::Tuple(elts))
    }

    /// `expression`: a conditional expression, a lambda, or a disjunction.
    fn expression(&mut self) -> PResult {
        self.enter()?;
        let node = if self.eat_kw("lambda") {
            self.lambda()?
        } else {
            let body = self.disjunction()?;
            if self.eat_kw("if") {
                let test = self.disjunction()?;
                if !self.eat_kw("else") {
                    return Err(format!(
                        "expected 'else' after 'if' expression at column {}",
                        self.col()
                    ));
                }
                let orelse = self.expression()?;
                Node::IfExp(Box::new(test), Box::new(body), Box::new(orelse))
            } else {
                body
            }
        };
        self.depth -= 1;
        Ok(node)
    }

    /// `named_expression`: an expression or `NAME := expression`.
    fn named_expression(&mut self) -> PResult {
        if matches!(self.peek(), Tok::Name(_)) && self.token(1).tok == Tok::Op(":=") {
            self.bump();
            self.bump();
            self.expression()?;
            return Ok(Node::Disallowed("NamedExpr"));
        }
        let node = self.expression()?;
        if self.is_op(":=") {
            return Err(self.unexpected());
        }
        Ok(node)
    }

    /// `star_named_expression`: `*x` (a Starred node) or a named expression.
    fn star_named_expression(&mut self) -> PResult {
        if self.eat_op("*") {
            self.bitwise_or()?;
            return Ok(Node::Disallowed("Starred"));
        }
        self.named_expression()
    }

    fn lambda(&mut self) -> PResult {
        while !self.is_op(":") {
            if self.eat_op("*") || self.eat_op("**") {
                if matches!(self.peek(), Tok::Name(_)) {
                    self.bump();
                }
            } else if self.eat_op("/") {
            } else if matches!(self.peek(), Tok::Name(_)) {
                self.bump();
                if self.eat_op("=") {
                    self.expression()?;
                }
            } else {
                return Err(self.unexpected());
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(":")?;
        self.expression()?;
        Ok(Node::Disallowed("Lambda"))
    }

    fn disjunction(&mut self) -> PResult {
        self.bool_chain("or", BoolOp::Or, Self::conjunction)
    }

    fn conjunction(&mut self) -> PResult {
        self.bool_chain("and", BoolOp::And, Self::inversion)
    }

    fn bool_chain(&mut self, kw: &str, op: BoolOp, next: fn(&mut Self) -> PResult) -> PResult {
        let first = next(self)?;
        if !self.is_kw(kw) {
            return Ok(first);
        }
        let mut values = vec![first];
        while self.eat_kw(kw) {
            values.push(next(self)?);
        }
        Ok(Node::Bool(op, values))
    }

    fn inversion(&mut self) -> PResult {
        if !self.eat_kw("not") {
            return self.comparison();
        }
        self.enter()?;
        let operand = self.inversion()?;
        self.depth -= 1;
        Ok(Node::Unary(UnOp::Not, Box::new(operand)))
    }

    fn comparison(&mut self) -> PResult {
        let left = self.bitwise_or()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Tok::Op("==") => CmpOp::Eq,
                Tok::Op("!=") => CmpOp::NotEq,
                Tok::Op("<") => CmpOp::Lt,
                Tok::Op("<=") => CmpOp::LtE,
                Tok::Op(">") => CmpOp::Gt,
                Tok::Op(">=") => CmpOp::GtE,
                Tok::Kw("in") => CmpOp::In,
                Tok::Kw("not") if self.token(1).tok == Tok::Kw("in") => {
                    self.bump();
                    CmpOp::NotIn
                }
                Tok::Kw("is") if self.token(1).tok == Tok::Kw("not") => {
                    self.bump();
                    CmpOp::IsNot
                }
                Tok::Kw("is") => CmpOp::Is,
                _ => break,
            };
            self.bump();
            rest.push((op, self.bitwise_or()?));
        }
        if rest.is_empty() {
            Ok(left)
        } else {
            Ok(Node::Compare(Box::new(left), rest))
        }
    }

    /// One left-associative level of binary operators.
    fn binary(&mut self, ops: &[(&str, BinOp)], next: fn(&mut Self) -> PResult) -> PResult {
        let mut left = next(self)?;
        'outer: loop {
            for (sym, op) in ops {
                if self.eat_op(sym) {
                    let right = next(self)?;
                    left = Node::Binary(Box::new(left), *op, Box::new(right));
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }

    fn bitwise_or(&mut self) -> PResult {
        self.binary(&[("|", BinOp::BitOr)], Self::bitwise_xor)
    }

    fn bitwise_xor(&mut self) -> PResult {
        self.binary(&[("^", BinOp::BitXor)], Self::bitwise_and)
    }

    fn bitwise_and(&mut self) -> PResult {
        self.binary(&[("&", BinOp::BitAnd)], Self::shift)
    }

    fn shift(&mut self) -> PResult {
        self.binary(&[("<<", BinOp::LShift), (">>", BinOp::RShift)], Self::sum)
    }

    fn sum(&mut self) -> PResult {
        self.binary(&[("+", BinOp::Add), ("-", BinOp::Sub)], Self::term)
    }

    fn term(&mut self) -> PResult {
        let ops = [
            ("*", BinOp::Mult),
            ("/", BinOp::Div),
            ("//", BinOp::FloorDiv),
            ("%", BinOp::Mod),
            ("@", BinOp::MatMult),
        ];
        self.binary(&ops, Self::factor)
    }

    /// `factor`: unary `+ - ~`, binding looser than `**` on their right.
    fn factor(&mut self) -> PResult {
        let op = match self.peek() {
            Tok::Op("+") => UnOp::UAdd,
            Tok::Op("-") => UnOp::USub,
            Tok::Op("~") => UnOp::Invert,
            _ => return self.power(),
        };
        self.bump();
        self.enter()?;
        let operand = self.factor()?;
        self.depth -= 1;
        Ok(Node::Unary(op, Box::new(operand)))
    }

    /// `power`: `primary ** factor` (right-associative through `factor`).
    fn power(&mut self) -> PResult {
        let base = if self.eat_kw("await") {
            self.primary()?;
            Node::Disallowed("Await")
        } else {
            self.primary()?
        };
        if !self.eat_op("**") {
            return Ok(base);
        }
        self.enter()?;
        let exp = self.factor()?;
        self.depth -= 1;
        Ok(Node::Binary(Box::new(base), BinOp::Pow, Box::new(exp)))
    }

    /// `primary`: an atom followed by attribute accesses, calls and subscripts.
    fn primary(&mut self) -> PResult {
        let mut node = self.atom()?;
        loop {
            if self.eat_op(".") {
                if !matches!(self.peek(), Tok::Name(_)) {
                    return Err(self.unexpected());
                }
                self.bump();
                node = Node::Disallowed("Attribute");
            } else if self.is_op("(") {
                let open = self.col();
                self.bump();
                let (args, keywords) = self.call_args(open)?;
                node = Node::Call(Box::new(node), args, keywords);
            } else if self.is_op("[") {
                let open = self.col();
                self.bump();
                self.slices()?;
                self.close("[", open)?;
                node = Node::Disallowed("Subscript");
            } else {
                return Ok(node);
            }
        }
    }
}
